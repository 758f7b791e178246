// The world is one Int32Array with a layout fixed per scenario. A flat array keeps the
// explorer's hot loop to a copy, a few writes and one key per successor; decodeWorld turns it
// back into names for traces and reports.
import type { CompiledScenario } from './types.js';

export type World = Int32Array;

// Header slots
export const PHASE = 0;
export const PC = 1;
export const FAULTS = 2;
export const CLOCK = 3;
export const BACKEND_DOWN = 4;
export const LATEST = 5;
export const ROTATING = 6;
export const MIN_DECRYPT = 7;
export const MIN_AVAILABLE = 8;
export const REASON = 9;
export const VERIFY_FAILED = 10;
export const STAGE = 11; // index of the runbook stage under way
export const WORK_DONE = 12; // the runbook has changed something since it began
export const UPGRADED_AT = 13; // day the upgrade finished (-1: not yet)
export const BACKUP_VALID = 14;
export const BACKUP_AT = 15;
export const BK_LATEST = 16; // the keyring as the backup holds it
export const BK_MIN_DECRYPT = 17;
export const BK_MIN_AVAILABLE = 18;
export const HEADER = 20;

export const enum Phase {
  Before = 0,
  Upgrading = 1,
  Upgraded = 2,
  RollingBack = 3,
  RolledBack = 4,
  Deferred = 5,
  Halted = 6,
}

export const PHASE_NAMES = ['before', 'upgrading', 'upgraded', 'rolling-back', 'rolled-back', 'deferred', 'halted'];

export const enum Status {
  Running = 0,
  Stopped = 1,
  Failed = 2,
}
export const STATUS_NAMES = ['running', 'stopped', 'failed'];

// Where a node is in the current runbook stage
export const enum Role {
  Pending = 0,
  InProgress = 1,
  Done = 2,
}
export const ROLE_NAMES = ['pending', 'in-progress', 'done'];

// Per-node slots
export const N_RELEASE = 0;
export const N_STATUS = 1;
export const N_ROLE = 2;
export const N_DRIFT = 3;
export const N_ACTIVE = 4; // the active node of an active/passive component
export const N_KNOWN = 5; // one slot per key-state format, then cache words

export interface Layout {
  nodeBase: number;
  nodeSize: number;
  cacheOffset: number; // within a node block
  cacheWords: number;
  // within a node block: the counted stage (index + 1) that took the node, 0 untaken; -1 when
  // no stage counts nodes, so such scenarios keep their layout
  taken: number;
  recordBase: number;
  backupBase: number; // the backup's record counts
  kinds: number;
  size: number;
  // record kind index = (((keyVersion-1) * F + format) * A + aad) * R + writer
  F: number;
  A: number;
  R: number;
  V: number;
}

export function layoutFor(s: CompiledScenario): Layout {
  const F = s.wireFormats.length;
  const A = s.aadShapes.length;
  const R = s.releases.length;
  const V = s.keyring.maxVersion;
  const kinds = V * F * A * R;
  const cacheWords = Math.ceil(kinds / 31);
  const cacheOffset = N_KNOWN + s.keyStates.length;
  const counts = [s.runbook.upgrade, s.runbook.rollback?.procedure].some((p) => p?.stages.some((st) => st.nodes !== 0));
  const taken = counts ? cacheOffset + cacheWords : -1;
  const nodeSize = cacheOffset + cacheWords + (counts ? 1 : 0);
  const nodeBase = HEADER;
  const recordBase = nodeBase + nodeSize * s.nodeCount;
  const backupBase = recordBase + kinds;
  return { nodeBase, nodeSize, cacheOffset, cacheWords, taken, recordBase, backupBase, kinds, size: backupBase + kinds, F, A, R, V };
}

export interface Kind {
  keyVersion: number;
  format: number;
  aad: number;
  writer: number;
}

export function kindIndex(L: Layout, keyVersion: number, format: number, aad: number, writer: number): number {
  return (((keyVersion - 1) * L.F + format) * L.A + aad) * L.R + writer;
}

export function kindOf(L: Layout, k: number): Kind {
  const writer = k % L.R;
  let rest = (k - writer) / L.R;
  const aad = rest % L.A;
  rest = (rest - aad) / L.A;
  const format = rest % L.F;
  const keyVersion = (rest - format) / L.F + 1;
  return { keyVersion, format, aad, writer };
}

export function nodeAt(L: Layout, n: number): number {
  return L.nodeBase + n * L.nodeSize;
}

export function cached(w: World, L: Layout, n: number, k: number): boolean {
  const word = w[nodeAt(L, n) + L.cacheOffset + ((k / 31) | 0)];
  return (word & (1 << k % 31)) !== 0;
}

export function setCached(w: World, L: Layout, n: number, k: number): void {
  w[nodeAt(L, n) + L.cacheOffset + ((k / 31) | 0)] |= 1 << k % 31;
}

export function clearCache(w: World, L: Layout, n: number): void {
  const base = nodeAt(L, n) + L.cacheOffset;
  for (let i = 0; i < L.cacheWords; i++) w[base + i] = 0;
}

export function initialWorld(s: CompiledScenario, L: Layout): World {
  const w = new Int32Array(L.size);
  w[PHASE] = Phase.Before;
  w[LATEST] = s.keyring.latest;
  w[MIN_DECRYPT] = s.keyring.minDecryption;
  w[MIN_AVAILABLE] = s.keyring.minAvailable;
  w[UPGRADED_AT] = -1;
  w[ROTATING] = s.keyring.rotationInProgress ? 1 : 0;
  if (s.runbook.alreadyUpgradedDaysAgo >= 0) {
    w[PHASE] = Phase.Upgraded;
    w[WORK_DONE] = 1;
    w[UPGRADED_AT] = 0;
    w[CLOCK] = s.runbook.alreadyUpgradedDaysAgo;
  }
  for (const c of s.components) {
    for (let i = 0; i < c.nodes; i++) {
      const b = nodeAt(L, c.firstNode + i);
      w[b + N_RELEASE] = s.nodeInitialRelease[c.firstNode + i];
      w[b + N_STATUS] = Status.Running;
      // every key-state format starts in step with the keyring: a node that runs a newer
      // release at the start ran the older ones before, and they promoted what it did
      for (let ks = 0; ks < s.keyStates.length; ks++) w[b + N_KNOWN + ks] = s.keyring.latest;
      if (c.activePassive && i === 0) w[b + N_ACTIVE] = 1;
    }
  }
  for (const r of s.records) w[L.recordBase + kindIndex(L, r.keyVersion, r.format, r.aad, r.writer)] += r.count;
  return w;
}

// Nodes of one component are interchangeable: sorting their blocks gives one representative
// per symmetry class. Returns the permutation so a trace can name the concrete node.
export function canonicalize(s: CompiledScenario, L: Layout, w: World, perm?: number[]): World {
  return canonicalizeInto(s, L, w, new Int32Array(w.length), perm);
}

// Writes the canonical form of w into out, or returns w itself when it is already canonical
// (the common case: most steps do not reorder nodes).
export function canonicalizeInto(s: CompiledScenario, L: Layout, w: World, out: World, perm?: number[]): World {
  if (!perm && isCanonical(s, L, w)) return w;
  out.set(w);
  for (const c of s.components) {
    if (c.nodes < 2) {
      if (perm) perm[c.firstNode] = c.firstNode;
      continue;
    }
    const idx: number[] = [];
    for (let i = 0; i < c.nodes; i++) idx.push(c.firstNode + i);
    idx.sort((a, b) => compareBlocks(w, nodeAt(L, a), nodeAt(L, b), L.nodeSize) || a - b);
    for (let i = 0; i < c.nodes; i++) {
      const from = nodeAt(L, idx[i]);
      out.set(w.subarray(from, from + L.nodeSize), nodeAt(L, c.firstNode + i));
      if (perm) perm[c.firstNode + i] = idx[i];
    }
  }
  return out;
}

function isCanonical(s: CompiledScenario, L: Layout, w: World): boolean {
  for (const c of s.components) {
    for (let i = 1; i < c.nodes; i++) {
      if (compareBlocks(w, nodeAt(L, c.firstNode + i - 1), nodeAt(L, c.firstNode + i), L.nodeSize) > 0) return false;
    }
  }
  return true;
}

function compareBlocks(w: World, a: number, b: number, size: number): number {
  for (let i = 0; i < size; i++) {
    const d = w[a + i] - w[b + i];
    if (d !== 0) return d;
  }
  return 0;
}

// A string over the array's 16-bit halves: exact, and cheap for V8 to hash.
export function worldKey(w: World): string {
  const u = new Uint16Array(w.buffer, w.byteOffset, w.length * 2);
  let key = '';
  const CHUNK = 4096;
  for (let i = 0; i < u.length; i += CHUNK) {
    key += String.fromCharCode.apply(null, u.subarray(i, Math.min(u.length, i + CHUNK)) as unknown as number[]);
  }
  return key;
}

export interface NodeView {
  name: string;
  component: string;
  release: string;
  status: string;
  role: string;
  configDrift: boolean;
  active: boolean;
  keyVersions: Record<string, number>; // newest key version promoted, per key-state format
  keyId: string;
  activeKeyVersion: number;
  cachedKinds: number;
  cached: string[]; // the record kinds whose data keys its reader caches ("key v1 envelope-v1 by v0.4.2")
  takenByStage: number | null; // the counted stage (`nodes: N`, numbered from 1) that took it last
}

export interface RecordView {
  keyVersion: number;
  format: string;
  aad: string;
  writer: string;
  count: number;
}

export interface WorldView {
  phase: string;
  position: string; // where the operator is: phase, stage, node(s) and the next step
  stage: number;
  step: number;
  workDone: boolean; // the runbook has changed something since it began
  faultsUsed: number;
  clock: number;
  backend: 'up' | 'down';
  keyring: { latest: number; rotating: boolean; minDecryptionVersion: number; minAvailableVersion: number };
  reason: string | null;
  verificationFailed: boolean;
  interrupted: boolean; // a step stopped part-way and waits to be resumed (migration-interrupted)
  backup: null | {
    day: number;
    keyringLatest: number;
    minDecryptionVersion: number;
    minAvailableVersion: number;
    records: number;
    contents: RecordView[];
  };
  upgradedOnDay: number | null;
  nodes: NodeView[];
  records: RecordView[];
}
