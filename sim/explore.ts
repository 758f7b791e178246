// Exhaustive breadth-first search over canonical worlds (nodes of a component are
// interchangeable, so one representative per symmetry class is kept). Finds the shortest
// counterexample for every property, checks runbook-terminates over the explored graph, works
// out the point of no return, and says which bound, if any, cut the search short.
import type { Ev, Model, PropertyHit, World } from '../model/model.js';
import { EVENT_KINDS, K, evKind } from '../model/events.js';
import { PHASE, PHASE_NAMES, Phase, REASON } from '../model/world.js';
import { concretePath } from './trace.js';
import { StateStore } from './state-store.js';
import { type EngineOutcome, type Finding, countSteps, emptyCoverage } from './outcome.js';
import { combinationCounts, combinationCoverage, combinationList, noReturnPoints } from './explore-analysis.js';

export interface ExploreOptions {
  maxDepth: number;
  maxStates: number;
  symmetry: boolean;
  // stop as soon as every checked property has a counterexample
  stopWhenAllFound: boolean;
  // injected clock (ms); engines never read the wall clock themselves
  now?: () => number;
  onProgress?: (p: { states: number; depth: number; frontier: number }) => void;
}

export class GrowInt32 {
  a = new Int32Array(1 << 16);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}

// The explored graph, kept for the analyses that run after the search.
export interface ExploredGraph {
  states: number;
  edgeFrom: GrowInt32;
  edgeTo: GrowInt32;
  rollbackFrom: GrowInt32; // decide-rollback edges
  rollbackTo: GrowInt32;
  position: GrowInt32; // model.positionCode per state
  reason: GrowInt32; // why the runbook stopped short, per state (0: it did not)
  phase: Uint8Array;
  expanded: Uint8Array;
  bad: Uint8Array; // a safety property fails here, or on a step out of here
  badWhy: Map<number, string>;
}

export function explore(model: Model, opts: ExploreOptions): EngineOutcome {
  const now = opts.now ?? (() => 0);
  const t0 = now();
  const safety = new Set(model.checked.filter((p) => p.category === 'safety').map((p) => p.name));

  const store = new StateStore(model.L.size);
  const parent = new GrowInt32();
  const via = new GrowInt32();
  const depthOf = new GrowInt32();
  const g: ExploredGraph = {
    states: 0,
    edgeFrom: new GrowInt32(),
    edgeTo: new GrowInt32(),
    rollbackFrom: new GrowInt32(),
    rollbackTo: new GrowInt32(),
    position: new GrowInt32(),
    reason: new GrowInt32(),
    phase: new Uint8Array(0),
    expanded: new Uint8Array(0),
    bad: new Uint8Array(0),
    badWhy: new Map(),
  };
  const phase = new GrowInt32();
  const expanded = new GrowInt32();
  const findings = new Map<string, { hit: PropertyHit; path: Ev[] }>();
  const statesPerDepth: number[] = [];
  const eventCounts = new Float64Array(EVENT_KINDS.length);
  const enteredCounts = new Float64Array(PHASE_NAMES.length);
  // per positionCode (phase << 16 | nodes done << 8 | pc): step events, and faults by kind
  const POSITIONS = (PHASE_NAMES.length + 1) << 16;
  const stepCounts = new Int32Array(POSITIONS);
  const faultCounts: (Int32Array | undefined)[] = EVENT_KINDS.map((_, k) => (model.isFault(k << 8) ? new Int32Array(POSITIONS) : undefined));
  const combos = combinationCounts(model);
  const badStates: number[] = [];
  let transitions = 0;
  const boundsHit = new Set<string>();

  const pathTo = (id: number, extra?: Ev): Ev[] => {
    const evs: Ev[] = [];
    for (let i = id; parent.a[i] >= 0; i = parent.a[i]) evs.push(via.a[i]);
    evs.reverse();
    if (extra !== undefined) evs.push(extra);
    return evs;
  };
  const markBad = (id: number, property: string) => {
    if (!safety.has(property)) return;
    if (!g.badWhy.has(id)) {
      g.badWhy.set(id, property);
      badStates.push(id);
    }
  };
  const addState = (w: World, from: number, e: number, depth: number): number => {
    const id = store.add(w);
    parent.push(from);
    via.push(e);
    depthOf.push(depth);
    phase.push(w[PHASE]);
    g.position.push(model.positionCode(w));
    g.reason.push(w[REASON]);
    expanded.push(0);
    statesPerDepth[depth] = (statesPerDepth[depth] ?? 0) + 1;
    combinationCoverage(model, w, combos);
    for (const hit of model.stateViolations(w)) {
      markBad(id, hit.property);
      if (!findings.has(hit.property)) findings.set(hit.property, { hit, path: pathTo(id) });
    }
    return id;
  };

  const allFound = () => model.checked.every((p) => findings.has(p.name));
  const next = new Int32Array(model.L.size);
  const sorted = new Int32Array(model.L.size);
  const canon = (w: World) => (opts.symmetry ? model.canonicalInto(w, sorted) : w);
  addState(canon(model.initial()), -1, 0, 0);
  let stoppedEarly = false;
  const alphabet = model.events;
  // ids are handed out in BFS order, so [levelStart, levelEnd) is the current frontier
  let levelStart = 0;
  let depth = 0;

  outer: while (levelStart < store.count) {
    const levelEnd = store.count;
    if (depth >= opts.maxDepth) {
      for (let id = levelStart; id < levelEnd; id++) {
        if (model.enabledEvents(store.copy(id)).length > 0) {
          boundsHit.add(`max-depth ${opts.maxDepth}`);
          break;
        }
      }
      break;
    }
    const w = new Int32Array(model.L.size);
    for (let id = levelStart; id < levelEnd; id++) {
      store.read(id, w);
      expanded.a[id] = 1;
      const pos = g.position.a[id];
      for (let j = 0; j < alphabet.length; j++) {
        const e = alphabet[j];
        if (!model.isEnabled(w, e)) continue;
        const nw = model.nextInto(w, e, next);
        transitions++;
        const kind = evKind(e);
        eventCounts[kind]++;
        if (nw[PHASE] !== w[PHASE]) enteredCounts[nw[PHASE]]++;
        if (kind === K.Step) stepCounts[pos]++;
        else {
          const fc = faultCounts[kind];
          if (fc) fc[pos]++;
        }
        for (const hit of model.edgeViolations(w, nw)) {
          markBad(id, hit.property);
          if (!findings.has(hit.property)) findings.set(hit.property, { hit, path: pathTo(id, e) });
        }
        const cw = canon(nw);
        let to = store.find(cw);
        if (to < 0) {
          if (store.count >= opts.maxStates) {
            boundsHit.add(`max-states ${opts.maxStates}`);
            // some successors of this state were never added: liveness must not call it stuck
            expanded.a[id] = 0;
            break outer;
          }
          to = addState(cw, id, e, depth + 1);
        }
        g.edgeFrom.push(id);
        g.edgeTo.push(to);
        if (kind === K.DecideRollback) {
          g.rollbackFrom.push(id);
          g.rollbackTo.push(to);
        }
      }
      if (opts.stopWhenAllFound && allFound()) {
        stoppedEarly = true;
        break outer;
      }
    }
    levelStart = levelEnd;
    depth++;
    opts.onProgress?.({ states: store.count, depth, frontier: store.count - levelStart });
  }

  g.states = store.count;
  g.phase = Uint8Array.from(phase.a.subarray(0, phase.n));
  g.expanded = Uint8Array.from(expanded.a.subarray(0, expanded.n));
  g.bad = new Uint8Array(g.states);
  for (const b of badStates) g.bad[b] = 1;

  // runbook-terminates: every explored state must reach an end. States left unexpanded by a
  // bound might still reach one: they count as "may end", and the verdict says unknown.
  let livenessUnknown = false;
  const ended = (i: number) => {
    const p = g.phase[i];
    return p === Phase.Upgraded || p === Phase.RolledBack || p === Phase.Deferred || p === Phase.Halted;
  };
  const rev = reverseAdjacency(g);
  if (model.checked.some((p) => p.name === 'runbook-terminates') && !findings.has('runbook-terminates')) {
    const seeds: number[] = [];
    for (let i = 0; i < g.states; i++) {
      if (ended(i) || !g.expanded[i]) seeds.push(i);
      if (!g.expanded[i] && !ended(i)) livenessUnknown = true;
    }
    const canEnd = backwardReach(rev, g.states, seeds);
    let stuck = -1;
    for (let i = 0; i < g.states; i++) if (!canEnd[i] && (stuck < 0 || depthOf.a[i] < depthOf.a[stuck])) stuck = i;
    if (stuck >= 0) {
      findings.set('runbook-terminates', {
        hit: { property: 'runbook-terminates', detail: 'from this state no sequence of steps ends the runbook', blast: { recordsAffected: 0, recordsTotal: 0, nodes: [] } },
        path: pathTo(stuck),
      });
    }
  }

  const coverage = emptyCoverage();
  EVENT_KINDS.forEach((name, k) => {
    if (eventCounts[k]) coverage.events[name] = eventCounts[k];
  });
  stepCounts.forEach((count, code) => {
    if (count) countSteps(model, coverage, code, count);
  });
  enteredCounts.forEach((count, phase) => {
    if (count) coverage.phasesEntered[PHASE_NAMES[phase]] = count;
  });
  faultCounts.forEach((counts, kind) => {
    counts?.forEach((count, code) => {
      if (!count) return;
      const byStep = (coverage.faultsByStep[EVENT_KINDS[kind]] ??= {});
      const where = model.positionLabel(code);
      byStep[where] = (byStep[where] ?? 0) + count;
    });
  });
  for (let i = 0; i < g.states; i++) coverage.phases[PHASE_NAMES[g.phase[i]]] = (coverage.phases[PHASE_NAMES[g.phase[i]]] ?? 0) + 1;
  coverage.combinations = combinationList(model, combos);

  const elapsedMs = now() - t0;
  const result: Finding[] = [];
  for (const [property, f] of findings) result.push({ property, hit: f.hit, events: opts.symmetry ? concretePath(model, f.path) : f.path });
  return {
    findings: result,
    states: g.states,
    transitions,
    depth: statesPerDepth.length - 1,
    statesPerDepth,
    elapsedMs,
    complete: boundsHit.size === 0 && !stoppedEarly,
    boundsHit: [...boundsHit],
    stoppedEarly,
    livenessUnknown,
    coverage,
    pointOfNoReturn: noReturnPoints(model, g, rev),
  };
}

export interface Reverse {
  start: Int32Array;
  preds: Int32Array;
}

function reverseAdjacency(g: ExploredGraph): Reverse {
  const n = g.states;
  const m = g.edgeFrom.n;
  const start = new Int32Array(n + 1);
  for (let i = 0; i < m; i++) start[g.edgeTo.a[i] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice();
  const preds = new Int32Array(m);
  for (let i = 0; i < m; i++) preds[fill[g.edgeTo.a[i]]++] = g.edgeFrom.a[i];
  return { start, preds };
}

export function backwardReach(rev: Reverse, n: number, seeds: number[]): Uint8Array {
  const mark = new Uint8Array(n);
  const stack: number[] = [];
  for (const s of seeds) {
    if (!mark[s]) {
      mark[s] = 1;
      stack.push(s);
    }
  }
  while (stack.length) {
    const t = stack.pop()!;
    for (let j = rev.start[t]; j < rev.start[t + 1]; j++) {
      const s = rev.preds[j];
      if (!mark[s]) {
        mark[s] = 1;
        stack.push(s);
      }
    }
  }
  return mark;
}
