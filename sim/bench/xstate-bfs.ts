// Breadth-first search that steps the XState machine itself (XState's pure transition()): the
// baseline the explorer is measured against, and the oracle the
// differential test compares the explorer's graph with.
import { Model } from '../../model/model.js';
import { createRunbookMachine, machineStepper, stateNames, toEvent, type RunbookSnapshot } from '../../model/machine.js';
import type { CompiledScenario } from '../../model/types.js';

export interface BfsGraph {
  keys: Set<string>;
  edges: number;
  // "from-key -> to-key" for every enabled event, when asked for
  edgeList?: string[];
  // snapshots whose state value is not the world's phase, stage and step (PHASE, STAGE, PC)
  mismatchedState: number;
}

export function xstateBfs(s: CompiledScenario, opts: { symmetry: boolean; maxStates?: number; edges?: boolean }): BfsGraph {
  const model = new Model(s);
  const machine = createRunbookMachine(s);
  const stepper = machineStepper(machine);
  const events = model.events.map(toEvent);
  const canon = (snap: RunbookSnapshot) => (opts.symmetry ? model.canonical(snap.context.world) : snap.context.world);
  const init = stepper.initial();
  const keys = new Set<string>([model.key(canon(init))]);
  const edgeList: string[] | undefined = opts.edges ? [] : undefined;
  let queue: RunbookSnapshot[] = [init];
  let edges = 0;
  const names = stateNames(s);
  const misplaced = (snap: RunbookSnapshot) => JSON.stringify(snap.value) !== JSON.stringify(names.valueOf(snap.context.world));
  let mismatchedState = misplaced(init) ? 1 : 0;
  while (queue.length) {
    const nextQueue: RunbookSnapshot[] = [];
    for (const snap of queue) {
      const fromKey = opts.edges ? model.key(canon(snap)) : '';
      for (const e of events) {
        if (!stepper.can(snap, e)) continue;
        const next = stepper.step(snap, e);
        edges++;
        if (misplaced(next)) mismatchedState++;
        // continue from the canonical representative, as the explorer does
        const cw = canon(next);
        const key = model.key(cw);
        edgeList?.push(`${fromKey}->${key}`);
        if (!keys.has(key)) {
          keys.add(key);
          if (opts.maxStates && keys.size >= opts.maxStates) return { keys, edges, edgeList, mismatchedState };
          nextQueue.push(cw === next.context.world ? next : { ...next, context: { world: cw } } as RunbookSnapshot);
        }
      }
    }
    queue = nextQueue;
  }
  return { keys, edges, edgeList, mismatchedState };
}

// The same search stepping the model's fast path (no XState), for the differential test.
export function fastBfs(s: CompiledScenario, opts: { symmetry: boolean; edges?: boolean }): BfsGraph {
  const model = new Model(s);
  const canon = (w: Int32Array) => (opts.symmetry ? model.canonical(w) : w);
  const w0 = canon(model.initial());
  const keys = new Set<string>([model.key(w0)]);
  const edgeList: string[] | undefined = opts.edges ? [] : undefined;
  let queue = [w0];
  let edges = 0;
  while (queue.length) {
    const nextQueue: Int32Array[] = [];
    for (const w of queue) {
      const fromKey = opts.edges ? model.key(w) : '';
      for (const e of model.enabledEvents(w)) {
        const cw = canon(model.next(w, e));
        const key = model.key(cw);
        edges++;
        edgeList?.push(`${fromKey}->${key}`);
        if (!keys.has(key)) {
          keys.add(key);
          nextQueue.push(cw);
        }
      }
    }
    queue = nextQueue;
  }
  return { keys, edges, edgeList, mismatchedState: 0 };
}
