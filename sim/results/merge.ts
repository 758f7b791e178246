// Combining result files: the shards of a campaign (`--shard k/n` in parallel CI jobs), or
// campaigns run on different days. Results of the same engine on the same scenario become
// one: counts add up, and each property keeps its shortest counterexample. Pure.
import { RESULT_SET_SCHEMA, type Coverage, type PropertyStatus, type ResultSet, type RunResult, type Violation } from './result.js';
import { readResultDoc, validateResultDoc } from './result-file.js';
import { vacuityProblems } from './vacuity.js';
import { VERSION } from './version.js';

// Keys come from the file: "constructor" or "toString" must count like any other step name,
// not pick up what a plain object inherits.
function sumInto(a: Record<string, number>, b: Record<string, number>): void {
  for (const [k, v] of Object.entries(b)) a[k] = (Object.hasOwn(a, k) ? a[k] : 0) + v;
}

function own<T>(m: Record<string, T>, k: string, make: () => T): T {
  if (!Object.hasOwn(m, k)) m[k] = make();
  return m[k];
}

function mergeCoverage(a: Coverage, b: Coverage): Coverage {
  const out: Coverage = structuredClone(a);
  sumInto(out.events, b.events);
  sumInto(out.runbookSteps, b.runbookSteps);
  sumInto(out.phases, b.phases);
  // results written before these fields existed have none: they count as nothing reached
  out.phasesEntered = { ...(a.phasesEntered ?? {}) };
  sumInto(out.phasesEntered, b.phasesEntered ?? {});
  out.stepsByPhase = structuredClone(a.stepsByPhase ?? {});
  for (const [phase, steps] of Object.entries(b.stepsByPhase ?? {})) sumInto(own(out.stepsByPhase, phase, () => ({})), steps);
  out.stepsNeverReached = a.stepsNeverReached.filter((s) => b.stepsNeverReached.includes(s));
  // combinations and faultsByStep are absent from results older builds wrote: nothing recorded
  out.faultsByStep = structuredClone(a.faultsByStep ?? {});
  for (const [fault, where] of Object.entries(b.faultsByStep ?? {})) sumInto(own(out.faultsByStep, fault, () => ({})), where);
  // both sides are one scenario, so a label names one position: the union, in runbook order
  // (a side written before positions existed adds none; the report copes with labels lacking one)
  if (a.positions || b.positions) {
    const positions = new Map((a.positions ?? []).map((p) => [p.label, p]));
    for (const p of b.positions ?? []) if (!positions.has(p.label)) positions.set(p.label, p);
    out.positions = structuredClone([...positions.values()].sort((x, y) => x.order - y.order));
  }
  const key = (c: Coverage['combinations'][number]) => `${c.release}\u0000${c.format}\u0000${c.aad}\u0000${c.keyVersion}\u0000${c.readable}`;
  const combos = new Map((a.combinations ?? []).map((c) => [key(c), { ...c }]));
  for (const c of b.combinations ?? []) {
    const have = combos.get(key(c));
    if (have) have.states += c.states;
    else combos.set(key(c), { ...c });
  }
  out.combinations = [...combos.values()].sort(
    (x, y) => y.states - x.states || x.release.localeCompare(y.release) || x.format.localeCompare(y.format) || x.aad.localeCompare(y.aad) || x.keyVersion - y.keyVersion || Number(x.readable) - Number(y.readable),
  );
  return out;
}

// The rule a single campaign uses to pick a property's counterexample among its runs (the
// shortest path as found, then the earliest run: walk-stats.ts), so that merging shards picks
// the finding, and so the replay token, the unsharded run picks. Without a replay record (an
// explore result), the shorter trace wins; on a tie, the first file.
function betterViolation(a: Violation, b: Violation): boolean {
  const fa = a.replay?.foundLength ?? a.trace.length - 1;
  const fb = b.replay?.foundLength ?? b.trace.length - 1;
  if (fa !== fb) return fa < fb;
  const ra = Number(a.replay?.token.run ?? Infinity);
  const rb = Number(b.replay?.token.run ?? Infinity);
  if (ra !== rb) return ra < rb;
  return a.trace.length < b.trace.length;
}

function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function mergeTwo(a: RunResult, b: RunResult): RunResult {
  const out: RunResult = structuredClone(a);
  out.figures.states += b.figures.states;
  out.figures.transitions += b.figures.transitions;
  out.figures.depth = Math.max(a.figures.depth, b.figures.depth);
  out.figures.elapsedMs += b.figures.elapsedMs;
  out.figures.statesPerSecond = out.figures.elapsedMs > 0 ? Math.round((out.figures.states / out.figures.elapsedMs) * 1000) : 0;
  b.figures.statesPerDepth.forEach((n, i) => (out.figures.statesPerDepth[i] = (out.figures.statesPerDepth[i] ?? 0) + n));
  if (a.figures.runs !== undefined || b.figures.runs !== undefined) out.figures.runs = (a.figures.runs ?? 0) + (b.figures.runs ?? 0);
  out.coverage = mergeCoverage(a.coverage, b.coverage);
  // one scenario, one runbook: a shard written before results carried it takes the other's
  if (!out.runbook && b.runbook) out.runbook = structuredClone(b.runbook);
  out.complete = a.complete && b.complete;
  // a fingerprint search on either side: the merged result carries the larger caveat
  const fp = [a.fingerprints, b.fingerprints].filter((x) => x !== undefined).sort((x, y) => y.collisionProbability - x.collisionProbability)[0];
  if (fp) out.fingerprints = structuredClone(fp);
  out.boundsHit = [...new Set([...a.boundsHit, ...b.boundsHit])].sort();
  if (a.seed !== b.seed) out.seed = null;
  if (!sameJSON(a.options, b.options)) {
    const { shard: sa, ...ra } = a.options;
    const { shard: sb, ...rb } = b.options;
    const shards = [...((a.options.shards as string[] | undefined) ?? (sa ? [String(sa)] : [])), ...((b.options.shards as string[] | undefined) ?? (sb ? [String(sb)] : []))];
    out.options = sameJSON(ra, rb) || sameJSON({ ...ra, shards: undefined }, { ...rb, shards: undefined }) ? { ...ra, shards: [...new Set(shards)].sort() } : { ...ra, mergedWith: rb };
  }
  const byProp = new Map(out.violations.map((v) => [v.property, v]));
  for (const v of b.violations) {
    const have = byProp.get(v.property);
    if (!have || betterViolation(v, have)) byProp.set(v.property, structuredClone(v));
  }
  const order = a.properties.map((p) => p.name);
  out.violations = [...byProp.values()].sort((x, y) => order.indexOf(x.property) - order.indexOf(y.property));
  const fired = new Set(out.violations.map((v) => v.property));
  // proven on both sides; put to the test (holds) when either side reached its trigger
  const proven = (s?: PropertyStatus['status']) => s === 'holds' || s === 'vacuous' || s === 'not-applicable';
  out.properties = a.properties.map((p) => {
    const q = b.properties.find((x) => x.name === p.name);
    // one example on either side proves a sometimes property
    const example = p.kind === 'sometimes' && (p.status === 'holds' || q?.status === 'holds');
    const status = fired.has(p.name) ? 'violated' : example ? 'holds' : !proven(p.status) || !proven(q?.status) ? 'unknown' : p.status === 'not-applicable' ? 'not-applicable' : p.status === 'holds' || q?.status === 'holds' ? 'holds' : 'vacuous';
    return { ...p, status };
  });
  out.verdict = out.violations.length > 0 ? 'unsafe' : a.verdict === 'safe' && b.verdict === 'safe' ? 'safe' : 'inconclusive';
  if (!out.pointOfNoReturn?.length && b.pointOfNoReturn?.length) out.pointOfNoReturn = structuredClone(b.pointOfNoReturn);
  if (out.expect) {
    const problems: string[] = [];
    if (out.figures.transitions === 0) problems.push('nothing was explored');
    for (const f of out.expect.fires) if (!fired.has(f)) problems.push(`expected ${f} to fire; it did not`);
    for (const f of fired) if (!out.expect.fires.includes(f)) problems.push(out.expect.verdict === 'safe' ? `expected safe, but ${f} fired` : `${f} fired but expect.fires does not name it`);
    if (out.engine === 'explore' && out.expect.verdict === 'safe' && out.verdict !== 'safe') problems.push('the search was cut by a bound before it could show the scenario safe');
    const vacuous = out.expect.vacuous ?? null; // absent from results written before it existed
    if (out.engine === 'explore') problems.push(...vacuityProblems(vacuous, out.properties, out.verdict));
    out.expect = { ...out.expect, vacuous, met: problems.length === 0, problems };
  }
  return out;
}

// Checked against docs/result.schema.json (sim/results/result-file.ts): a damaged file throws a
// ResultFileError naming the file and the JSON path, before any count is added up.
export function validateResultSet(data: unknown, file: string): ResultSet {
  const f = validateResultDoc(data, file);
  const d = data as Partial<ResultSet>;
  return {
    schema: RESULT_SET_SCHEMA,
    tool: d.schema === RESULT_SET_SCHEMA && d.tool ? d.tool : { name: 'rollsafe', version: VERSION },
    command: f.command ?? '',
    partial: f.partial,
    ...(f.scenarioRoot !== undefined ? { scenarioRoot: f.scenarioRoot } : {}),
    results: f.results as RunResult[],
  };
}

// A result file read and checked (a damaged one throws ResultFileError, naming the file).
export function readResultSet(file: string): ResultSet {
  return validateResultSet(readResultDoc(file), file);
}

export function mergeResultSets(sets: ResultSet[], command: string): ResultSet {
  const groups = new Map<string, RunResult>();
  for (const set of sets) {
    for (const r of set.results) {
      const key = `${r.engine}\u0000${r.scenario.file}\u0000${r.scenario.name}`;
      const have = groups.get(key);
      groups.set(key, have ? mergeTwo(have, r) : structuredClone(r));
    }
  }
  return {
    schema: RESULT_SET_SCHEMA,
    tool: { name: 'rollsafe', version: VERSION },
    command,
    partial: sets.some((s) => s.partial),
    results: [...groups.values()],
  };
}
