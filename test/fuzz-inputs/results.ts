// Generative test of everything that reads a result file: real results (explore, chaos and
// fuzz, a partial set and a bare result), damaged by fast-check plans, fed to `report`,
// `merge` and `replay` on the command line (in process) and to `serve` over HTTP. A case is
//   ok        every reader accepted it (and none put raw markup in a page or wrote a merge
//             its own loader refuses),
//   rejected  refused with exit 2 / HTTP 422 or 413, the message naming the file,
//   crash     anything else: an exception that is not a usage error, exit 3, HTTP 500,
//   hang      a reader took longer than HANG_MS (sync code cannot be interrupted in process:
//             a true infinite loop shows as the test's own timeout),
//   unnamed   exit 2 without the file's name in the message,
//   injected  raw markup in a page, or merge output that does not load.
// Used by test/fuzz-results.test.ts (a few hundred cases) and `npm run fuzz-inputs` (more).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createServeApp } from '../../report/serve.js';
import { chaos, fuzz } from '../../sim/campaign.js';
import { check } from '../../sim/check.js';
import { run } from '../../sim/cli/program.js';
import { RESULT_SET_SCHEMA, type ResultSet, type RunResult } from '../../sim/results/result.js';
import { parseResultText } from '../../report/load.js';
import { INJECTED, type Plan, applyPlan, describePlan, planArbitrary } from './result-mutations.js';

export const HANG_MS = 10_000;

const VIOLATION = 'scenarios/incidents/08a-alibaba-upgrade-from-old-image.yaml';
const LATENT = 'scenarios/keys/05-broken-min-decryption-hidden-by-dek-cache.yaml';
const SAFE = 'scenarios/incidents/02-safe-verify-rewrap-first.yaml';

const set = (results: RunResult[], partial = false): ResultSet => ({ schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: '0.1.0' }, command: 'rollsafe check', partial, results });

// Small real results, every shape a reader meets: violations, a latent violation with its
// exposure, replay tokens from the random engines, a partial set, a bare RunResult.
export async function baseResults(): Promise<unknown[]> {
  const [violation, latent, safe] = check([VIOLATION, LATENT, SAFE]);
  const [chaotic] = await chaos(VIOLATION, { seed: 3, runs: 40 });
  const [fuzzed] = await fuzz(VIOLATION, { seed: 3, runs: 40 });
  return [set([violation]), set([latent]), safe, set([chaotic, fuzzed], true)].map((x) => JSON.parse(JSON.stringify(x)));
}

interface Outcome {
  tool: string;
  cls: 'ok' | 'rejected' | 'crash' | 'hang' | 'unnamed' | 'injected';
  why?: string;
}

// run() in process with its output captured: the CLI writes straight to process.stdout/stderr.
async function cli(args: string[]): Promise<{ code: number | 'threw'; stderr: string; error?: unknown; ms: number }> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => ((stderr += String(c)), true)) as typeof process.stderr.write;
  const started = performance.now();
  try {
    const code = await run(args);
    return { code, stderr, ms: performance.now() - started };
  } catch (error) {
    return { code: 'threw', stderr, error, ms: performance.now() - started };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

function judge(tool: string, r: Awaited<ReturnType<typeof cli>>, file: string, allowed: number[]): Outcome {
  if (r.code === 'threw') return { tool, cls: 'crash', why: r.error instanceof Error ? (r.error.stack ?? r.error.message).split('\n').slice(0, 3).join(' | ') : String(r.error) };
  if (r.ms > HANG_MS) return { tool, cls: 'hang', why: `${r.ms.toFixed(0)} ms` };
  if (!allowed.includes(r.code)) return { tool, cls: 'crash', why: `exit ${r.code}: ${r.stderr.slice(0, 300)}` };
  if (r.code === 2) return r.stderr.includes(file) ? { tool, cls: 'rejected' } : { tool, cls: 'unnamed', why: r.stderr.slice(0, 300) };
  return { tool, cls: 'ok' };
}

async function runCase(text: string, dir: string, good: string, base: string): Promise<Outcome[]> {
  const file = join(dir, 'case.json');
  writeFileSync(file, text);
  const outcomes: Outcome[] = [];

  const html = join(dir, 'case.html');
  writeFileSync(html, '');
  const report = await cli(['report', file, '-o', html]);
  const r = judge('report', report, file, [0, 2]);
  if (r.cls === 'ok' && INJECTED.test(readFileSync(html, 'utf8'))) outcomes.push({ tool: 'report', cls: 'injected', why: 'raw markup in the page' });
  else outcomes.push(r);

  const merged = join(dir, 'merged.json');
  writeFileSync(merged, '');
  const m = judge('merge', await cli(['merge', file, good, '--json', merged]), file, [0, 1, 2]);
  if (m.cls === 'ok') {
    try {
      parseResultText(readFileSync(merged, 'utf8'), merged);
      outcomes.push(m);
    } catch (e) {
      outcomes.push({ tool: 'merge', cls: 'injected', why: `merge wrote a file its loader refuses: ${(e as Error).message.slice(0, 300)}` });
    }
  } else outcomes.push(m);

  outcomes.push(judge('replay', await cli(['replay', file]), file, [0, 1, 2]));

  const started = performance.now();
  const res = await fetch(`${base}/report/case.json`);
  const body = await res.text();
  const ms = performance.now() - started;
  if (ms > HANG_MS) outcomes.push({ tool: 'serve', cls: 'hang', why: `${ms.toFixed(0)} ms` });
  else if (res.status === 200) outcomes.push(INJECTED.test(body) ? { tool: 'serve', cls: 'injected', why: 'raw markup in the served page' } : { tool: 'serve', cls: 'ok' });
  else if (res.status === 422 || res.status === 413) outcomes.push(body.includes('case.json') ? { tool: 'serve', cls: 'rejected' } : { tool: 'serve', cls: 'unnamed', why: body.slice(0, 300) });
  else outcomes.push({ tool: 'serve', cls: 'crash', why: `HTTP ${res.status}` });
  return outcomes;
}

const SEVERITY: Outcome['cls'][] = ['crash', 'hang', 'injected', 'unnamed', 'rejected', 'ok'];

export async function runResultCases(opts: { cases: number; seed: number; log?: (line: string) => void }): Promise<Record<string, number>> {
  const log = opts.log ?? (() => {});
  const bases = await baseResults();
  const dir = mkdtempSync(join(tmpdir(), 'rollsafe-fuzz-results-'));
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify(bases[0]));
  const app = createServeApp(dir);
  const server = await new Promise<Server>((ok) => {
    const s = app.listen(0, '127.0.0.1', () => ok(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const counts: Record<string, number> = { ok: 0, rejected: 0, crash: 0, hang: 0, unnamed: 0, injected: 0 };
  try {
    const plans: Plan[] = fc.sample(planArbitrary(bases.length), { numRuns: opts.cases, seed: opts.seed });
    for (const [i, plan] of plans.entries()) {
      const outcomes = await runCase(applyPlan(bases[plan.base], plan), dir, good, base);
      // a case counts once, by its worst outcome; a reader that accepts what another refuses
      // (replay may refuse a scenario file report never opens) is still a rejection
      const worst = SEVERITY.find((c) => outcomes.some((o) => o.cls === c))!;
      counts[worst] += 1;
      for (const o of outcomes.filter((x) => x.cls !== 'ok' && x.cls !== 'rejected')) log(`case ${i} (seed ${opts.seed}) ${o.cls} in ${o.tool}: ${o.why ?? ''}\n  plan ${describePlan(plan).slice(0, 500)}`);
    }
  } finally {
    await new Promise((ok) => server.close(ok));
  }
  return counts;
}
