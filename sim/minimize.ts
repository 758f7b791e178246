// Re-minimisation of a counterexample found by a random engine. Shrinking (fast-check) or a
// lucky walk (chaos) gives *a* path to a violation of some property, so a violation is known
// to exist within that many steps; a breadth-first search from the initial world, bounded by
// that length, then finds the shortest path to any world (or step) that violates the same
// property. The answer depends only on the model and the property, not on which run found
// it: that is what makes the engines' reports identical across seeds, workers and shards.
import type { Ev, Model, PropertyHit, World } from '../model/model.js';
import { concretePath } from './trace.js';
import { STUCK_DETAIL, type LivenessCost, liveness, newLivenessMemo } from './liveness.js';

export interface MinimizeOptions {
  maxStates: number; // give up (and keep the engine's own path) beyond this many states
  maxDepth: number; // a violation is known within this many steps
}

export interface Minimized {
  events: Ev[]; // concrete events from model.initial()
  hit: PropertyHit;
  states: number;
}

export function livenessHit(): PropertyHit {
  return { property: 'runbook-terminates', detail: STUCK_DETAIL, blast: { recordsAffected: 0, recordsTotal: 0, nodes: [] } };
}

export function minimize(model: Model, property: string, opts: MinimizeOptions, cost: LivenessCost = { steps: 0 }): Minimized | null {
  const def = model.checked.find((p) => p.name === property);
  if (!def) return null;
  const memo = newLivenessMemo();
  const stateHit = (w: World): PropertyHit | null => {
    if (def.state) return model.stateViolations(w).find((h) => h.property === property) ?? null;
    if (property === 'runbook-terminates') return liveness(model, w, cost, { memo }) === 'stuck' ? livenessHit() : null;
    return null;
  };

  const parent: number[] = [-1];
  const via: Ev[] = [0];
  const ids = new Set<string>();
  const pathTo = (id: number, extra?: Ev): Ev[] => {
    const evs: Ev[] = [];
    for (let i = id; parent[i] >= 0; i = parent[i]) evs.push(via[i]);
    evs.reverse();
    if (extra !== undefined) evs.push(extra);
    return evs;
  };
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
    return { events, hit: concrete ?? hit, states: parent.length };
  };

  const w0 = model.canonical(model.initial());
  ids.add(model.key(w0));
  const h0 = stateHit(w0);
  if (h0) return found([], h0);
  let frontier: World[] = [w0];
  let frontierIds: number[] = [0];
  for (let depth = 0; depth < opts.maxDepth && frontier.length > 0; depth++) {
    const next: World[] = [];
    const nextIds: number[] = [];
    for (let i = 0; i < frontier.length; i++) {
      const w = frontier[i];
      for (const e of model.events) {
        if (!model.isEnabled(w, e)) continue;
        const nw = model.next(w, e);
        if (def.edge) {
          const hit = model.edgeViolations(w, nw).find((h) => h.property === property);
          if (hit) return found(pathTo(frontierIds[i], e), hit);
        }
        const cw = model.canonical(nw);
        const key = model.key(cw);
        if (ids.has(key)) continue;
        if (parent.length >= opts.maxStates) return null;
        ids.add(key);
        const id = parent.length;
        parent.push(frontierIds[i]);
        via.push(e);
        const hit = stateHit(cw);
        if (hit) return found(pathTo(id), hit);
        next.push(cw);
        nextIds.push(id);
      }
    }
    frontier = next;
    frontierIds = nextIds;
  }
  return null;
}
