// `rollsafe diff <base-scenario> <head-scenario> [--markdown FILE] [--json FILE]`
import type { Command } from 'commander';
import { commandBudget, exploreScenarioAsync } from '../check.js';
import { loadScenarioFile, loadScenarioText, readScenarioFile } from '../../model/scenario/load.js';
import { readGitScenario } from './git-base.js';
import { type HeadFix, diffExitCode, diffResults, formatDiffMarkdown, formatDiffText } from '../results/diff.js';
import { suggestAsync } from '../suggest/suggest.js';
import { isCut } from '../engines/limits.js';
import { RESULT_SET_SCHEMA, type ResultSet } from '../results/result.js';
import { VERSION } from '../results/version.js';
import { type BudgetFlags, engineBudget, withFingerprints, withSearchOptions } from './budget.js';
import { checkOutput, scenarioRootFor, writeOutput } from '../results/output.js';
import { type Exit, UsageError } from './args.js';
import { interruptOnSignals } from './signals.js';
import { startProgress } from './progress.js';
import { SARIF_FLAG_DOC, writeSarif } from './sarif-output.js';
import type { Progress } from '../progress.js';

interface DiffFlags extends BudgetFlags {
  markdown?: string;
  reportUrl?: string;
  json?: string;
  sarif?: string;
  maxDepth?: number;
  maxFaults?: number;
  maxStates?: number;
  symmetry: boolean;
  workers?: number;
  fingerprints?: boolean;
}

export function registerDiff(program: Command, exit: Exit): void {
  const command = program
    .command('diff')
    .description('explore two versions of a runbook; report the unsafe states the head makes newly reachable (exit 1) and those it removes')
    .argument('<base>', 'the scenario before the change: a file, or REV:PATH read with git show (e.g. main:runbooks/upgrade.yaml)')
    .argument('<head>', 'the scenario after the change')
    .option('--markdown <file>', 'also write the comparison as Markdown, ready to post as a pull-request comment, with the smallest runbook edit that fixes what the head newly breaks (rollsafe suggest)')
    .option('--json <file>', 'also write both results (schema rollsafe/results@1: base first, then head) to this file (- for standard output)')
    .option('--sarif <file>', `${SARIF_FLAG_DOC}: the head's violations, each marked new or unchanged against the base`)
    .option('--report-url <url>', 'link the Markdown comment to the full report at this address (e.g. the CI run that uploads it)');
  withFingerprints(withSearchOptions(command))
    .action(async (base: string, head: string, flags: DiffFlags) => {
      // The reproduce line in the PR comment is the exploration, not where its outputs went.
      const argv = process.argv.slice(2).join(' ').replace(/\s--(markdown|json|sarif|report-url)(=|\s+)\S+/g, '');
      exit.code = await runDiff(base, head, flags, `rollsafe ${argv}`, `rollsafe ${process.argv.slice(2).join(' ')}`);
    });
}

async function runDiff(basePath: string, headPath: string, flags: DiffFlags, reproduce: string, command: string): Promise<number> {
  if (flags.reportUrl !== undefined && !/^https?:\/\/[^\s<>"']+$/.test(flags.reportUrl)) {
    throw new UsageError(`--report-url: '${flags.reportUrl.slice(0, 200)}' is not an http(s) address; pass the page where the report is, e.g. the CI run's URL`);
  }
  const markdown = checkOutput('--markdown', flags.markdown);
  const json = checkOutput('--json', flags.json);
  const sarif = checkOutput('--sarif', flags.sarif);
  const say = (text: string) => (json?.path === null || markdown?.path === null || sarif?.path === null ? process.stderr : process.stdout).write(text);
  // Both files are loaded (and so validated) before either is explored.
  const load = (path: string) => {
    const overrides = { maxFaults: flags.maxFaults, maxDepth: flags.maxDepth };
    const fromGit = readGitScenario(path);
    return fromGit === null ? loadScenarioFile(path, overrides) : loadScenarioText(fromGit, path, overrides);
  };
  const base = load(basePath);
  const head = load(headPath);
  const interrupt = interruptOnSignals('ending the search under way, then writing the comparison so far');
  const opts = { maxDepth: flags.maxDepth, maxFaults: flags.maxFaults, maxStates: flags.maxStates, symmetry: flags.symmetry, workers: flags.workers, ...engineBudget(flags, interrupt) };
  const budget = commandBudget(opts);
  const progress = startProgress('diff', () => performance.now());
  let baseResult, headResult;
  let fix: HeadFix | undefined;
  try {
    try {
      // the searches only: the fix search (suggest) needs safe verdicts, which fingerprints never give
      const onProgress = (p: Progress) => progress.update(p);
      const search = { ...opts, onProgress, fingerprints: flags.fingerprints };
      progress.scenarioStarted();
      baseResult = await exploreScenarioAsync(base, search, budget.limitsFor(2), { index: 0, count: 2 });
      progress.scenarioStarted();
      headResult = await exploreScenarioAsync(head, search, budget.limitsFor(1), { index: 1, count: 2 });
    } finally {
      progress.stop();
    }
    // what broke, and how to fix it: the comment gets the smallest edit that makes head safe
    if (markdown && headResult.verdict === 'unsafe' && diffResults(baseResult, headResult).added.length > 0 && !interrupt.interrupted()) {
      const run = await suggestAsync(readGitScenario(headPath) ?? readScenarioFile(headPath), headResult.scenario.file, { ...opts, limits: budget.limitsFor(1), checked: headResult });
      fix = { suggestion: run.result.suggestions?.[0] ?? null, search: run.result.suggestSearch ?? null };
    }
  } finally {
    interrupt.dispose();
  }
  const d = diffResults(baseResult, headResult);
  say(`${formatDiffText(d)}\n`);
  if (markdown) writeOutput(markdown, formatDiffMarkdown(d, reproduce, { reportUrl: flags.reportUrl, fix }));
  if (json) {
    const partial = interrupt.interrupted() || isCut(baseResult) || isCut(headResult);
    const set: ResultSet = { schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: VERSION }, command, partial, scenarioRoot: scenarioRootFor(json), results: [baseResult, headResult] };
    writeOutput(json, `${JSON.stringify(set, null, 2)}\n`);
  }
  if (sarif) {
    const added = new Set(d.added.map((a) => a.violation));
    writeSarif(sarif, [headResult], { category: `diff/${headResult.scenario.file}`, baseline: (v) => (added.has(v) ? 'new' : 'unchanged') });
  }
  return interrupt.exitCode() ?? diffExitCode(d);
}
