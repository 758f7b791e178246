// Turns the budget flags (--time, --max-memory) and the signal handlers into the budget a
// command's engines receive: the one place the CLI reads the clock and the process's memory.
import { type Command, InvalidArgumentError } from 'commander';
import { OPTION_DOCS, formatDuration, parseDuration } from '../options.js';
import { FLAG_MAX, intArg } from './args.js';
import { parseBytes } from '../engines/limits.js';
import { defaultMaxMemory, heapNearlyFull, memoryUsed, type Interrupt } from './signals.js';

export interface BudgetFlags {
  time?: number; // ms
  maxMemory?: number; // bytes
}

export function durationArg(v: string): number {
  const ms = parseDuration(v);
  if (ms === null || ms <= 0) throw new InvalidArgumentError(`--time must be a duration such as 90s, 10m or 1h, got '${v}'`);
  return ms;
}

export function memoryArg(v: string): number {
  const bytes = parseBytes(v);
  if (bytes === null || bytes < 64 * 2 ** 20) throw new InvalidArgumentError(`--max-memory must be a size of at least 64MiB such as 800MiB or 4GiB, got '${v}'`);
  return bytes;
}

export function engineBudget(flags: BudgetFlags, interrupt: Interrupt) {
  const maxMemory = flags.maxMemory ?? defaultMaxMemory();
  return {
    now: () => performance.now(),
    timeMs: flags.time ?? null,
    time: flags.time !== undefined ? formatDuration(flags.time) : null,
    maxMemory,
    memoryUsed,
    heapFull: heapNearlyFull,
    interrupted: interrupt.interrupted,
  };
}


// The options of every exhaustive search (check, diff, suggest): bounds, budgets, symmetry,
// declared once.
export function withSearchOptions(command: Command): Command {
  return command
    .option('--max-depth <n>', OPTION_DOCS.maxDepth, intArg('--max-depth', 1, FLAG_MAX.maxDepth))
    .option('--max-faults <n>', OPTION_DOCS.maxFaults, intArg('--max-faults', 0, FLAG_MAX.maxFaults))
    .option('--max-states <n>', OPTION_DOCS.maxStates, intArg('--max-states', 1, FLAG_MAX.maxStates))
    .option('--time <duration>', OPTION_DOCS.time, durationArg)
    .option('--max-memory <size>', OPTION_DOCS.maxMemory, memoryArg)
    .option('--no-symmetry', OPTION_DOCS.symmetry)
    .option('--workers <n>', OPTION_DOCS.workers, intArg('--workers', 1, FLAG_MAX.workers));
}

// check and diff: a search that keeps fingerprints, not states (suggest needs a safe verdict to
// call an edit a fix, which a fingerprint search never gives)
export function withFingerprints(command: Command): Command {
  return command.option('--fingerprints', OPTION_DOCS.fingerprints);
}

// check only: a CI gate's first-violation stop
export function withFailFast(command: Command): Command {
  return command.option('--fail-fast', OPTION_DOCS.failFast);
}
