// Exhaustive breadth-first search over canonical worlds (nodes of a component are
// interchangeable, so one representative per symmetry class is kept). Finds the shortest
// counterexample for every property, checks runbook-terminates over the explored graph, and
// says which bound, if any, cut the search short.
import type { Ev, Model, PropertyHit, World } from '../model/model.js';
import { PHASE, PHASE_NAMES } from '../model/world.js';
import { concretePath } from './trace.js';
import { type Finding, type EngineOutcome, emptyCoverage } from './outcome.js';

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

class GrowInt32 {
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

export function explore(model: Model, opts: ExploreOptions): EngineOutcome {
  const now = opts.now ?? (() => 0);
  const t0 = now();
  const wantLiveness = model.checked.some((p) => p.name === 'runbook-terminates');
  const canon = (w: World) => (opts.symmetry ? model.canonical(w) : w);

  const ids = new Map<string, number>();
  const parent = new GrowInt32();
  const via = new GrowInt32();
  const depthOf = new GrowInt32();
  const edgeFrom = new GrowInt32();
  const edgeTo = new GrowInt32();
  const ended: boolean[] = [];
  const expanded: boolean[] = [];
  const coverage = emptyCoverage();
  const findings = new Map<string, { hit: PropertyHit; path: Ev[] }>();
  const statesPerDepth: number[] = [];
  const phaseCounts = new Array<number>(PHASE_NAMES.length).fill(0);
  let transitions = 0;
  const boundsHit = new Set<string>();

  const pathTo = (id: number, extra?: Ev): Ev[] => {
    const evs: Ev[] = [];
    for (let i = id; parent.a[i] >= 0; i = parent.a[i]) evs.push(via.a[i]);
    evs.reverse();
    if (extra !== undefined) evs.push(extra);
    return evs;
  };
  const addState = (w: World, from: number, e: number, depth: number): number => {
    const id = parent.n;
    ids.set(model.key(w), id);
    parent.push(from);
    via.push(e);
    depthOf.push(depth);
    ended.push(model.isEnded(w));
    expanded.push(false);
    statesPerDepth[depth] = (statesPerDepth[depth] ?? 0) + 1;
    phaseCounts[w[PHASE]]++;
    for (const hit of model.stateViolations(w)) {
      if (!findings.has(hit.property)) findings.set(hit.property, { hit, path: pathTo(id) });
    }
    return id;
  };

  const allFound = () => model.checked.every((p) => findings.has(p.name));
  let frontier: World[] = [canon(model.initial())];
  let frontierIds: number[] = [addState(frontier[0], -1, 0, 0)];
  let depth = 0;
  let stoppedEarly = false;

  outer: while (frontier.length > 0) {
    if (depth >= opts.maxDepth) {
      if (frontier.some((w) => model.enabledEvents(w).length > 0)) boundsHit.add(`max-depth ${opts.maxDepth}`);
      break;
    }
    const next: World[] = [];
    const nextIds: number[] = [];
    for (let i = 0; i < frontier.length; i++) {
      const w = frontier[i];
      const id = frontierIds[i];
      expanded[id] = true;
      for (const e of model.events) {
        if (!model.isEnabled(w, e)) continue;
        const nw = model.next(w, e);
        transitions++;
        coverage.events[model.label(e).type] = (coverage.events[model.label(e).type] ?? 0) + 1;
        const step = model.stepName(w, e);
        if (step) coverage.runbookSteps[step] = (coverage.runbookSteps[step] ?? 0) + 1;
        for (const hit of model.edgeViolations(w, nw)) {
          if (!findings.has(hit.property)) findings.set(hit.property, { hit, path: pathTo(id, e) });
        }
        const cw = canon(nw);
        const key = model.key(cw);
        let to = ids.get(key);
        if (to === undefined) {
          if (parent.n >= opts.maxStates) {
            boundsHit.add(`max-states ${opts.maxStates}`);
            break outer;
          }
          to = addState(cw, id, e, depth + 1);
          next.push(cw);
          nextIds.push(to);
        }
        if (wantLiveness) {
          edgeFrom.push(id);
          edgeTo.push(to);
        }
      }
      if (opts.stopWhenAllFound && allFound()) {
        stoppedEarly = true;
        break outer;
      }
    }
    frontier = next;
    frontierIds = nextIds;
    depth++;
    opts.onProgress?.({ states: parent.n, depth, frontier: frontier.length });
  }

  // runbook-terminates: every explored state must reach an end. States left unexpanded by a
  // bound might still reach one, so they count as "may end" and the verdict is weakened.
  let livenessUnknown = false;
  if (wantLiveness && !findings.has('runbook-terminates')) {
    const n = parent.n;
    const canEnd = new Uint8Array(n);
    const queue: number[] = [];
    for (let i = 0; i < n; i++) {
      if (ended[i] || !expanded[i]) {
        canEnd[i] = 1;
        queue.push(i);
        if (!expanded[i] && !ended[i]) livenessUnknown = true;
      }
    }
    // reverse adjacency in CSR form
    const m = edgeFrom.n;
    const start = new Int32Array(n + 1);
    for (let i = 0; i < m; i++) start[edgeTo.a[i] + 1]++;
    for (let i = 0; i < n; i++) start[i + 1] += start[i];
    const fill = start.slice();
    const preds = new Int32Array(m);
    for (let i = 0; i < m; i++) preds[fill[edgeTo.a[i]]++] = edgeFrom.a[i];
    while (queue.length) {
      const t = queue.pop()!;
      for (let j = start[t]; j < start[t + 1]; j++) {
        const s = preds[j];
        if (!canEnd[s]) {
          canEnd[s] = 1;
          queue.push(s);
        }
      }
    }
    let stuck = -1;
    for (let i = 0; i < n; i++) if (!canEnd[i] && (stuck < 0 || depthOf.a[i] < depthOf.a[stuck])) stuck = i;
    if (stuck >= 0) {
      findings.set('runbook-terminates', {
        hit: { property: 'runbook-terminates', detail: 'from this state no sequence of steps ends the runbook', blast: { recordsAffected: 0, recordsTotal: 0, nodes: [] } },
        path: pathTo(stuck),
      });
    }
  }

  PHASE_NAMES.forEach((name, i) => {
    if (phaseCounts[i]) coverage.phases[name] = phaseCounts[i];
  });

  const elapsedMs = now() - t0;
  const result: Finding[] = [];
  for (const [property, f] of findings) result.push({ property, hit: f.hit, events: opts.symmetry ? concretePath(model, f.path) : f.path });
  return {
    findings: result,
    states: parent.n,
    transitions,
    depth: statesPerDepth.length - 1,
    statesPerDepth,
    elapsedMs,
    complete: boundsHit.size === 0 && !stoppedEarly,
    boundsHit: [...boundsHit],
    stoppedEarly,
    livenessUnknown,
    coverage,
  };
}
