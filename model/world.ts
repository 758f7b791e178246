// The world is one Int32Array with a layout fixed per scenario. A flat array keeps the
// explorer's hot loop to a copy, a few writes and one key per successor; decodeWorld turns it
// back into names for traces and reports.
import type { BackupScope, CompiledScenario } from './types.js';

export type World = Int32Array;

// Header slots
export const PHASE = 0;
export const PC = 1;
export const FAULTS = 2;
export const CLOCK = 3;
export const BACKEND_DOWN = 4;
export const REASON = 5;
export const VERIFY_FAILED = 6;
export const STAGE = 7; // index of the runbook stage under way
export const WORK_DONE = 8; // the runbook has changed something since it began
export const UPGRADED_AT = 9; // day the upgrade finished (-1: not yet)
export const DATA_BACKUP = 10; // a backup of the records exists
export const BACKUP_AT = 11;
export const KEYS_BACKUP = 12; // a backup of the keyrings exists
export const HEADER = 13;

// Slots of a keyring block (one per keyring, and one per keyring in the backup)
export const K_LATEST = 0;
export const K_ROTATING = 1;
export const K_MIN_DECRYPT = 2;
export const K_MIN_AVAILABLE = 3;
export const K_GEN = 4; // which key material the keyring holds (1: its own; re-creations and snapshots count up)
export const K_DELETED = 5; // the key was deleted: no version of it exists until it is re-created
export const K_RECREATED = 6; // how many times the key was re-created (each gives new key material)
export const K_VERSIONS = 7; // one slot per key version: its state (VersionState)

// A key version's state. Values from SCHEDULED on mean "scheduled for deletion, destroyed on
// day value - SCHEDULED", so the state and its day fit one slot.
export const enum VersionState {
  Enabled = 0,
  Disabled = 1,
  Destroyed = 2,
  Scheduled = 3,
}

export const enum Phase {
  Before = 0,
  Upgrading = 1,
  Upgraded = 2,
  RollingBack = 3,
  RolledBack = 4,
  Deferred = 5,
  Halted = 6,
}

// The names results use (Phase's order): result types and the result schema's enums derive from these.
export const PHASE_NAMES = ['before', 'upgrading', 'upgraded', 'rolling-back', 'rolled-back', 'deferred', 'halted'] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

// The runbook has ended: upgraded, rolled back, deferred or halted with a reason.
export function isEndedPhase(p: number): boolean {
  return p === Phase.Upgraded || p === Phase.RolledBack || p === Phase.Deferred || p === Phase.Halted;
}

export const enum Status {
  Running = 0,
  Stopped = 1,
  Failed = 2,
}
export const STATUS_NAMES = ['running', 'stopped', 'failed'] as const;
export type StatusName = (typeof STATUS_NAMES)[number];

// Where a node is in the current runbook stage
export const enum Role {
  Pending = 0,
  InProgress = 1,
  Done = 2,
}
export const ROLE_NAMES = ['pending', 'in-progress', 'done'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

// Per-node slots
export const N_RELEASE = 0;
export const N_STATUS = 1;
export const N_ROLE = 2;
export const N_DRIFT = 3;
export const N_ACTIVE = 4; // the active node of an active/passive component
export const N_GEN = 5; // the key material the node's promoted versions belong to
export const N_PENDING = 6; // key version of an encrypt whose key_id is not yet reported (0: none)
export const N_KNOWN = 7; // one slot per key-state format, then cache words

export interface Layout {
  nodeBase: number;
  nodeSize: number;
  cacheOffset: number; // within a node block
  cacheWords: number;
  // within a node block: the counted stage (index + 1) that took the node, 0 untaken; -1 when
  // no stage counts nodes, so such scenarios keep their layout
  taken: number;
  keyringBase: number;
  keyringSize: number;
  backupKeyringBase: number;
  recordBase: number;
  backupBase: number; // the backup's record counts
  kinds: number;
  size: number;
  // record kind index = ((((((keyring * G + gen-1) * V + keyVersion-1) * F + format) * A + aad) * R + writer) * D + dataKey
  KR: number;
  G: number;
  V: number;
  F: number;
  A: number;
  R: number;
  D: number; // 1, or the node count when data keys are per node
}

export function layoutFor(s: CompiledScenario): Layout {
  const KR = s.keyrings.length;
  const G = s.generations;
  const F = s.wireFormats.length;
  const A = s.aadShapes.length;
  const R = s.releases.length;
  const V = Math.max(...s.keyrings.map((k) => k.maxVersion));
  const D = s.components.some((c) => c.dataKeys === 'per-node') ? s.nodeCount : 1;
  const kinds = KR * G * V * F * A * R * D;
  const cacheWords = Math.ceil(kinds / 31);
  const cacheOffset = N_KNOWN + s.keyStates.length;
  const counts = [s.runbook.upgrade, s.runbook.rollback?.procedure].some((p) => p?.stages.some((st) => st.nodes !== 0));
  const taken = counts ? cacheOffset + cacheWords : -1;
  const nodeSize = cacheOffset + cacheWords + (counts ? 1 : 0);
  const nodeBase = HEADER;
  const keyringBase = nodeBase + nodeSize * s.nodeCount;
  // per-version states and a keyring copy in the backup only for scenarios that can use them:
  // a smaller world is a faster search
  const keyringSize = K_VERSIONS + (s.usesVersionStates ? V : 0);
  const backupKeyringBase = keyringBase + KR * keyringSize;
  const recordBase = backupKeyringBase + (s.backsUpKeyrings ? KR * keyringSize : 0);
  const backupBase = recordBase + kinds;
  return { nodeBase, nodeSize, cacheOffset, cacheWords, taken, keyringBase, keyringSize, backupKeyringBase, recordBase, backupBase, kinds, size: backupBase + kinds, KR, G, V, F, A, R, D };
}

export interface Kind {
  keyring: number;
  gen: number;
  keyVersion: number;
  format: number;
  aad: number;
  writer: number;
  dataKey: number; // the node whose data key wraps the record (0 when data keys are shared)
}

export function kindIndex(L: Layout, keyring: number, gen: number, keyVersion: number, format: number, aad: number, writer: number, dataKey: number): number {
  return ((((((keyring * L.G + gen - 1) * L.V + keyVersion - 1) * L.F + format) * L.A + aad) * L.R + writer) * L.D + dataKey);
}

export function kindOf(L: Layout, k: number): Kind {
  const digit = (radix: number) => {
    const d = k % radix;
    k = (k - d) / radix;
    return d;
  };
  const dataKey = digit(L.D);
  const writer = digit(L.R);
  const aad = digit(L.A);
  const format = digit(L.F);
  const keyVersion = digit(L.V) + 1;
  const gen = digit(L.G) + 1;
  return { keyring: k, gen, keyVersion, format, aad, writer, dataKey };
}

// Adds n records to a record count slot. The scenario's limits (model/scenario/limits.ts) keep
// every count within 32 bits for runs within max-depth; a longer run (a hand-made trace
// replayed) that would wrap a count stops here rather than hide records from every property.
export function addRecords(w: World, slot: number, n: number): void {
  const t = w[slot] + n;
  if (t > 2_147_483_647) throw new RangeError(`a record count passed 2,147,483,647 (the run is longer than the scenario's limits allow): lower workload.batch or the record counts`);
  w[slot] = t;
}

export function nodeAt(L: Layout, n: number): number {
  return L.nodeBase + n * L.nodeSize;
}

// Slot of keyring `kr`'s field (K_*), in the live keyring or the backup's copy.
export function keyringAt(L: Layout, kr: number, backup = false): number {
  return (backup ? L.backupKeyringBase : L.keyringBase) + kr * L.keyringSize;
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
  w[UPGRADED_AT] = -1;
  s.keyrings.forEach((kr, i) => {
    const b = keyringAt(L, i);
    w[b + K_LATEST] = kr.latest;
    w[b + K_ROTATING] = kr.rotationInProgress ? 1 : 0;
    w[b + K_MIN_DECRYPT] = kr.minDecryption;
    w[b + K_MIN_AVAILABLE] = kr.minAvailable;
    w[b + K_GEN] = 1;
    for (const v of kr.disabled) w[b + K_VERSIONS + v - 1] = VersionState.Disabled; // usesVersionStates is set
  });
  if (s.runbook.alreadyUpgradedDaysAgo >= 0) {
    w[PHASE] = Phase.Upgraded;
    w[WORK_DONE] = 1;
    w[UPGRADED_AT] = 0;
    w[CLOCK] = s.runbook.alreadyUpgradedDaysAgo;
  }
  for (const c of s.components) {
    const latest = s.keyrings[c.keyring].latest;
    for (let i = 0; i < c.nodes; i++) {
      const b = nodeAt(L, c.firstNode + i);
      w[b + N_RELEASE] = s.nodeInitialRelease[c.firstNode + i];
      w[b + N_STATUS] = Status.Running;
      w[b + N_GEN] = 1;
      // every key-state format starts in step with the keyring: a node that runs a newer
      // release at the start ran the older ones before, and they promoted what it did
      for (let ks = 0; ks < s.keyStates.length; ks++) w[b + N_KNOWN + ks] = latest;
      if (c.activePassive && i === 0) w[b + N_ACTIVE] = 1;
    }
  }
  // records from before the scenario: under the data key of the writer component's first node
  for (const r of s.records) {
    const dk = L.D > 1 ? s.components[s.releases[r.writer].component].firstNode : 0;
    addRecords(w, L.recordBase + kindIndex(L, r.keyring, 1, r.keyVersion, r.format, r.aad, r.writer, dk), r.count);
  }
  return w;
}

// Nodes of one component are interchangeable: sorting their blocks gives one representative
// per symmetry class. Returns the permutation so a trace can name the concrete node.
export function canonicalize(s: CompiledScenario, L: Layout, w: World, perm?: number[]): World {
  return canonicalizeInto(s, L, w, new Int32Array(w.length), perm);
}

// Writes the canonical form of w into out, or returns w itself when it is already canonical
// (the common case: most steps do not reorder nodes). Each component's nodes are sorted by
// their blocks, ties by index (a total order: one result), with an insertion sort over a
// reused index buffer: components are small, and this runs for every successor.
let order = new Int32Array(16);
export function canonicalizeInto(s: CompiledScenario, L: Layout, w: World, out: World, perm?: number[]): World {
  // per-node data keys tie records to node identities: swapping node blocks alone would merge
  // worlds that differ, so such scenarios are explored without symmetry reduction
  if (L.D > 1) {
    if (perm) for (let n = 0; n < s.nodeCount; n++) perm[n] = n;
    return w;
  }
  if (!perm && isCanonical(s, L, w)) return w;
  out.set(w);
  for (const c of s.components) {
    if (c.nodes < 2) {
      if (perm) perm[c.firstNode] = c.firstNode;
      continue;
    }
    if (order.length < c.nodes) order = new Int32Array(c.nodes);
    const idx = order;
    for (let i = 0; i < c.nodes; i++) {
      const n = c.firstNode + i;
      let j = i;
      while (j > 0 && compareBlocks(w, nodeAt(L, idx[j - 1]), nodeAt(L, n), L.nodeSize) > 0) {
        idx[j] = idx[j - 1];
        j--;
      }
      idx[j] = n; // equal blocks keep index order: n is the largest index so far
    }
    for (let i = 0; i < c.nodes; i++) {
      const from = nodeAt(L, idx[i]);
      const to = nodeAt(L, c.firstNode + i);
      for (let k = 0; k < L.nodeSize; k++) out[to + k] = w[from + k];
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
  status: StatusName;
  role: RoleName;
  configDrift: boolean;
  active: boolean;
  keyVersions: Record<string, number>; // newest key version promoted, per key-state format
  keyGeneration: number; // which key material those versions belong to
  keyId: string;
  activeKeyVersion: number;
  cachedKinds: number;
  // key version of an encrypt whose key_id the node has not reported yet (encrypt-reports-key-id: separately)
  pendingEncrypt: number | null;
  cached: string[]; // the record kinds whose data keys its reader caches ("key v1 envelope-v1 by v0.4.2")
  takenByStage: number | null; // the counted stage (`nodes: N`, numbered from 1) that took it last
}

export interface RecordView {
  keyring: string;
  keyGeneration: number; // 1: the keyring's own key; higher: re-created, or restored from elsewhere
  dataKey: string | null; // node whose data key wraps them (per-node data keys), else null
  keyVersion: number;
  format: string;
  aad: string;
  writer: string;
  count: number;
}

export interface KeyringView {
  name: string;
  latest: number;
  rotating: boolean;
  minDecryptionVersion: number;
  minAvailableVersion: number;
  generation: number;
  deleted: boolean;
  // versions not enabled: disabled, destroyed, or "scheduled for deletion on day N"
  versionStates: Record<string, string>;
}

export const BACKEND_STATES = ['up', 'down'] as const;
export type BackendState = (typeof BACKEND_STATES)[number];

export interface WorldView {
  phase: PhaseName;
  position: string; // where the operator is: phase, stage, node(s) and the next step
  stage: number;
  step: number;
  workDone: boolean; // the runbook has changed something since it began
  faultsUsed: number;
  clock: number;
  backend: BackendState;
  keyring: KeyringView; // the first keyring (every keyring is in keyrings)
  keyrings: KeyringView[];
  reason: string | null;
  verificationFailed: boolean;
  interrupted: boolean; // a step stopped part-way and waits to be resumed (migration-interrupted)
  backup: null | {
    day: number;
    scope: BackupScope;
    keyrings: KeyringView[] | null; // what the backup holds of the keyrings (null: no keyring in it)
    records: number | null; // null: no records in it
    contents: RecordView[] | null;
  };
  upgradedOnDay: number | null;
  nodes: NodeView[];
  records: RecordView[];
}
