// `rollsafe suggest <scenario> [--max-edits N] [--json FILE] [--apply OUT.yaml] [--pick K]`
import { realpathSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { readScenarioFile } from '../../model/scenario/load.js';
import { commandBudget } from '../check.js';
import { DEFAULT_MAX_EDITS, fixPath, suggestAsync } from '../suggest/suggest.js';
import { MAX_EDITS_LIMIT } from '../suggest/search.js';
import type { SearchProgress } from '../suggest/search.js';
import { RESULT_SET_SCHEMA, type ResultSet } from '../results/result.js';
import { VERSION } from '../results/version.js';
import { formatSuggest } from '../results/suggest-text.js';
import { checkOutput, scenarioRootFor, writeOutput } from '../results/output.js';
import { isCut } from '../engines/limits.js';
import { type BudgetFlags, engineBudget, withSearchOptions } from './budget.js';
import { type Exit, UsageError, intArg } from './args.js';
import { interruptOnSignals } from './signals.js';

interface SuggestFlags extends BudgetFlags {
  maxEdits: number;
  json?: string;
  apply?: string;
  pick?: number;
  maxDepth?: number;
  maxFaults?: number;
  maxStates?: number;
  symmetry: boolean;
  workers?: number;
}

const PLAIN_EVERY_MS = 10_000;

export function registerSuggest(program: Command, exit: Exit): void {
  const command = program
    .command('suggest')
    .description('search the smallest runbook edits (checks, guards, steps, strategies, stage order, stated assumptions) that make an unsafe scenario safe')
    .argument('<scenario>', 'the scenario file (.yaml)')
    .option('--max-edits <n>', `largest edit set tried, 1 to ${MAX_EDITS_LIMIT}`, intArg('--max-edits', 1, MAX_EDITS_LIMIT), DEFAULT_MAX_EDITS)
    .option('--json <file>', 'write the result with its suggestions (schema rollsafe/results@1) to this file (- for standard output)')
    .option('--apply <file>', 'write the scenario patched with the first suggestion (or the one --pick names) to this file')
    .option('--pick <k>', 'the suggestion --apply writes, by rank (default 1)', intArg('--pick', 1));
  withSearchOptions(command).action(async (path: string, flags: SuggestFlags) => {
    exit.code = await runSuggest(path, flags);
  });
}

// The flags that change what the search finds, for the commands a suggestion prints.
function searchFlags(f: SuggestFlags): string {
  const out: string[] = [];
  if (f.maxEdits !== DEFAULT_MAX_EDITS) out.push(`--max-edits ${f.maxEdits}`);
  if (f.maxDepth !== undefined) out.push(`--max-depth ${f.maxDepth}`);
  if (f.maxFaults !== undefined) out.push(`--max-faults ${f.maxFaults}`);
  if (f.maxStates !== undefined) out.push(`--max-states ${f.maxStates}`);
  if (!f.symmetry) out.push('--no-symmetry');
  return out.map((x) => ` ${x}`).join('');
}

function checkFlags(f: SuggestFlags): string {
  return searchFlags({ ...f, maxEdits: DEFAULT_MAX_EDITS });
}

async function runSuggest(path: string, flags: SuggestFlags): Promise<number> {
  const json = checkOutput('--json', flags.json);
  if (flags.pick !== undefined && flags.apply === undefined) throw new UsageError('--pick chooses the suggestion --apply writes: give --apply <file> too');
  if (flags.apply !== undefined && flags.apply !== '-' && sameFile(flags.apply, path)) {
    throw new UsageError(`--apply ${flags.apply} is the scenario itself: write the patched scenario to another file and compare them`);
  }
  const apply = checkOutput('--apply', flags.apply);
  if (json?.path === null && apply?.path === null) throw new UsageError('--json - and --apply - cannot both write to standard output');
  const say = (text: string) => (json?.path === null || apply?.path === null ? process.stderr : process.stdout).write(text);
  const text = readScenarioFile(path);
  const file = relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path);
  const pick = flags.pick ?? 1;
  const extra = searchFlags(flags);
  const verifyCommand = (rank: number) =>
    apply?.path && rank === pick
      ? `rollsafe check ${flags.apply}${checkFlags(flags)}`
      : `rollsafe suggest ${file}${extra} --pick ${rank} --apply ${fixPath(file, rank)} && rollsafe check ${fixPath(file, rank)}${checkFlags(flags)}`;
  const interrupt = interruptOnSignals('ending the search under way, then writing what was found');
  const opts = { maxDepth: flags.maxDepth, maxFaults: flags.maxFaults, maxStates: flags.maxStates, symmetry: flags.symmetry, workers: flags.workers, ...engineBudget(flags, interrupt) };
  const budget = commandBudget(opts);
  const progress = searchProgress(process.stderr);
  let run;
  try {
    run = await suggestAsync(text, file, { ...opts, maxEdits: flags.maxEdits, limits: budget.limitsFor(1), onProgress: progress.update, verifyCommand });
  } finally {
    interrupt.dispose();
    progress.stop();
  }
  const r = run.result;
  say(`${formatSuggest(r)}\n`);
  if (apply) {
    const chosen = run.patched[pick - 1];
    if (chosen !== undefined) {
      writeOutput(apply, chosen);
      if (apply.path !== null) say(`\nsuggestion ${pick} written to ${apply.shown}\n`);
    } else {
      say(`\nnothing written to ${apply.shown}: ${run.patched.length === 0 ? 'there is no suggestion' : `there ${run.patched.length === 1 ? 'is 1 suggestion' : `are ${run.patched.length} suggestions`}, not ${pick}`}\n`);
    }
  }
  if (json) {
    const partial = interrupt.interrupted() || isCut(r) || r.suggestSearch?.complete === false;
    const set: ResultSet = { schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: VERSION }, command: `rollsafe ${process.argv.slice(2).join(' ')}`, partial, scenarioRoot: scenarioRootFor(json), results: [r] };
    writeOutput(json, `${JSON.stringify(set, null, 2)}\n`);
    if (json.path !== null) say(`results written to ${json.shown}\n`);
  }
  return interrupt.exitCode() ?? (run.outcome === 'nothing-to-fix' || run.outcome === 'found' ? 0 : 1);
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(resolve(a)) === realpathSync(resolve(b));
  } catch {
    return resolve(a) === resolve(b);
  }
}

// On a terminal a line rewritten in place; elsewhere a line every 10 s.
function searchProgress(stream: NodeJS.WriteStream) {
  const tty = stream.isTTY && process.env.CI !== 'true';
  let last = performance.now();
  let shown = false;
  const line = (p: SearchProgress) => `suggest: sets of ${p.size} edit${p.size === 1 ? '' : 's'}: ${p.sets.toLocaleString('en-US')} tried, ${p.found} safe`;
  return {
    update(p: SearchProgress) {
      if (tty) {
        stream.write(`\r  ${line(p)}\x1b[K`);
        shown = true;
      } else if (performance.now() - last >= PLAIN_EVERY_MS) {
        last = performance.now();
        stream.write(`${line(p)}\n`);
      }
    },
    stop() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
