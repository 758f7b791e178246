// rollsafe's command line, as a function of argv: exit code 0 when every scenario is as
// expected (or safe), 1 for violations or unmet expectations, 2 for bad input or usage.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ScenarioError } from '../../model/scenario/load.js';
import { quoteValue } from '../../model/quote.js';
import { VERSION } from '../version.js';
import { registerCheck } from './check-command.js';
import { registerFuzz } from './fuzz-command.js';
import { registerChaos } from './chaos-command.js';
import { registerReplay } from './replay-command.js';
import { registerMerge } from './merge-command.js';
import { registerReport } from './report-command.js';
import { registerServe } from './serve-command.js';
import { registerDiff } from './diff-command.js';
import { OutputError } from '../output.js';

export class UsageError extends Error {}

export interface Exit {
  code: number;
}

// A whole-number flag in [min, max]; the bounds of the flags that override a scenario's own
// (max-depth, max-states, faults.budget) are the scenario schema's, so both refuse alike.
export function intArg(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${quoteValue(v)}`);
    }
    return Number(v);
  };
}

export const FLAG_MAX = { maxDepth: 10_000, maxStates: 1_000_000_000, maxFaults: 1_000, runs: 1_000_000_000, workers: 256 } as const;

export function buildProgram(exit: Exit): Command {
  const program = new Command();
  program
    .name('rollsafe')
    .description('Explore key-management upgrade and rollback runbooks for unsafe states.')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run rollsafe --help for usage)');
  registerCheck(program, exit);
  registerFuzz(program, exit);
  registerChaos(program, exit);
  registerReplay(program, exit);
  registerMerge(program, exit);
  registerReport(program, exit);
  registerServe(program, exit);
  registerDiff(program, exit);
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const exit: Exit = { code: 0 };
  const program = buildProgram(exit);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exit.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    }
    if (e instanceof ScenarioError || e instanceof UsageError || e instanceof OutputError) {
      process.stderr.write(`rollsafe: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
