// Turning a path of events into the trace a reader sees: concrete node names, the world after
// each step, and what changed. Shared by every engine.
import type { Ev, Model, World } from '../../model/model.js';
import type { TraceStep } from '../results/result.js';
import { changes } from '../results/changes.js';

export { changes };

// Replays `events` (given in canonical coordinates of each canonical parent) from the concrete
// initial world, mapping nodes through each canonicalization so names stay stable.
export function concretePath(model: Model, canonicalEvents: Ev[]): Ev[] {
  let w = model.initial();
  const out: Ev[] = [];
  const perm: number[] = [];
  for (const e of canonicalEvents) {
    model.canonical(w, perm);
    const ce = model.remap(e, perm);
    out.push(ce);
    w = model.next(w, ce);
  }
  return out;
}

// Steps through concrete events; returns the worlds visited (initial included).
export function runPath(model: Model, events: Ev[]): World[] {
  const worlds = [model.initial()];
  for (const e of events) worlds.push(model.next(worlds[worlds.length - 1], e));
  return worlds;
}

export function buildTrace(model: Model, events: Ev[]): TraceStep[] {
  const worlds = runPath(model, events);
  const views = worlds.map((w) => model.decode(w));
  return views.map((world, i) => {
    if (i === 0) return { index: 0, event: null, world, changes: [] };
    const e = events[i - 1];
    const step = model.stepName(worlds[i - 1], e);
    const at = model.positionOf(model.positionCode(worlds[i - 1]));
    const event = step ? { ...model.label(e), step, at } : { ...model.label(e), at };
    return { index: i, event, world, changes: changes(views[i - 1], world, event) };
  });
}
