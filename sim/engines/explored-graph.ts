// The graph an exhaustive search explored, kept for the analyses that run after it
// (liveness, the point of no return), and the two walks over it they share.
import type { GrowInt32 } from './state-store.js';

// The explored graph, kept for the analyses that run after the search.
export interface ExploredGraph {
  states: number;
  // the edges out of state i are edgeTo[edgeStart[i] .. edgeStart[i + 1]): ids are handed out,
  // and states expanded, in breadth-first order, so the edges come grouped by their source
  edgeStart: Int32Array;
  edgeTo: GrowInt32;
  rollbackFrom: GrowInt32; // decide-rollback edges
  rollbackTo: GrowInt32;
  position: GrowInt32; // model.positionCode per state
  reason: GrowInt32; // why the runbook stopped short, per state (0: it did not)
  phase: Uint8Array;
  expanded: Uint8Array;
  bad: Uint8Array; // a safety property fails here, or on a step out of here
  // the bad states in the order found, with the first safety property each breaks
  badIds: GrowInt32;
  badProperty: GrowInt32; // index into badProperties
  badProperties: string[];
}

export interface Reverse {
  start: Int32Array;
  preds: Int32Array;
}

export function reverseAdjacency(g: ExploredGraph): Reverse {
  const n = g.states;
  const m = g.edgeTo.n;
  const start = new Int32Array(n + 1);
  for (let i = 0; i < m; i++) start[g.edgeTo.a[i] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice();
  const preds = new Int32Array(m);
  for (let from = 0; from < n; from++) for (let j = g.edgeStart[from]; j < g.edgeStart[from + 1]; j++) preds[fill[g.edgeTo.a[j]]++] = from;
  return { start, preds };
}

// The states from which a seed (seed[i] === 1) is reachable, the seeds included.
export function backwardReach(rev: Reverse, n: number, seed: Uint8Array): Uint8Array {
  const mark = new Uint8Array(n);
  // each state is pushed at most once
  const stack = new Int32Array(n);
  let top = 0;
  for (let s = 0; s < n; s++) {
    if (seed[s]) {
      mark[s] = 1;
      stack[top++] = s;
    }
  }
  while (top > 0) {
    const t = stack[--top];
    for (let j = rev.start[t]; j < rev.start[t + 1]; j++) {
      const s = rev.preds[j];
      if (!mark[s]) {
        mark[s] = 1;
        stack[top++] = s;
      }
    }
  }
  return mark;
}
