// Pure data shaping: from loaded result files to what the page shows. No HTML here, so tests
// can assert on the numbers and the rendering stays a dumb template.
import type { NoReturnPoint, Position, PropertyStatus, TraceStep, Violation } from '../sim/results/result.js';
import { traceRows } from '../sim/results/trace-view.js';
import type { LoadedResult, ResultFile } from './load.js';

export interface Report {
  files: { path: string; command: string | null; partial: boolean; results: number }[];
  totals: { scenarios: number; states: number; transitions: number; elapsedMs: number; violations: number; engines: string[] };
  runs: RunView[];
  propertyMatrix: { property: string; explanation: string; statuses: (PropertyStatus['status'] | null)[] }[];
  violationsPerProperty: { property: string; count: number }[];
  // the largest searches only: forty lines on one chart are a tangle; every run's own curve is
  // drawn small in the index
  statesPerDepth: { label: string; data: number[] }[];
  statesPerDepthOmitted: number;
  folders: string[]; // the scenario folders (systems) the runs come from, for the index's filter
}

// The verdict says what the search found; the expectation whether that is what the scenario's
// expect block said. Two things, shown apart: an unsafe scenario can be exactly as expected.
export type ExpectationState = 'met' | 'unmet' | 'none';

export interface RunView {
  id: string; // anchor, unique in the page, made from the scenario's name so links stay stable
  file: string;
  folder: string; // the scenario file's folder: its system
  result: LoadedResult;
  passed: boolean; // met its expectation, or (with none) safe
  expectation: ExpectationState;
  unit: 'state' | 'world'; // what figures.states counts: distinct states (explore) or worlds a walk visited
  violations: ViolationView[];
  coverage: CoverageView;
  noReturn: NoReturnPoint[] | null; // null: not computed by this result
}

export const DEPTH_CHART_TOP = 8;

export interface ViolationView {
  id: string;
  number: number; // 1-based position among all violations of its file: what replay --violation takes
  v: Violation;
  replay: string;
  timeline: Timeline;
  records: RecordSeries;
}

export interface Timeline {
  columns: { index: number; label: string; actor: string; step: string | null; node: string | null; changes: string[]; changesNothing: boolean; failing: boolean; latent: boolean }[];
  rows: { label: string; kind: 'runbook' | 'keyring' | 'node' | 'records'; affected: boolean; cells: { lines: string[]; changed: boolean }[] }[];
}

export interface RecordSeries {
  steps: number[];
  series: { label: string; format: string; keyVersion: number; counts: number[] }[];
}

export interface CoverageView {
  steps: { step: string; count: number }[]; // runbook order as recorded, never-reached ones last with count 0
  neverReached: string[];
  phases: { phase: string; states: number }[];
  events: { event: string; count: number }[];
  combinations: NonNullable<LoadedResult['coverage']['combinations']> | null;
  faults: { positions: string[]; rows: { fault: string; counts: number[] }[] } | null;
}

export function analyse(files: ResultFile[]): Report {
  const runs: RunView[] = [];
  const ids = new Set<string>();
  files.forEach((f) => {
    let number = 0;
    f.results.forEach((r) => {
      const id = uniqueId(`s-${slug(r.scenario.name)}${r.engine === 'explore' ? '' : `-${r.engine}`}`, ids);
      const violations = r.violations.map((v, vi) => {
        number += 1;
        return violationView(v, `${id}-v${vi + 1}`, number, f.path);
      });
      runs.push({
        id,
        file: f.path,
        folder: folderOf(r.scenario.file),
        result: r,
        passed: passed(r),
        expectation: r.expect ? (r.expect.met ? 'met' : 'unmet') : 'none',
        unit: r.engine === 'explore' ? 'state' : 'world',
        violations,
        coverage: coverageView(r),
        noReturn: r.pointOfNoReturn ?? null,
      });
    });
  });
  const all = runs.map((r) => r.result);
  const propertyNames = unique(all.flatMap((r) => r.properties.map((p) => p.name)));
  const explanations = new Map(all.flatMap((r) => r.properties.map((p) => [p.name, p.explanation] as const)));
  const propertyMatrix = propertyNames.map((property) => ({
    property,
    explanation: explanations.get(property) ?? '',
    statuses: all.map((r) => r.properties.find((p) => p.name === property)?.status ?? null),
  }));
  const violationsPerProperty = unique([...propertyNames, ...all.flatMap((r) => r.violations.map((v) => v.property))]).map((property) => ({
    property,
    count: all.reduce((n, r) => n + r.violations.filter((v) => v.property === property).length, 0),
  }));
  return {
    files: files.map((f) => ({ path: f.path, command: f.command, partial: f.partial, results: f.results.length })),
    totals: {
      scenarios: all.length,
      states: sum(all.map((r) => r.figures.states)),
      transitions: sum(all.map((r) => r.figures.transitions)),
      elapsedMs: sum(all.map((r) => r.figures.elapsedMs)),
      violations: sum(all.map((r) => r.violations.length)),
      engines: unique(all.map((r) => r.engine)),
    },
    runs,
    propertyMatrix,
    violationsPerProperty,
    ...largestSearches(runs),
    folders: unique(runs.map((r) => r.folder)).sort(),
  };
}

function largestSearches(runs: RunView[]): Pick<Report, 'statesPerDepth' | 'statesPerDepthOmitted'> {
  const withSeries = runs.filter((r) => r.result.figures.statesPerDepth?.length);
  const top = [...withSeries].sort((a, b) => b.result.figures.states - a.result.figures.states).slice(0, DEPTH_CHART_TOP);
  return {
    statesPerDepth: top.map((r) => ({ label: r.result.scenario.name, data: r.result.figures.statesPerDepth })),
    statesPerDepthOmitted: withSeries.length - top.length,
  };
}

// "scenarios/bao-kms-provider/upgrade.yaml" -> "scenarios/bao-kms-provider"
export function folderOf(file: string): string {
  const cut = file.replace(/\\/g, '/').lastIndexOf('/');
  return cut > 0 ? file.slice(0, cut) : '.';
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'scenario';
}

function uniqueId(base: string, taken: Set<string>): string {
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  taken.add(id);
  return id;
}

// Same rule as `check`: an expectation decides when there is one.
export function passed(r: LoadedResult): boolean {
  return r.expect ? r.expect.met : r.verdict === 'safe';
}

export function replayCommand(file: string, number: number): string {
  const quoted = /^[\w./@%+=:,-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
  return `rollsafe replay ${quoted} --violation ${number}`;
}

function violationView(v: Violation, id: string, number: number, file: string): ViolationView {
  return { id, number, v, replay: replayCommand(file, number), timeline: timeline(v), records: recordSeries(v.trace) };
}

// The violation is judged on the world after the trace's last event, so that column fails; a
// latent violation also marks the step where the harm was done while a cache hid it.
export function timeline(v: Violation): Timeline {
  const trace = v.trace;
  // a latent mark on the failing column would say the same thing twice
  const columns = traceRows(v).map((r) => ({
    index: r.index,
    label: r.text,
    actor: r.actor,
    step: r.step,
    node: r.node,
    changes: r.changes,
    changesNothing: r.changesNothing,
    failing: r.last,
    latent: r.latent && !r.last,
  }));
  const affected = new Set(v.blast.nodes);
  const row = (label: string, kind: Timeline['rows'][number]['kind'], cell: (t: TraceStep) => string[], isAffected = false) => {
    const cells = trace.map((t, i) => {
      const lines = cell(t);
      return { lines, changed: i > 0 && lines.join('\n') !== cell(trace[i - 1]).join('\n') };
    });
    return { label, kind, affected: isAffected, cells };
  };
  const nodeNames = trace[0].world.nodes.map((n) => n.name);
  const prefix = keyIdPrefix(trace);
  // Active/standby only means something where nodes differ (a backend with a standby).
  const showActive = trace.some((t) => new Set(t.world.nodes.map((n) => n.active)).size > 1);
  return {
    columns,
    rows: [
      row('runbook', 'runbook', (t) => runbookLines(t)),
      row('keyring', 'keyring', (t) => keyringLines(t)),
      ...nodeNames.map((name, ni) => row(name, 'node', (t) => nodeLines(t, ni, prefix, trace[0].world.nodes[ni].role, showActive), affected.has(name))),
      row('records', 'records', (t) => t.world.records.filter((r) => r.count > 0).map((r) => `v${r.keyVersion} ${r.format} ×${r.count}`)),
    ],
  };
}

function runbookLines(t: TraceStep): string[] {
  const w = t.world;
  const out: string[] = [w.phase];
  if (w.reason) out.push(w.reason);
  if (w.backend !== 'up') out.push(`backend ${w.backend}`);
  if (w.verificationFailed) out.push('verification failed');
  if (w.interrupted) out.push('step interrupted');
  if (w.faultsUsed) out.push(`faults ${w.faultsUsed}`);
  return out;
}

function keyringLines(t: TraceStep): string[] {
  const k = t.world.keyring;
  const out = [`latest v${k.latest}`];
  if (k.rotating) out.push('rotating');
  if (k.minDecryptionVersion > 1) out.push(`min decrypt v${k.minDecryptionVersion}`);
  if (k.minAvailableVersion > 1) out.push(`min available v${k.minAvailableVersion}`);
  return out;
}

// key_ids repeat the Transit key's name on every node; the grid shows what differs.
function keyIdPrefix(trace: TraceStep[]): string {
  const ids = trace.flatMap((t) => t.world.nodes.map((n) => n.keyId));
  const colon = ids[0]?.indexOf(':') ?? -1;
  if (colon < 0) return '';
  const p = ids[0].slice(0, colon + 1);
  return ids.every((id) => id.startsWith(p)) ? p : '';
}

function nodeLines(t: TraceStep, ni: number, keyIdPrefixToDrop: string, t0Role: string, showActive: boolean): string[] {
  const n = t.world.nodes[ni];
  if (!n) return ['(absent)'];
  const known = Object.entries(n.keyVersions)
    .filter(([, v]) => v > 0)
    .map(([state, v]) => `${state}=v${v}`);
  return [
    n.release,
    // The role every node starts in says nothing; only the operator's progress does.
    n.role === t0Role ? n.status : `${n.status} · ${n.role}`,
    known.length ? `keys ${known.join(' ')}` : 'no key state',
    n.activeKeyVersion > 0 ? `promoted v${n.activeKeyVersion}` : 'nothing promoted',
    `key_id ${n.keyId.slice(keyIdPrefixToDrop.length)}`,
    ...(showActive ? [n.active ? 'active' : 'standby'] : []),
    ...(n.configDrift ? ['config drifted'] : []),
    ...(n.takenByStage ? [`taken by stage ${n.takenByStage}`] : []),
  ];
}

// One series per (wire format, key version): what a reader needs to see a new format or key
// version appear in the store, whoever wrote it.
export function recordSeries(trace: TraceStep[]): RecordSeries {
  const keyOf = (format: string, keyVersion: number) => `${format} · key v${keyVersion}`;
  const series = new Map<string, RecordSeries['series'][number]>();
  for (const t of trace) {
    for (const r of t.world.records) {
      const label = keyOf(r.format, r.keyVersion);
      if (!series.has(label)) series.set(label, { label, format: r.format, keyVersion: r.keyVersion, counts: [] });
    }
  }
  for (const s of series.values()) {
    s.counts = trace.map((t) => sum(t.world.records.filter((r) => r.format === s.format && r.keyVersion === s.keyVersion).map((r) => r.count)));
  }
  const ordered = [...series.values()].sort((a, b) => a.format.localeCompare(b.format) || a.keyVersion - b.keyVersion);
  return { steps: trace.map((t) => t.index), series: ordered };
}

export function coverageView(r: LoadedResult): CoverageView {
  const c = r.coverage;
  const ran = Object.entries(c.runbookSteps).map(([step, count]) => ({ step, count }));
  const never = (c.stepsNeverReached ?? []).filter((s) => !(c.runbookSteps[s] > 0));
  let faults: CoverageView['faults'] = null;
  if (c.faultsByStep) {
    const positions = runbookOrder(unique(Object.values(c.faultsByStep).flatMap((m) => Object.keys(m))), c.positions ?? []);
    faults = {
      positions,
      rows: Object.entries(c.faultsByStep)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([fault, m]) => ({ fault, counts: positions.map((p) => m[p] ?? 0) })),
    };
  }
  return {
    steps: [...ran, ...never.map((step) => ({ step, count: 0 }))],
    neverReached: never,
    phases: Object.entries(c.phases ?? {}).map(([phase, states]) => ({ phase, states })),
    events: Object.entries(c.events ?? {})
      .map(([event, count]) => ({ event, count }))
      .sort((a, b) => b.count - a.count),
    combinations: c.combinations ?? null,
    faults,
  };
}

// The labels in runbook order, by the result's structured positions (coverage.positions). A
// label with none (a result from before positions existed) keeps the order the file lists it
// in, after those placed: the words are never parsed for an order they do not reliably give.
export function runbookOrder(labels: string[], positions: Position[]): string[] {
  const order = new Map(positions.map((p) => [p.label, p.order]));
  const rank = (label: string) => order.get(label) ?? Infinity;
  return labels
    .map((label, i) => ({ label, i }))
    .sort((a, b) => rank(a.label) - rank(b.label) || a.i - b.i)
    .map((x) => x.label);
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
