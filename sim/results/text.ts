// Terminal rendering of results: a one-line summary per scenario, a table for many, and each
// violation as a numbered trace. Reads only the result format.
import { harmText } from './harm.js';
import type { RunResult, Violation } from './result.js';
import { type TraceRow, traceRows } from './trace-view.js';
import { passed } from './verdict.js';
import { neverReached, vacuityProblems, vacuousProperties } from './vacuity.js';
import { count } from './words.js';
import { fingerprintCaveat, fingerprintShort, isFingerprintBound, notCheckedText, probabilityText } from './fingerprints.js';

const n = (x: number) => x.toLocaleString('en-US');

// How the words that carry a judgement are coloured; the CLI picks a Paint for its stream
// (sim/cli/colour.ts), everything else gets PLAIN. Each takes the text already padded.
export interface Paint {
  ok(s: string): string;
  fail(s: string): string;
  verdict(v: string, s: string): string;
  dim(s: string): string;
}
const same = (s: string) => s;
export const PLAIN: Paint = { ok: same, fail: same, verdict: (_v, s) => s, dim: same };

const mark = (ok: boolean, paint: Paint) => (ok ? paint.ok('ok  ') : paint.fail('FAIL'));
const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

// properties something in the scenario could make fail (the rest are not-applicable)
const applicable = (r: RunResult) => r.properties.filter((p) => p.status !== 'not-applicable').length;

export function summaryLine(r: RunResult, paint: Paint = PLAIN): string {
  const expected = r.expect ? ` (expected ${r.expect.verdict}${r.expect.fires.length ? `: ${r.expect.fires.join(', ')}` : ''})` : '';
  // a fingerprint search is said as such, not as a bound
  const bounds = r.boundsHit.filter((b) => !isFingerprintBound(b));
  const bound = bounds.length ? ` · bound hit: ${bounds.join(', ')}` : '';
  const fp = r.fingerprints ? ` · ${fingerprintShort(r.fingerprints)}` : '';
  return `${paint.verdict(r.verdict, r.verdict)}${expected} · ${count(r.figures.states, 'state')} · ${count(r.figures.transitions, 'transition')} · depth ${r.figures.depth} · ${secs(r.figures.elapsedMs)}${bound}${fp}`;
}

// The closing line: verdicts and expectations are two things, so each verdict is counted with
// what its expect block said of it ("43 unsafe (as expected), 30 safe (as expected)"), never
// "73 passed" for a corpus that is mostly unsafe on purpose.
export function tallyLine(results: RunResult[], isPassed: (r: RunResult) => boolean = passed, paint: Paint = PLAIN): string {
  const groups = new Map<string, { verdict: string; note: string; ok: boolean; n: number }>();
  for (const verdict of ['unsafe', 'inconclusive', 'safe']) {
    for (const r of results.filter((x) => x.verdict === verdict)) {
      const ok = isPassed(r);
      // without an expect block a run fails for what it found, or for what no run reached
      const never = r.engine === 'explore' && r.verdict === 'safe' && neverReached(r.properties).length > 0;
      const fp = r.fingerprints && r.verdict === 'inconclusive';
      const note = r.expect ? (ok ? 'as expected' : 'NOT as expected') : ok ? 'no expect block' : never ? 'FAIL: the runbook never got there' : fp ? 'FAIL: a fingerprint search is no proof' : 'FAIL: no expect block';
      const key = `${verdict} ${note}`;
      const g = groups.get(key) ?? { verdict, note, ok, n: 0 };
      g.n += 1;
      groups.set(key, g);
    }
  }
  if (groups.size === 0) return 'no scenario checked';
  // what failed first: it is what the reader came for
  const ordered = [...groups.values()].sort((a, b) => Number(a.ok) - Number(b.ok));
  return ordered.map((g) => `${g.n} ${paint.verdict(g.verdict, g.verdict)} (${g.ok ? g.note : paint.fail(g.note)})`).join(', ');
}

export function formatTable(results: RunResult[], paint: Paint = PLAIN, isPassed: (r: RunResult) => boolean = passed): string {
  const rows = results.map((r) => [
    isPassed(r) ? 'ok' : 'FAIL',
    r.scenario.file,
    r.verdict,
    r.expect ? r.expect.verdict : '-',
    r.violations.map((v) => v.property).join(', ') || '-',
    vacuousCount(r),
    n(r.figures.states),
    secs(r.figures.elapsedMs),
  ]);
  const head = ['', 'scenario', 'verdict', 'expected', 'properties fired', 'vacuous', 'states', 'time'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // padded first, then painted: the codes must not count towards a column's width
  const cell = (c: string, i: number) => (i >= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]));
  const line = (cells: string[]) => cells.map(cell).join('  ').trimEnd();
  const painted = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? (c === 'ok' ? paint.ok(cell(c, i)) : paint.fail(cell(c, i))) : i === 2 ? paint.verdict(c, cell(c, i)) : cell(c, i)))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...rows.map(painted)];
  // the names would not fit a row; the single-file output lists them with what never happened
  if (rows.some((r) => r[5] !== '-')) out.push('', 'vacuous: properties that held only because what they guard against never happened; check one file to list them');
  return out.join('\n');
}

function vacuousCount(r: RunResult): string {
  const v = vacuousProperties(r).length;
  return v ? `${v} of ${applicable(r)}` : '-';
}

// The properties a verdict covers only vacuously, and what never happened for each.
export function formatVacuous(r: RunResult): string[] {
  const vac = vacuousProperties(r);
  if (vac.length === 0) return [];
  const pinned = r.expect?.vacuous ? ' (expect.vacuous pins them)' : '';
  const width = Math.max(...vac.map((p) => p.name.length));
  return [
    `     vacuous: ${vac.length} of ${applicable(r)} applicable properties held without being put to the test${pinned}:`,
    ...vac.map((p) => `       ${p.name.padEnd(width)}  never reached: ${p.trigger}`),
  ];
}

// The CLI's one styling of its own: a step event says which node the operator picks.
function describeEvent(r: TraceRow): string {
  const what = r.type === 'step' ? `${r.step ?? 'step'}${r.node ? ` (picks ${r.node})` : ''}` : r.text;
  return `${r.actor.padEnd(11)} ${what}`;
}

export function formatViolation(v: Violation, index: number): string {
  const lines: string[] = [];
  lines.push(`  ${index}. ${v.property} [${v.category}]: ${v.detail}`);
  lines.push(`     ${v.explanation}`);
  lines.push(`     blast radius: ${harmText(v)}`);
  const x = v.exposure;
  if (x) {
    lines.push(`     latent from step ${x.latentStep}: a cache still hides the harm; the runbook is unsafe from there`);
    lines.push(x.manifestStep !== null ? `     manifest at step ${x.manifestStep}: ${x.manifestDetail}` : '     no restart or cache expiry within 12 steps exposes it; it stays latent in this trace');
  }
  lines.push(`     shortest trace (${count(v.trace.length - 1, 'step')}):`);
  const steps = traceRows(v).slice(1);
  const width = Math.max(...steps.map((r) => describeEvent(r).length));
  // a hidden harm marks where it was done and where it shows; otherwise the last step fails
  const mark = (r: TraceRow) => (x ? (r.manifest ? '  <- manifest' : r.latent ? '  <- latent' : '') : r.last ? '  <- violation' : '');
  for (const r of steps) {
    const changed = r.changes.length ? r.changes.join('; ') : '(no visible change)';
    lines.push(`     ${String(r.index).padStart(3)}. ${describeEvent(r).padEnd(width)}  ${changed}${mark(r)}`);
  }
  return lines.join('\n');
}

export function formatResult(r: RunResult, paint: Paint = PLAIN): string {
  const out = [`${mark(passed(r), paint)} ${r.scenario.file} (${r.scenario.name})`, `     ${summaryLine(r, paint)}`];
  if (r.expect && !r.expect.met) for (const p of r.expect.problems) out.push(`     expectation not met: ${p}`);
  if (!r.expect && r.engine === 'explore') for (const p of vacuityProblems(null, r.properties, r.verdict)) out.push(`     never reached: ${p}`);
  if (r.fingerprints) out.push(`     ${r.verdict === 'inconclusive' ? 'inconclusive: ' : ''}${fingerprintCaveat(r.fingerprints, r.violations.length)}`);
  else if (r.verdict === 'inconclusive') out.push('     inconclusive: nothing unsafe was found, but the search did not cover the whole space');
  out.push(...formatVacuous(r));
  r.violations.forEach((v, i) => out.push(formatViolation(v, i + 1)));
  return out.join('\n');
}

// The closing word of a command whose searches kept fingerprints, whatever each verdict: the
// largest collision probability among them and what none of them checked.
export function fingerprintsLine(results: RunResult[]): string | null {
  const fps = results.flatMap((r) => (r.fingerprints ? [r.fingerprints] : []));
  if (fps.length === 0) return null;
  const worst = fps.reduce((a, b) => (b.collisionProbability > a.collisionProbability ? b : a));
  const which = fps.length === results.length ? (results.length === 1 ? 'the search' : 'every search') : `${fps.length} of ${results.length} searches`;
  return `fingerprints: ${which} kept ${worst.bits}-bit fingerprints, not states: violations found are real; nothing is shown safe (collision probability ≤ ${probabilityText(worst.collisionProbability)}${fps.length > 1 ? ' at most' : ''}; not checked: ${notCheckedText(worst)})`;
}
