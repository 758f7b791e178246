// Re-minimisation of a counterexample found by a random engine. Shrinking (fast-check) or a
// lucky walk (chaos) gives *a* path to a violation of some property, so a violation is known
// to exist within that many steps; a breadth-first search from the initial world, bounded by
// that length, then finds the shortest path to any world (or step) that violates the same
// property. The answer depends only on the model and the property, not on which run found
// it: that is what makes the engines' reports identical across seeds, workers and shards.
import type { Ev, Model, PropertyHit, World } from '../../model/model.js';
import { concretePath } from './trace.js';
import { type LivenessCost, liveness, newLivenessMemo } from './liveness.js';
import { NO_LIMITS, type SearchLimits, runToEnd } from './limits.js';
import { GrowInt32, StateStore, pathBack, reserveRoom } from './state-store.js';

export interface MinimizeOptions {
  maxStates: number; // give up (and keep the engine's own path) beyond this many states
  maxDepth: number; // a violation is known within this many steps
  limits?: SearchLimits; // time budget, interrupt, memory: a cut search keeps the engine's path
}

export interface Minimized {
  events: Ev[]; // concrete events from model.initial()
  hit: PropertyHit;
  states: number;
}

// Why a re-minimisation returned no shorter path: its own state bound, or a budget's bound.
export type NotMinimized = { cut: string };

export function minimize(model: Model, property: string, opts: MinimizeOptions, cost: LivenessCost = { steps: 0 }): Minimized | null {
  const m = runToEnd(minimizeSteps(model, property, opts, cost));
  return m && 'events' in m ? m : null;
}

// The search as a generator that pauses every few thousand states (see exploreSteps).
export function* minimizeSteps(model: Model, property: string, opts: MinimizeOptions, cost: LivenessCost = { steps: 0 }): Generator<void, Minimized | NotMinimized | null> {
  const def = model.checked.find((p) => p.name === property);
  if (!def) return null;
  const limits = opts.limits ?? NO_LIMITS;
  const memo = newLivenessMemo();
  const stateHit = (w: World): PropertyHit | null => {
    if (def.state) return model.stateViolations(w).find((h) => h.property === property) ?? null;
    if (def.kind === 'eventually') return liveness(model, w, cost, { memo, goal: (x) => model.reachedGoal(def, x) }) === 'stuck' ? model.stuckHit(def) : null;
    return null;
  };

  // worlds packed in a StateStore, ids in breadth-first order, as in the explorer
  const store = new StateStore(model.L.size, 1 << 12);
  const parent = new GrowInt32();
  const via = new GrowInt32();
  const pathTo = (id: number, extra?: Ev): Ev[] => pathBack(parent, via, id, extra);
  const found = (path: Ev[], hit: PropertyHit): Minimized => {
    const events = concretePath(model, path);
    // the hit is recomputed on the concrete world so node names in it match the trace
    let w = model.initial();
    let prev = w;
    for (const e of events) {
      prev = w;
      w = model.next(w, e);
    }
    const concrete = def.edge ? model.edgeViolations(prev, w).find((h) => h.property === property) : stateHit(w);
    return { events, hit: concrete ?? hit, states: store.count };
  };

  const w0 = model.canonical(model.initial());
  const h0 = stateHit(w0);
  if (h0) return found([], h0);
  store.add(w0);
  parent.push(-1);
  via.push(0);
  const w = new Int32Array(model.L.size);
  const next = new Int32Array(model.L.size);
  const sorted = new Int32Array(model.L.size);
  let levelStart = 0;
  let expandedCount = 0;
  for (let depth = 0; depth < opts.maxDepth && levelStart < store.count; depth++) {
    const levelEnd = store.count;
    for (let id = levelStart; id < levelEnd; id++) {
      if (++expandedCount % 256 === 0) {
        const cut = limits.check();
        if (cut) return { cut };
        if (expandedCount % 4096 === 0) yield;
      }
      const room = model.events.length;
      const cut = reserveRoom([store, parent, via], room, limits);
      if (cut) return { cut };
      store.read(id, w);
      for (const e of model.events) {
        if (!model.isEnabled(w, e)) continue;
        const nw = model.nextInto(w, e, next);
        if (def.edge) {
          const hit = model.edgeViolations(w, nw).find((h) => h.property === property);
          if (hit) return found(pathTo(id, e), hit);
        }
        const cw = model.canonicalInto(nw, sorted);
        if (store.find(cw) >= 0) continue;
        if (store.count >= opts.maxStates) return null;
        const nid = store.add(cw);
        parent.push(id);
        via.push(e);
        const hit = stateHit(cw);
        if (hit) return found(pathTo(nid), hit);
      }
    }
    levelStart = levelEnd;
  }
  return null;
}
