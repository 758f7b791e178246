// Counted stages: `nodes: N` (a canary the operator picks one node at a time) and `nodes: rest`
// (what the counted stages before it did not take). Which stage took a node is kept in the
// node's own block, so permuting the nodes of a component (symmetry reduction) keeps it right.
import type { Stage } from './types.js';
import type { Ctx } from './context.js';
import { type World, STAGE, nodeAt } from './world.js';

// The counted stage (index + 1) that took node n; 0 when none has.
export function takenBy(c: Ctx, w: World, n: number): number {
  return c.L.taken < 0 ? 0 : w[nodeAt(c.L, n) + c.L.taken];
}

// Whether the stage leaves node n out: a counted stage or a rest stage skips nodes an earlier
// counted stage of its round took (a round ends with its rest stage). A stage that does not
// count nodes acts on all of them.
export function skipsNode(c: Ctx, w: World, stage: Stage, n: number): boolean {
  return stage.nodes !== 0 && takenBy(c, w, n) - 1 >= stage.round;
}

// Nodes of n's component this counted stage has taken so far.
function takenHere(c: Ctx, w: World, n: number): number {
  const comp = c.s.components[c.s.nodeComponent[n]];
  const mark = w[STAGE] + 1;
  let count = 0;
  for (let i = 0; i < comp.nodes; i++) if (takenBy(c, w, comp.firstNode + i) === mark) count++;
  return count;
}

// May the operator still pick node n in this stage? Only while its component's count is open.
export function countOpen(c: Ctx, w: World, stage: Stage, n: number): boolean {
  return stage.nodes <= 0 || takenHere(c, w, n) < stage.nodes;
}

// Every component of a counted stage has given it its N nodes.
export function countReached(c: Ctx, w: World, stage: Stage): boolean {
  if (stage.nodes <= 0) return false;
  return stage.components.every((ci) => takenHere(c, w, c.s.components[ci].firstNode) >= stage.nodes);
}

export function take(c: Ctx, w: World, stage: Stage, n: number): void {
  if (stage.nodes > 0) w[nodeAt(c.L, n) + c.L.taken] = w[STAGE] + 1;
}

// A procedure that counts nodes starts with none taken. Marks are otherwise kept (a later
// round takes a node again by overwriting its mark), so a trace does not show them vanish.
export function startCounting(c: Ctx, w: World, stages: Stage[]): void {
  if (c.L.taken < 0 || !stages.some((st) => st.nodes !== 0)) return;
  for (const n of c.rbNodes) w[nodeAt(c.L, n) + c.L.taken] = 0;
}
