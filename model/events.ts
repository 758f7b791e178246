// Every event the world can take: the operator's runbook steps, faults and workload. Each kind
// is a guard (`enabled`) and an update (`apply`), both pure. The XState machine (machine.ts)
// and the explorer's fast path (model.ts) call exactly these functions.
import type { FaultName } from './types.js';
import type { Ctx } from './semantics.js';
import {
  backendUp,
  candidates,
  destinationRelease,
  doneRole,
  activeRole,
  fleetMixed,
  inMaintenance,
  isRunning,
  knownAfterStart,
  knownVersion,
  liveCount,
  position,
  positionOf,
  procedureFor,
  releaseOf,
  runbookNodes,
  runningAgreeOnKeyId,
} from './semantics.js';
import { guardHolds, preconditionHolds } from './checks.js';
import {
  type World,
  BACKEND_DOWN,
  FAULTS,
  LATEST,
  MIN_AVAILABLE,
  MIN_DECRYPT,
  N_DRIFT,
  N_KNOWN,
  N_RELEASE,
  N_ROLE,
  N_STATUS,
  PC,
  PHASE,
  Phase,
  REASON,
  ROTATING,
  Role,
  Status,
  VERIFY_FAILED,
  clearCache,
  kindIndex,
  nodeAt,
} from './world.js';

export type Ev = number; // (kind << 8) | (node + 1); node 0 means "no node"

export const EVENT_KINDS = [
  'step',
  'remediate',
  'decide-rollback',
  'plugin-crash',
  'api-server-restart',
  'image-replace-fails',
  'config-drift',
  'backend-outage',
  'rotation-starts',
  'rotation-completes',
  'backend-recovers',
  'write',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const enum K {
  Step = 0,
  Remediate,
  DecideRollback,
  PluginCrash,
  ApiServerRestart,
  ImageReplaceFails,
  ConfigDrift,
  BackendOutage,
  RotationStarts,
  RotationCompletes,
  BackendRecovers,
  Write,
}
export const NODE_EVENTS: ReadonlySet<EventKind> = new Set(['step', 'plugin-crash', 'api-server-restart', 'write']);
export const FAULT_KINDS: ReadonlySet<EventKind> = new Set([
  'plugin-crash',
  'api-server-restart',
  'image-replace-fails',
  'config-drift',
  'backend-outage',
  'rotation-starts',
]);
export const OPERATOR_KINDS: ReadonlySet<EventKind> = new Set(['step', 'remediate', 'decide-rollback']);

export function ev(kind: number, node = -1): Ev {
  return (kind << 8) | (node + 1);
}
export function evKind(e: Ev): number {
  return e >> 8;
}
export function evNode(e: Ev): number {
  return (e & 255) - 1;
}

// Why the runbook stopped short, as a code that depends only on the scenario: 100+i for
// precondition i, 200+i for a rollback refused by guard i, 300+i for one halted by guard i.
export function reasonText(c: Ctx, code: number): string | null {
  if (code === 0) return null;
  const i = code % 100;
  if (code < 200) return `deferred before starting: precondition ${c.s.runbook.preconditions[i]} does not hold`;
  const g = c.s.runbook.rollback?.guards[i];
  if (code < 300) return `rollback refused by guard ${g}: patch forward instead`;
  return `rollback halted before reinstalling the previous release: guard ${g} no longer holds`;
}

function faultAllowed(c: Ctx, w: World, f: FaultName): boolean {
  return w[FAULTS] < c.s.faultBudget && c.s.faults.some((x) => x.name === f);
}

// ---------------- operator steps ----------------

function stepEnabled(c: Ctx, w: World, node: number): boolean {
  const phase = w[PHASE];
  if (phase === Phase.Before) return node < 0;
  if (w[VERIFY_FAILED]) return false;
  const pos = positionOf(c, w);
  if (!pos) return false;
  if (pos.targets === 'choose') {
    if (node < 0 || !candidates(c, w).includes(node)) return false;
  } else if (node >= 0) return false;
  if (pos.step === 'doctor') return backendUp(w);
  return true;
}

function begin(c: Ctx, w: World): void {
  const pre = c.s.runbook.preconditions;
  for (let i = 0; i < pre.length; i++) {
    if (!preconditionHolds(c, w, pre[i])) {
      w[PHASE] = Phase.Deferred;
      w[REASON] = 100 + i;
      return;
    }
  }
  w[PHASE] = Phase.Upgrading;
  w[PC] = 0;
  settle(c, w);
}

function setRole(c: Ctx, w: World, nodes: number[], role: Role): void {
  for (const n of nodes) w[nodeAt(c.L, n) + N_ROLE] = role;
}

function startNode(c: Ctx, w: World, n: number, drift: number): void {
  const b = nodeAt(c.L, n);
  const rel = releaseOf(c, w, n);
  w[b + N_STATUS] = Status.Running;
  w[b + N_DRIFT] = drift;
  w[b + N_KNOWN + rel.keyState] = knownAfterStart(c, w, n, rel);
}

// Moves the program counter over finished nodes and ends the phase when nothing is left.
function settle(c: Ctx, w: World): void {
  for (;;) {
    const proc = procedureFor(c, w);
    if (!proc) return;
    const E = proc.eachNode.length;
    if (w[PC] < E) {
      if (w[PC] === 0 && candidates(c, w).length === 0 && nodesInRole(c, w, activeRole(w)) === 0) {
        w[PC] = E;
        continue;
      }
      return;
    }
    if (w[PC] - E >= proc.afterAll.length) {
      w[PHASE] = w[PHASE] === Phase.RollingBack ? Phase.RolledBack : Phase.Upgraded;
      w[PC] = 0;
    }
    return;
  }
}

function nodesInRole(c: Ctx, w: World, role: Role): number {
  let k = 0;
  for (const n of runbookNodes(c)) if (w[nodeAt(c.L, n) + N_ROLE] === role) k++;
  return k;
}

function finishStep(c: Ctx, w: World, targets: number[]): void {
  const proc = procedureFor(c, w)!;
  w[PC] += 1;
  if (w[PC] === proc.eachNode.length && targets.length > 0 && w[nodeAt(c.L, targets[0]) + N_ROLE] === activeRole(w)) {
    setRole(c, w, targets, doneRole(w));
    if (proc.strategy === 'one-node-at-a-time') w[PC] = 0;
  }
  settle(c, w);
}

function resolveTargets(c: Ctx, w: World, node: number): number[] {
  const pos = position(c, w)!;
  let targets: number[];
  if (pos.targets === 'choose') targets = [node];
  else targets = pos.targets;
  if (pos.perNode) setRole(c, w, targets, activeRole(w));
  return targets;
}

function applyStep(c: Ctx, w: World, node: number): void {
  if (w[PHASE] === Phase.Before) return begin(c, w);
  const step = position(c, w)!.step;
  const targets = resolveTargets(c, w, node);
  switch (step) {
    case 'doctor':
      break;
    case 'stop':
      for (const n of targets) w[nodeAt(c.L, n) + N_STATUS] = Status.Stopped;
      break;
    case 'replace-image': {
      if (w[PHASE] === Phase.RollingBack) {
        const failing = c.s.runbook.rollback!.guards.findIndex((g) => !guardHolds(c, w, g));
        if (failing >= 0) {
          w[PHASE] = Phase.Halted;
          w[REASON] = 300 + failing;
          return;
        }
      }
      for (const n of targets) w[nodeAt(c.L, n) + N_RELEASE] = destinationRelease(c, w, n);
      break;
    }
    case 'start':
      for (const n of targets) startNode(c, w, n, 0);
      break;
    case 'verify-ready':
      if (!targets.every((n) => isRunning(c, w, n))) {
        w[VERIFY_FAILED] = 1;
        return;
      }
      break;
    case 'verify-key-id':
      if (!targets.every((n) => isRunning(c, w, n)) || !runningAgreeOnKeyId(c, w)) {
        w[VERIFY_FAILED] = 1;
        return;
      }
      break;
    case 'restart-api-server':
      for (const n of targets) clearCache(w, c.L, n);
      break;
  }
  finishStep(c, w, targets);
}

// The operator's answer to a failed verification: re-apply the intended config to every node
// that drifted and restart the plugins the step was about.
function applyRemediate(c: Ctx, w: World): void {
  const pos = position(c, w);
  const targets = pos && pos.targets !== 'choose' ? pos.targets : [];
  for (const n of runbookNodes(c)) {
    const b = nodeAt(c.L, n);
    if (targets.includes(n) || (w[b + N_DRIFT] === 1 && isRunning(c, w, n))) startNode(c, w, n, 0);
    else w[b + N_DRIFT] = 0;
  }
  w[VERIFY_FAILED] = 0;
}

function decideRollbackEnabled(c: Ctx, w: World): boolean {
  const rb = c.s.runbook.rollback;
  if (!rb) return false;
  if (w[PHASE] !== Phase.Upgrading && w[PHASE] !== Phase.Upgraded) return false;
  if (nodesInRole(c, w, Role.Upgrading) + nodesInRole(c, w, Role.Upgraded) === 0) return false;
  if (rb.triggers.includes('operator-decides')) return true;
  return rb.triggers.includes('verification-fails') && w[VERIFY_FAILED] === 1;
}

function applyDecideRollback(c: Ctx, w: World): void {
  const rb = c.s.runbook.rollback!;
  w[VERIFY_FAILED] = 0;
  const failing = rb.guards.findIndex((g) => !guardHolds(c, w, g));
  if (failing >= 0) {
    w[PHASE] = Phase.Halted;
    w[REASON] = 200 + failing;
    return;
  }
  w[PHASE] = Phase.RollingBack;
  w[PC] = 0;
  settle(c, w);
}

// ---------------- the table ----------------

export function enabled(c: Ctx, w: World, e: Ev): boolean {
  const node = evNode(e);
  switch (evKind(e)) {
    case K.Step:
      return stepEnabled(c, w, node);
    case K.Remediate:
      return w[VERIFY_FAILED] === 1 && inMaintenance(w);
    case K.DecideRollback:
      return decideRollbackEnabled(c, w);
    case K.PluginCrash:
      return (
        faultAllowed(c, w, 'plugin-crash') &&
        inMaintenance(w) &&
        w[nodeAt(c.L, node) + N_ROLE] === activeRole(w) &&
        isRunning(c, w, node)
      );
    case K.ApiServerRestart: {
      if (!faultAllowed(c, w, 'api-server-restart')) return false;
      const base = nodeAt(c.L, node) + c.L.cacheOffset;
      for (let i = 0; i < c.L.cacheWords; i++) if (w[base + i] !== 0) return true;
      return false; // an empty cache has nothing to flush
    }
    case K.ImageReplaceFails: {
      if (!faultAllowed(c, w, 'image-replace-fails') || w[VERIFY_FAILED]) return false;
      const pos = positionOf(c, w);
      return !!pos && pos.step === 'replace-image' && pos.targets !== 'choose' && pos.targets.length > 0;
    }
    case K.ConfigDrift: {
      if (!faultAllowed(c, w, 'config-drift') || w[VERIFY_FAILED]) return false;
      const pos = positionOf(c, w);
      return !!pos && pos.step === 'start' && pos.targets !== 'choose' && pos.targets.length > 0;
    }
    case K.BackendOutage:
      return faultAllowed(c, w, 'backend-outage') && backendUp(w);
    case K.RotationStarts: {
      if (!faultAllowed(c, w, 'rotation-starts') || w[ROTATING] || w[LATEST] >= c.s.keyring.maxVersion) return false;
      const spec = c.s.faults.find((f) => f.name === 'rotation-starts')!;
      return spec.duringMaintenance || !inMaintenance(w);
    }
    case K.RotationCompletes:
      return w[ROTATING] === 1 && backendUp(w);
    case K.BackendRecovers:
      return !backendUp(w);
    case K.Write: {
      if (!c.s.workload.writes || !isRunning(c, w, node) || !backendUp(w)) return false;
      return liveCount(c, w, writtenKind(c, w, node)) === 0;
    }
  }
  return false;
}

// The kind of record a node writes now: its active key version and its release's format.
export function writtenKind(c: Ctx, w: World, n: number): number {
  const relIndex = w[nodeAt(c.L, n) + N_RELEASE];
  const rel = c.s.releases[relIndex];
  const fmt = rel.writesWhileMixed && fleetMixed(c, w, rel.component) ? rel.writesWhileMixed : rel.writes;
  return kindIndex(c.L, knownVersion(c, w, n), fmt.format, fmt.aad, relIndex);
}

// Applies e to a copy of w0; w0 is never modified.
export function apply(c: Ctx, w0: World, e: Ev): World {
  return applyInto(c, w0, e, new Int32Array(w0.length));
}

// The same update written into `w` (a buffer of w0's size, not w0 itself), for engines that
// reuse buffers in their hot loop.
export function applyInto(c: Ctx, w0: World, e: Ev, w: World): World {
  w.set(w0);
  const node = evNode(e);
  switch (evKind(e)) {
    case K.Step:
      applyStep(c, w, node);
      break;
    case K.Remediate:
      applyRemediate(c, w);
      break;
    case K.DecideRollback:
      applyDecideRollback(c, w);
      break;
    case K.PluginCrash:
      w[FAULTS]++;
      w[nodeAt(c.L, node) + N_STATUS] = Status.Failed;
      break;
    case K.ApiServerRestart:
      w[FAULTS]++;
      clearCache(w, c.L, node);
      break;
    case K.ImageReplaceFails: {
      w[FAULTS]++;
      const pos = position(c, w)!;
      for (const n of pos.targets as number[]) w[nodeAt(c.L, n) + N_STATUS] = Status.Failed;
      break;
    }
    case K.ConfigDrift: {
      w[FAULTS]++;
      const targets = resolveTargets(c, w, -1);
      for (const n of targets) startNode(c, w, n, 1);
      finishStep(c, w, targets);
      break;
    }
    case K.BackendOutage:
      w[FAULTS]++;
      w[BACKEND_DOWN] = 1;
      break;
    case K.RotationStarts:
      w[FAULTS]++;
      w[ROTATING] = 1;
      break;
    case K.RotationCompletes: {
      w[ROTATING] = 0;
      w[LATEST] += 1;
      for (let n = 0; n < c.s.nodeCount; n++) {
        const rel = releaseOf(c, w, n);
        if (isRunning(c, w, n) && rel.promotesRotations) w[nodeAt(c.L, n) + N_KNOWN + rel.keyState] = w[LATEST];
      }
      break;
    }
    case K.BackendRecovers:
      w[BACKEND_DOWN] = 0;
      break;
    case K.Write:
      w[c.L.recordBase + writtenKind(c, w, node)] += c.s.workload.batch;
      break;
  }
  refreshCaches(c, w);
  return w;
}

// An API server caches the data keys of every record its plugin could read; the cache hides a
// later loss of that ability until the API server restarts. Dead kinds leave the cache.
function refreshCaches(c: Ctx, w: World): void {
  const L = c.L;
  for (let n = 0; n < c.s.nodeCount; n++) {
    const base = nodeAt(L, n) + L.cacheOffset;
    const running = isRunning(c, w, n);
    const rel = running ? releaseOf(c, w, n) : null;
    const known = running ? knownVersion(c, w, n) : 0;
    for (let word = 0; word < L.cacheWords; word++) {
      let bits = w[base + word];
      const lo = word * 31;
      const hi = Math.min(L.kinds, lo + 31);
      for (let k = lo; k < hi; k++) {
        const bit = 1 << (k - lo);
        if (w[L.recordBase + k] === 0) bits &= ~bit;
        else if (rel && canRead(c, w, rel, k, known)) bits |= bit;
      }
      w[base + word] = bits;
    }
  }
}

function canRead(c: Ctx, w: World, rel: ReturnType<typeof releaseOf>, k: number, known: number): boolean {
  const v = c.kindVersion[k];
  return (
    ((rel.readsFormats >> c.kindFormat[k]) & 1) === 1 &&
    ((rel.readsAad >> c.kindAad[k]) & 1) === 1 &&
    v <= known &&
    v >= w[MIN_DECRYPT] &&
    v >= w[MIN_AVAILABLE] &&
    v <= w[LATEST]
  );
}

// Every event that could apply in some world of this scenario: the alphabet engines draw from.
export function alphabet(c: Ctx): Ev[] {
  const out: Ev[] = [];
  EVENT_KINDS.forEach((name, kind) => {
    if (NODE_EVENTS.has(name)) {
      if (name === 'step') out.push(ev(kind));
      for (let n = 0; n < c.s.nodeCount; n++) out.push(ev(kind, n));
    } else out.push(ev(kind));
  });
  return out;
}
