// The CLI edge shared by `fuzz` and `chaos`: signal handling, progress, terminal output and the
// --json / --junit files. Everything here is a side effect, kept out of the engines.
import { type CampaignOptions, campaignPassed, isPartial } from '../campaign.js';
import { toJUnit } from '../results/junit.js';
import { RESULT_SET_SCHEMA, type ResultSet, type RunResult } from '../results/result.js';
import { VERSION } from '../results/version.js';
import { type Output, checkOutput, scenarioRootFor, writeOutput } from '../results/output.js';
import { engineBudget } from './budget.js';
import { interruptOnSignals } from './signals.js';
import { type Paint, formatTable, formatViolation, summaryLine, tallyLine } from '../results/text.js';
import { paintFor } from './colour.js';
import { startProgress } from './progress.js';
import { count } from '../results/words.js';
import { writeSarif } from './sarif-output.js';

export interface OutputFlags {
  json?: string;
  junit?: string;
  sarif?: string;
  verbose?: boolean;
}

// Wires the clock, the signal flag, the memory figures and the progress display into a campaign.
export async function runCampaign<O extends CampaignOptions>(engine: string, opts: O, run: (o: O) => Promise<RunResult[]>): Promise<{ results: RunResult[]; interrupted: number | null }> {
  const sig = interruptOnSignals('finishing the walks under way, then writing what was found');
  const b = engineBudget({ maxMemory: opts.maxMemory ?? undefined }, sig);
  const progress = startProgress(engine, b.now);
  const signal = { get aborted() { return sig.interrupted(); } };
  try {
    const results = await run({ ...opts, now: b.now, signal, maxMemory: b.maxMemory, memoryUsed: b.memoryUsed, heapFull: b.heapFull, onScenarioStart: () => progress.scenarioStarted(), onProgress: (p) => progress.update(p) });
    return { results, interrupted: sig.exitCode() };
  } finally {
    progress.stop();
    sig.dispose();
  }
}

// The outputs a campaign will write, checked before it starts.
export function checkOutputs(flags: OutputFlags): { json: Output | null; junit: Output | null; sarif: Output | null } {
  return { json: checkOutput('--json', flags.json), junit: checkOutput('--junit', flags.junit), sarif: checkOutput('--sarif', flags.sarif) };
}

function formatCampaignResult(r: RunResult, paint: Paint): string {
  const ok = campaignPassed(r);
  const out = [`${ok ? paint.ok('ok  ') : paint.fail('FAIL')} ${r.scenario.file} (${r.scenario.name})`, `     ${summaryLine(r, paint).replace(/ states? ·/, (m) => (m === ' state ·' ? ' world visited ·' : ' worlds visited ·'))}`];
  if (r.expect && !r.expect.met) for (const p of r.expect.problems) out.push(`     expectation not met: ${p}`);
  if (r.violations.length === 0) out.push('     no violation found (a random campaign is not a proof of safety)');
  r.violations.forEach((v, i) => {
    out.push(formatViolation(v, i + 1));
    if (v.replay) {
      const n = v.trace.length - 1;
      const how = !v.replay.minimal ? 'not re-minimised: the shortening search hit its state bound, the time or memory budget, or an interrupt'
        : v.replay.foundLength > n ? `shortened to ${n} by breadth-first search: no shorter trace exists`
        : 'a breadth-first search confirms no shorter trace exists';
      out.push(`     found in ${count(v.replay.foundLength, 'step')}; ${how}`);
      out.push(`     replay token: ${JSON.stringify(v.replay.token)}`);
      out.push(`     re-run: ${v.replay.command}`);
    }
  });
  return out.join('\n');
}

export function report(results: RunResult[], outputs: { json: Output | null; junit: Output | null; sarif: Output | null }, flags: OutputFlags, engine: string, command: string, interrupted: number | null): number {
  const { json, junit } = outputs;
  // with the JSON on standard output, what people read goes to standard error
  const out = json?.path === null || outputs.sarif?.path === null ? process.stderr : process.stdout;
  const say = (text: string) => out.write(text);
  const paint = paintFor(out);
  if (results.length > 1) say(`${formatTable(results, paint, campaignPassed)}\n`);
  for (const r of results) {
    if (results.length === 1 || flags.verbose || !campaignPassed(r)) say(`\n${formatCampaignResult(r, paint)}\n`);
  }
  const failed = results.filter((r) => !campaignPassed(r)).length;
  const partial = interrupted !== null || results.some(isPartial);
  say(`\n${tallyLine(results, campaignPassed, paint)}${partial ? ' (partial: cut by the time or memory budget, or an interrupt)' : ''}\n`);
  const set: ResultSet = { schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: VERSION }, command: `rollsafe ${command}`, partial, scenarioRoot: scenarioRootFor(json), results };
  if (json) {
    writeOutput(json, `${JSON.stringify(set, null, 2)}\n`);
    if (json.path !== null) say(`results written to ${json.shown}; replay a violation with: rollsafe replay ${json.shown} --violation 1\n`);
  }
  if (junit) writeOutput(junit, toJUnit(results, { name: `rollsafe ${engine}`, resultFile: json?.path ?? undefined }));
  if (outputs.sarif) writeSarif(outputs.sarif, results, { category: engine });
  return interrupted ?? (failed > 0 ? 1 : 0);
}
