// Small pure questions about a world: who can read what, what key_id a node reports, where the
// operator is in the runbook. Events (events.ts) and properties (properties.ts) are built on
// these, so the XState machine and the explorer's fast path share one definition.
import type { CompiledScenario, Procedure, Release, StepName } from './types.js';
import {
  type Layout,
  type World,
  BACKEND_DOWN,
  LATEST,
  MIN_AVAILABLE,
  MIN_DECRYPT,
  N_KNOWN,
  N_RELEASE,
  N_ROLE,
  N_STATUS,
  N_DRIFT,
  PC,
  PHASE,
  Phase,
  Role,
  Status,
  kindOf,
  nodeAt,
} from './world.js';

export interface Ctx {
  s: CompiledScenario;
  L: Layout;
  // precomputed per kind: key version, format, aad, writer
  kindVersion: Int32Array;
  kindFormat: Int32Array;
  kindAad: Int32Array;
  rbNodes: number[]; // the runbook component's nodes
  // one-entry cache: enabled() asks for the position of the same (never mutated) world many times
  posWorld: World | null;
  posSlots: Int32Array; // the slots position() depends on, as they were when cached
  pos: Position | null;
}

export function makeCtx(s: CompiledScenario, L: Layout): Ctx {
  const kindVersion = new Int32Array(L.kinds);
  const kindFormat = new Int32Array(L.kinds);
  const kindAad = new Int32Array(L.kinds);
  for (let k = 0; k < L.kinds; k++) {
    const kd = kindOf(L, k);
    kindVersion[k] = kd.keyVersion;
    kindFormat[k] = kd.format;
    kindAad[k] = kd.aad;
  }
  const comp = s.components[s.runbook.component];
  const rbNodes: number[] = [];
  for (let i = 0; i < comp.nodes; i++) rbNodes.push(comp.firstNode + i);
  return { s, L, kindVersion, kindFormat, kindAad, rbNodes, posWorld: null, posSlots: new Int32Array(rbNodes.length + 2), pos: null };
}

export function releaseOf(c: Ctx, w: World, n: number): Release {
  return c.s.releases[w[nodeAt(c.L, n) + N_RELEASE]];
}

export function isRunning(c: Ctx, w: World, n: number): boolean {
  return w[nodeAt(c.L, n) + N_STATUS] === Status.Running;
}

// Newest key version the node's current release has promoted.
export function knownVersion(c: Ctx, w: World, n: number): number {
  return w[nodeAt(c.L, n) + N_KNOWN + releaseOf(c, w, n).keyState];
}

// What the node would know after starting `rel`: its own key state plus what it migrates in.
export function knownAfterStart(c: Ctx, w: World, n: number, rel: Release): number {
  const b = nodeAt(c.L, n) + N_KNOWN;
  let v = w[b + rel.keyState];
  for (let ks = 0; ks < c.s.keyStates.length; ks++) {
    if ((rel.importsKeyState >> ks) & 1 && w[b + ks] > v) v = w[b + ks];
  }
  return v;
}

export function keyAvailable(c: Ctx, w: World, version: number): boolean {
  return version >= w[MIN_DECRYPT] && version >= w[MIN_AVAILABLE] && version <= w[LATEST];
}

export function releaseReadsKind(c: Ctx, rel: Release, k: number, known: number): boolean {
  return (
    ((rel.readsFormats >> c.kindFormat[k]) & 1) === 1 &&
    ((rel.readsAad >> c.kindAad[k]) & 1) === 1 &&
    c.kindVersion[k] <= known
  );
}

export function nodeReads(c: Ctx, w: World, n: number, k: number): boolean {
  return releaseReadsKind(c, releaseOf(c, w, n), k, knownVersion(c, w, n)) && keyAvailable(c, w, c.kindVersion[k]);
}

export function liveCount(c: Ctx, w: World, k: number): number {
  return w[c.L.recordBase + k];
}

export function totalRecords(c: Ctx, w: World): number {
  let t = 0;
  for (let k = 0; k < c.L.kinds; k++) t += w[c.L.recordBase + k];
  return t;
}

// key_id hash as a comparable number: scheme, config drift and promoted version all change it.
export function keyIdOf(c: Ctx, w: World, n: number): number {
  const rel = releaseOf(c, w, n);
  return rel.keyIdScheme * 1_000_000 + w[nodeAt(c.L, n) + N_DRIFT] * 100_000 + knownVersion(c, w, n);
}

export function keyIdLabel(c: Ctx, w: World, n: number): string {
  const rel = releaseOf(c, w, n);
  const drift = w[nodeAt(c.L, n) + N_DRIFT] ? '/drifted-config' : '';
  const v = knownVersion(c, w, n);
  return `${c.s.keyring.name}:${v > 0 ? `v${v}` : 'no-key-state'}@${c.s.keyIdSchemes[rel.keyIdScheme]}${drift}`;
}

export function runbookNodes(c: Ctx): number[] {
  return c.rbNodes;
}

export function runningAgreeOnKeyId(c: Ctx, w: World): boolean {
  let id = -1;
  for (const n of runbookNodes(c)) {
    if (!isRunning(c, w, n)) continue;
    const k = keyIdOf(c, w, n);
    if (id === -1) id = k;
    else if (k !== id) return false;
  }
  return true;
}

export function fleetMixed(c: Ctx, w: World, component: number): boolean {
  const comp = c.s.components[component];
  const r0 = w[nodeAt(c.L, comp.firstNode) + N_RELEASE];
  for (let i = 1; i < comp.nodes; i++) if (w[nodeAt(c.L, comp.firstNode + i) + N_RELEASE] !== r0) return true;
  return false;
}

export function inMaintenance(w: World): boolean {
  return w[PHASE] === Phase.Upgrading || w[PHASE] === Phase.RollingBack;
}

export function backendUp(w: World): boolean {
  return w[BACKEND_DOWN] === 0;
}

// ---- where the operator is ----

export function procedureFor(c: Ctx, w: World): Procedure | null {
  if (w[PHASE] === Phase.Upgrading) return c.s.runbook.upgrade;
  if (w[PHASE] === Phase.RollingBack) return c.s.runbook.rollback?.procedure ?? null;
  return null;
}

export function activeRole(w: World): Role {
  return w[PHASE] === Phase.RollingBack ? Role.RollingBack : Role.Upgrading;
}

export function doneRole(w: World): Role {
  return w[PHASE] === Phase.RollingBack ? Role.RolledBack : Role.Upgraded;
}

export function needsWork(w: World, role: number): boolean {
  return w[PHASE] === Phase.RollingBack ? role === Role.Upgrading || role === Role.Upgraded : role === Role.Untouched;
}

export function nodesWithRole(c: Ctx, w: World, role: Role): number[] {
  return runbookNodes(c).filter((n) => w[nodeAt(c.L, n) + N_ROLE] === role);
}

export function candidates(c: Ctx, w: World): number[] {
  return runbookNodes(c).filter((n) => needsWork(w, w[nodeAt(c.L, n) + N_ROLE]));
}

export interface Position {
  step: StepName;
  // nodes the step acts on; 'choose' when the operator must first pick the next node
  targets: number[] | 'choose';
  perNode: boolean;
}

// position() with a one-entry cache: guards ask for the position of the same world many times
// in a row. The cache is checked against every slot position() reads, so a reused buffer
// cannot return a stale answer.
export function positionOf(c: Ctx, w: World): Position | null {
  const slots = c.posSlots;
  let same = c.posWorld === w && slots[0] === w[PHASE] && slots[1] === w[PC];
  for (let i = 0; same && i < c.rbNodes.length; i++) same = slots[i + 2] === w[nodeAt(c.L, c.rbNodes[i]) + N_ROLE];
  if (!same) {
    c.pos = position(c, w);
    c.posWorld = w;
    slots[0] = w[PHASE];
    slots[1] = w[PC];
    for (let i = 0; i < c.rbNodes.length; i++) slots[i + 2] = w[nodeAt(c.L, c.rbNodes[i]) + N_ROLE];
  }
  return c.pos;
}

// The step the operator runs next, or null when the phase has no next step.
export function position(c: Ctx, w: World): Position | null {
  const proc = procedureFor(c, w);
  if (!proc) return null;
  const E = proc.eachNode.length;
  const pc = w[PC];
  if (pc < E) {
    const inProgress = nodesWithRole(c, w, activeRole(w));
    if (inProgress.length > 0) return { step: proc.eachNode[pc], targets: inProgress, perNode: true };
    if (proc.strategy === 'all-at-once') return { step: proc.eachNode[pc], targets: candidates(c, w), perNode: true };
    return { step: proc.eachNode[pc], targets: 'choose', perNode: true };
  }
  const a = pc - E;
  if (a < proc.afterAll.length) return { step: proc.afterAll[a], targets: runbookNodes(c), perNode: false };
  return null;
}

export function destinationRelease(c: Ctx, w: World, n: number): number {
  if (w[PHASE] === Phase.RollingBack) return c.s.components[c.s.nodeComponent[n]].initialRelease;
  return c.s.runbook.target;
}
