// `rollsafe diff <base-scenario> <head-scenario> [--markdown FILE] [--json FILE]`
import type { Command } from 'commander';
import { commandBudget, exploreScenarioAsync } from '../check.js';
import { loadScenarioFile, readScenarioFile } from '../../model/scenario/load.js';
import { type HeadFix, diffExitCode, diffResults, formatDiffMarkdown, formatDiffText } from '../results/diff.js';
import { suggestAsync } from '../suggest/suggest.js';
import { isCut } from '../engines/limits.js';
import { RESULT_SET_SCHEMA, type ResultSet } from '../results/result.js';
import { VERSION } from '../results/version.js';
import { type BudgetFlags, engineBudget, withSearchOptions } from './budget.js';
import { checkOutput, scenarioRootFor, writeOutput } from '../results/output.js';
import type { Exit } from './args.js';
import { interruptOnSignals } from './signals.js';
import { startProgress } from './progress.js';
import type { Progress } from '../progress.js';

interface DiffFlags extends BudgetFlags {
  markdown?: string;
  json?: string;
  maxDepth?: number;
  maxFaults?: number;
  maxStates?: number;
  symmetry: boolean;
}

export function registerDiff(program: Command, exit: Exit): void {
  const command = program
    .command('diff')
    .description('explore two versions of a runbook; report the unsafe states the head makes newly reachable (exit 1) and those it removes')
    .argument('<base>', 'the scenario before the change (e.g. the base branch\'s file)')
    .argument('<head>', 'the scenario after the change')
    .option('--markdown <file>', 'also write the comparison as Markdown, ready to post as a pull-request comment, with the smallest runbook edit that fixes what the head newly breaks (rollsafe suggest)')
    .option('--json <file>', 'also write both results (schema rollsafe/results@1: base first, then head) to this file (- for standard output)');
  withSearchOptions(command)
    .action(async (base: string, head: string, flags: DiffFlags) => {
      // The reproduce line in the PR comment is the exploration, not where its outputs went.
      const argv = process.argv.slice(2).join(' ').replace(/\s--(markdown|json)(=|\s+)\S+/g, '');
      exit.code = await runDiff(base, head, flags, `rollsafe ${argv}`, `rollsafe ${process.argv.slice(2).join(' ')}`);
    });
}

async function runDiff(basePath: string, headPath: string, flags: DiffFlags, reproduce: string, command: string): Promise<number> {
  const markdown = checkOutput('--markdown', flags.markdown);
  const json = checkOutput('--json', flags.json);
  const say = (text: string) => (json?.path === null || markdown?.path === null ? process.stderr : process.stdout).write(text);
  // Both files are loaded (and so validated) before either is explored.
  const base = loadScenarioFile(basePath, { maxFaults: flags.maxFaults, maxDepth: flags.maxDepth });
  const head = loadScenarioFile(headPath, { maxFaults: flags.maxFaults, maxDepth: flags.maxDepth });
  const interrupt = interruptOnSignals('ending the search under way, then writing the comparison so far');
  const opts = { maxDepth: flags.maxDepth, maxFaults: flags.maxFaults, maxStates: flags.maxStates, symmetry: flags.symmetry, ...engineBudget(flags, interrupt) };
  const budget = commandBudget(opts);
  const progress = startProgress('diff', () => performance.now());
  let baseResult, headResult;
  let fix: HeadFix | undefined;
  try {
    try {
      const onProgress = (p: Progress) => progress.update(p);
      progress.scenarioStarted();
      baseResult = await exploreScenarioAsync(base, { ...opts, onProgress }, budget.limitsFor(2), { index: 0, count: 2 });
      progress.scenarioStarted();
      headResult = await exploreScenarioAsync(head, { ...opts, onProgress }, budget.limitsFor(1), { index: 1, count: 2 });
    } finally {
      progress.stop();
    }
    // what broke, and how to fix it: the comment gets the smallest edit that makes head safe
    if (markdown && headResult.verdict === 'unsafe' && diffResults(baseResult, headResult).added.length > 0 && !interrupt.interrupted()) {
      const run = await suggestAsync(readScenarioFile(headPath), headResult.scenario.file, { ...opts, limits: budget.limitsFor(1), checked: headResult });
      fix = { suggestion: run.result.suggestions?.[0] ?? null, search: run.result.suggestSearch ?? null };
    }
  } finally {
    interrupt.dispose();
  }
  const d = diffResults(baseResult, headResult);
  say(`${formatDiffText(d)}\n`);
  if (markdown) writeOutput(markdown, formatDiffMarkdown(d, reproduce, fix));
  if (json) {
    const partial = interrupt.interrupted() || isCut(baseResult) || isCut(headResult);
    const set: ResultSet = { schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: VERSION }, command, partial, scenarioRoot: scenarioRootFor(json), results: [baseResult, headResult] };
    writeOutput(json, `${JSON.stringify(set, null, 2)}\n`);
  }
  return interrupt.exitCode() ?? diffExitCode(d);
}
