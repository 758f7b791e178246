// `rollsafe replay <result.json> [--violation N] [--twice]`: re-runs recorded traces step by
// step against the scenario file, and with --twice re-runs the whole recorded run two times to
// check that it is deterministic.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Command } from 'commander';
import { Model } from '../../model/model.js';
import { quoteValue } from '../../model/quote.js';
import { ScenarioError, loadScenarioFile } from '../../model/scenario/load.js';
import { chaos, fuzz } from '../campaign.js';
import { exploreScenarioAsync } from '../check.js';
import { makeLimits } from '../engines/limits.js';
import { type Interrupt, interruptOnSignals } from './signals.js';
import { readResultSet } from '../results/merge.js';
import { replayViolation, withoutTimings } from '../replay.js';
import { recordedRun } from '../options.js';
import type { ResultSet, RunResult, Violation } from '../results/result.js';
import { formatViolation } from '../results/text.js';
import { type Exit, UsageError, intArg } from './args.js';

interface ReplayFlags {
  violation?: number;
  twice?: boolean;
}

// The library loader (sim/results/result-file.ts) reads and schema-checks the file; here its refusal
// becomes a usage error, exit 2. merge reads its inputs through this too.
// A result names its scenarios as the run saw them, relative to the folder it ran in; the
// set's scenarioRoot leads there from the result file's folder, so replay works from anywhere.
export function locateScenario(r: RunResult, set: ResultSet, resultFile: string): string {
  const file = r.scenario.file;
  if (isAbsolute(file) || existsSync(file)) return file;
  if (set.scenarioRoot !== undefined) {
    const there = join(dirname(resultFile), set.scenarioRoot, file);
    if (existsSync(there)) return there;
  }
  const at = `results[${set.results.indexOf(r)}]`;
  const where = set.scenarioRoot === undefined ? `from here (${process.cwd()}), and the file does not record where its run started` : `from here (${process.cwd()}) nor from the folder the file records (${set.scenarioRoot})`;
  throw new UsageError(`${resultFile}: ${at}.scenario.file names ${quoteValue(file)}, which does not load: no such file ${where}; restore the file, or run replay from the folder the run started in`);
}

// The scenario is named by the result file, so a failure to load it says which result file
// and which result pointed there, not only the scenario's own complaint.
function modelFor(r: RunResult, path: string, file: string, at: string): Model {
  const { maxFaults, maxDepth } = recordedRun(r);
  try {
    return new Model(loadScenarioFile(path, { maxFaults, maxDepth }), { maxFaults });
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    throw new UsageError(
      `${file}: ${at}.scenario.file names ${quoteValue(r.scenario.file)}, which does not load; replay needs the scenario the result was made from (restore the file, or run replay from the folder the run started in). The scenario's error:\n${e.message}`,
    );
  }
}

// Runs the recorded run again with its own engine and options, as many runs as it did.
// A signal ends the re-run under way (its result is then cut, and replay says so).
async function rerun(r: RunResult, path: string, interrupt: Interrupt): Promise<RunResult> {
  const signal = { get aborted() { return interrupt.interrupted(); } };
  const o = recordedRun(r);
  const common = { seed: o.seed, runs: o.runs, maxDepth: o.maxDepth, maxFaults: o.maxFaults, signal };
  if (o.engine === 'chaos') return (await chaos(path, { ...common, run: o.run, shard: o.shard }))[0];
  if (o.engine === 'fuzz') return (await fuzz(path, { ...common, properties: o.properties, replay: o.replay }))[0];
  const s = loadScenarioFile(path, { maxFaults: o.maxFaults, maxDepth: o.maxDepth });
  return exploreScenarioAsync(s, { maxDepth: o.maxDepth, maxFaults: o.maxFaults, maxStates: o.maxStates, symmetry: o.symmetry, fingerprints: o.fingerprints }, makeLimits({ interrupted: interrupt.interrupted }));
}

const traceKey = (v: Violation) => `${v.property}:${JSON.stringify(v.trace.map((t) => t.event))}`;

export function registerReplay(program: Command, exit: Exit): void {
  program
    .command('replay')
    .description('re-run recorded violation traces step by step and check every state matches the recording')
    .argument('<result>', 'a result file written by --json (check, fuzz, chaos or merge)')
    .option('--violation <n>', 'replay only violation n (numbered from 1 across the file, as in the JUnit output)', intArg('--violation', 1))
    .option('--twice', 'also re-run each recorded run two times with its seed and options, and fail if the two differ')
    .action(async (file: string, flags: ReplayFlags) => {
      const set = readResultSet(file);
      const all = set.results.flatMap((r) => r.violations.map((v) => ({ r, v })));
      if (flags.violation !== undefined && flags.violation > all.length) {
        throw new UsageError(`--violation ${flags.violation}: ${file} holds ${all.length} violation${all.length === 1 ? '' : 's'}; pick 1..${all.length}`);
      }
      const picked = flags.violation !== undefined ? [{ ...all[flags.violation - 1], n: flags.violation }] : all.map((x, i) => ({ ...x, n: i + 1 }));
      let failed = 0;
      for (const { r, v, n } of picked) {
        const model = modelFor(r, locateScenario(r, set, file), file, `results[${set.results.indexOf(r)}]`);
        const first = replayViolation(model, v);
        // the default self-check: the same trace replayed twice gives the same answer
        const second = replayViolation(model, v);
        if (JSON.stringify(first) !== JSON.stringify(second)) {
          failed++;
          process.stdout.write(`violation ${n} (${r.scenario.file}): NOT DETERMINISTIC: two replays of the same trace disagree\n`);
          continue;
        }
        if (!first.ok) failed++;
        process.stdout.write(`violation ${n} (${r.scenario.file}, ${r.engine}): ${first.ok ? 'ok' : 'DIVERGED'}: ${first.message}\n`);
        if (first.ok) process.stdout.write(`${formatViolation(v, n)}\n\n`);
      }
      if (flags.twice) {
        const interrupt = interruptOnSignals('ending the re-run under way; the runs not yet re-run are not checked');
        try {
          for (const r of set.results) {
            if (interrupt.interrupted()) break;
            const path = locateScenario(r, set, file);
            const a = withoutTimings(await rerun(r, path, interrupt));
            const b = withoutTimings(await rerun(r, path, interrupt));
            if (interrupt.interrupted()) {
              process.stdout.write(`${r.scenario.file} (${r.engine}): re-run twice: not finished (interrupted)\n`);
              break;
            }
            const same = JSON.stringify(a) === JSON.stringify(b);
            const recorded = r.violations.map(traceKey).sort().join('\n');
            const again = a.violations.map(traceKey).sort().join('\n');
            if (!same) failed++;
            process.stdout.write(`${r.scenario.file} (${r.engine}, seed ${r.seed}): re-run twice: ${same ? 'identical' : 'DIFFERENT: the run is not deterministic'}; violations ${recorded === again ? 'match the recording' : set.partial ? 'differ from the recording (it was cut short, so the run count may differ)' : 'DIFFER from the recording'}\n`);
            if (same && recorded !== again && !set.partial) failed++;
          }
        } finally {
          interrupt.dispose();
        }
        if (interrupt.exitCode() !== null) {
          exit.code = interrupt.exitCode()!;
          return;
        }
      }
      if (picked.length === 0 && !flags.twice) process.stdout.write(`${file} records no violations; nothing to replay\n`);
      exit.code = failed > 0 ? 1 : 0;
    });
}
