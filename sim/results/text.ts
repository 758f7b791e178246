// Terminal rendering of results: a one-line summary per scenario, a table for many, and each
// violation as a numbered trace. Reads only the result format.
import { harmText } from './harm.js';
import type { RunResult, Violation } from './result.js';
import { type TraceRow, traceRows } from './trace-view.js';
import { passed } from './verdict.js';
import { vacuityProblems, vacuousProperties } from './vacuity.js';
import { count } from './words.js';

const n = (x: number) => x.toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

// properties something in the scenario could make fail (the rest are not-applicable)
const applicable = (r: RunResult) => r.properties.filter((p) => p.status !== 'not-applicable').length;

export function summaryLine(r: RunResult): string {
  const expected = r.expect ? ` (expected ${r.expect.verdict}${r.expect.fires.length ? `: ${r.expect.fires.join(', ')}` : ''})` : '';
  const bound = r.boundsHit.length ? ` · bound hit: ${r.boundsHit.join(', ')}` : '';
  return `${r.verdict}${expected} · ${count(r.figures.states, 'state')} · ${count(r.figures.transitions, 'transition')} · depth ${r.figures.depth} · ${secs(r.figures.elapsedMs)}${bound}`;
}

export function formatTable(results: RunResult[]): string {
  const rows = results.map((r) => [
    passed(r) ? 'ok' : 'FAIL',
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
  const line = (cells: string[]) => cells.map((c, i) => (i >= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(head), ...rows.map(line)];
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

export function formatResult(r: RunResult): string {
  const out = [`${passed(r) ? 'ok  ' : 'FAIL'} ${r.scenario.file} (${r.scenario.name})`, `     ${summaryLine(r)}`];
  if (r.expect && !r.expect.met) for (const p of r.expect.problems) out.push(`     expectation not met: ${p}`);
  if (!r.expect && r.engine === 'explore') for (const p of vacuityProblems(null, r.properties, r.verdict)) out.push(`     never reached: ${p}`);
  if (r.verdict === 'inconclusive') out.push('     inconclusive: nothing unsafe was found, but the search did not cover the whole space');
  out.push(...formatVacuous(r));
  r.violations.forEach((v, i) => out.push(formatViolation(v, i + 1)));
  return out.join('\n');
}
