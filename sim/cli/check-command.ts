// `rollsafe check <file-or-folder...>`
import type { Command } from 'commander';
import { checkAsync, passed } from '../check.js';
import { RESULT_SET_SCHEMA, type ResultSet, type RunResult } from '../results/result.js';
import { VERSION } from '../results/version.js';
import { toJUnit } from '../results/junit.js';
import { type BudgetFlags, engineBudget, withFailFast, withFingerprints, withSearchOptions } from './budget.js';
import { checkOutput, scenarioRootFor, writeOutput } from '../results/output.js';
import { fingerprintsLine, formatResult, formatTable, tallyLine } from '../results/text.js';
import { paintFor } from './colour.js';
import type { Exit } from './args.js';
import { interruptOnSignals } from './signals.js';
import { isCut } from '../engines/limits.js';
import { startProgress } from './progress.js';
import { count } from '../results/words.js';
import { SARIF_FLAG_DOC, writeSarif } from './sarif-output.js';

interface CheckFlags extends BudgetFlags {
  json?: string;
  junit?: string;
  sarif?: string;
  maxDepth?: number;
  maxFaults?: number;
  maxStates?: number;
  symmetry: boolean;
  workers?: number;
  failFast?: boolean;
  fingerprints?: boolean;
  verbose?: boolean;
}

// A search that has found its first violation has its verdict; it goes on for the full report
// (every property's shortest trace, liveness, the point of no return). When that takes more
// than a moment, the verdict is said at once: a reader or a CI log need not wait for it.
const SAY_VERDICT_AFTER_MS = 1000;

export function registerCheck(program: Command, exit: Exit): void {
  const command = program
    .command('check')
    .description('explore every interleaving of each scenario\'s runbook with its faults; compare with its expect block')
    .argument('<paths...>', 'scenario files (.yaml) or folders of them')
    .option('--json <file>', 'write the results (schema rollsafe/results@1) to this file (- for standard output)')
    .option('--junit <file>', 'write JUnit XML (one test case per scenario and property) to this file')
    .option('--sarif <file>', SARIF_FLAG_DOC);
  withFingerprints(withFailFast(withSearchOptions(command)))
    .option('-v, --verbose', 'print every violation trace, not only those of scenarios that fail')
    .action(async (paths: string[], flags: CheckFlags) => {
      exit.code = await runCheck(paths, flags, process.argv.slice(2).join(' '));
    });
}

async function runCheck(paths: string[], flags: CheckFlags, command: string): Promise<number> {
  // outputs are checked before any work: a typo must not cost the run
  const json = checkOutput('--json', flags.json);
  const junit = checkOutput('--junit', flags.junit);
  const sarif = checkOutput('--sarif', flags.sarif);
  // with the JSON on standard output, what people read goes to standard error
  const out = json?.path === null || sarif?.path === null ? process.stderr : process.stdout;
  const say = (text: string) => out.write(text);
  const paint = paintFor(out);
  const progress = startProgress('check', () => performance.now());
  const interrupt = interruptOnSignals('ending the search under way, then writing what was found');
  let results: RunResult[];
  let first: { index: number; property: string; steps: number; states: number; said: boolean } | null = null;
  try {
    results = await checkAsync(paths, {
      maxDepth: flags.maxDepth,
      maxFaults: flags.maxFaults,
      maxStates: flags.maxStates,
      symmetry: flags.symmetry,
      workers: flags.workers,
      failFast: flags.failFast,
      fingerprints: flags.fingerprints,
      ...engineBudget(flags, interrupt),
      onScenarioStart: (s, index, count) => {
        first = null;
        progress.scenarioStarted({ file: s.file, index, count });
      },
      onViolation: (v) => {
        first ??= { ...v, said: false };
      },
      onProgress: (p) => {
        progress.update(p);
        if (first && !first.said && p.elapsedMs >= SAY_VERDICT_AFTER_MS) {
          first.said = true;
          progress.note(`${p.scenario}: unsafe: ${first.property} (shortest trace ${count(first.steps, 'step')}, found among the first ${count(first.states, 'state')}); exploring on for the full report (--fail-fast stops at the first violation)`);
        }
      },
    });
  } finally {
    interrupt.dispose();
    progress.stop();
  }
  const single = results.length === 1;
  if (!single) say(`${formatTable(results, paint)}\n`);
  for (const r of results) {
    if (single || flags.verbose || !passed(r)) say(`\n${formatResult(r, paint)}\n`);
  }
  const failed = results.filter((r) => !passed(r)).length;
  const partial = interrupt.interrupted() || results.some(isCut);
  say(`\n${tallyLine(results, passed, paint)}${partial ? ' (partial: cut by the time or memory budget, or an interrupt)' : ''}\n`);
  const fp = fingerprintsLine(results);
  if (fp) say(`${fp}\n`);
  if (json) {
    const set: ResultSet = { schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: VERSION }, command: `rollsafe ${command}`, partial, scenarioRoot: scenarioRootFor(json), results };
    writeOutput(json, `${JSON.stringify(set, null, 2)}\n`);
    if (json.path !== null) say(`results written to ${json.shown}${results.some((r) => r.violations.length) ? `; replay a violation with: rollsafe replay ${json.shown} --violation 1` : ''}\n`);
  }
  if (junit) writeOutput(junit, toJUnit(results, { name: 'rollsafe check', resultFile: json?.path ?? undefined }));
  if (sarif) writeSarif(sarif, results, { category: 'check' });
  return interrupt.exitCode() ?? (failed > 0 ? 1 : 0);
}
