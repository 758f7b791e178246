// The CLI edge shared by `fuzz` and `chaos`: SIGINT handling, progress, terminal output and the
// --json / --junit files. Everything here is a side effect, kept out of the engines.
import { InvalidArgumentError } from 'commander';
import { type CampaignOptions, campaignPassed, isPartial } from '../campaign.js';
import { toJUnit } from '../junit.js';
import { RESULT_SET_SCHEMA, type ResultSet, type RunResult } from '../result.js';
import { parseDuration } from '../options.js';
import { VERSION } from '../version.js';
import { writeFileAtomic } from './files.js';
import { formatTable, formatViolation, summaryLine } from './format.js';
import { startProgress } from './progress.js';
import { count } from '../words.js';

export interface OutputFlags {
  json?: string;
  junit?: string;
  verbose?: boolean;
}

export function durationArg(v: string): number {
  const ms = parseDuration(v);
  if (ms === null || ms <= 0) throw new InvalidArgumentError(`--time must be a duration such as 90s, 10m or 1h, got '${v}'`);
  return ms;
}

// First Ctrl-C: stop starting new runs, keep what was found, write it marked partial.
// Second Ctrl-C: quit at once.
export function interruptOnSigint(): { signal: { aborted: boolean }; interrupted: () => boolean; dispose: () => void } {
  const signal = { aborted: false };
  const onInt = () => {
    if (signal.aborted) process.exit(130);
    signal.aborted = true;
    process.stderr.write('\nrollsafe: interrupted: finishing the runs under way, then writing what was found (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onInt);
  return { signal, interrupted: () => signal.aborted, dispose: () => process.off('SIGINT', onInt) };
}

// Wires the clock, the interrupt flag and the progress display into a campaign.
export async function runCampaign<O extends CampaignOptions>(engine: string, opts: O, run: (o: O) => Promise<RunResult[]>): Promise<{ results: RunResult[]; interrupted: boolean }> {
  const now = () => performance.now();
  const sig = interruptOnSigint();
  const progress = startProgress(engine, now);
  try {
    const results = await run({ ...opts, now, signal: sig.signal, onScenarioStart: () => progress.scenarioStarted(), onProgress: (p) => progress.update(p) });
    return { results, interrupted: sig.interrupted() };
  } finally {
    progress.stop();
    sig.dispose();
  }
}

function formatCampaignResult(r: RunResult): string {
  const ok = campaignPassed(r);
  const out = [`${ok ? 'ok  ' : 'FAIL'} ${r.scenario.file} (${r.scenario.name})`, `     ${summaryLine(r).replace(/ states? ·/, (m) => (m === ' state ·' ? ' world visited ·' : ' worlds visited ·'))}`];
  if (r.expect && !r.expect.met) for (const p of r.expect.problems) out.push(`     expectation not met: ${p}`);
  if (r.violations.length === 0) out.push('     no violation found (a random campaign is not a proof of safety)');
  r.violations.forEach((v, i) => {
    out.push(formatViolation(v, i + 1));
    if (v.replay) {
      const n = v.trace.length - 1;
      const how = !v.replay.minimal ? 'not re-minimised: the breadth-first search hit its state bound'
        : v.replay.foundLength > n ? `shortened to ${n} by breadth-first search: no shorter trace exists`
        : 'a breadth-first search confirms no shorter trace exists';
      out.push(`     found in ${count(v.replay.foundLength, 'step')}; ${how}`);
      out.push(`     replay token: ${JSON.stringify(v.replay.token)}`);
      out.push(`     re-run: ${v.replay.command}`);
    }
  });
  return out.join('\n');
}

export function report(results: RunResult[], flags: OutputFlags, engine: string, command: string, interrupted: boolean): number {
  if (results.length > 1) process.stdout.write(`${formatTable(results)}\n`);
  for (const r of results) {
    if (results.length === 1 || flags.verbose || !campaignPassed(r)) process.stdout.write(`\n${formatCampaignResult(r)}\n`);
  }
  const failed = results.filter((r) => !campaignPassed(r)).length;
  const partial = interrupted || results.some(isPartial);
  process.stdout.write(`\n${results.length - failed} passed, ${failed} failed${partial ? ' (partial: cut by the time budget or an interrupt)' : ''}\n`);
  const set: ResultSet = { schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: VERSION }, command: `rollsafe ${command}`, partial, results };
  if (flags.json) {
    writeFileAtomic(flags.json, `${JSON.stringify(set, null, 2)}\n`);
    process.stdout.write(`results written to ${flags.json}; replay a violation with: rollsafe replay ${flags.json} --violation 1\n`);
  }
  if (flags.junit) writeFileAtomic(flags.junit, toJUnit(results, { name: `rollsafe ${engine}`, resultFile: flags.json }));
  if (interrupted) return 130;
  return failed > 0 ? 1 : 0;
}
