// Every event the world can take: the operator's runbook steps, faults, workload and the
// passing of time. Each kind is a guard (`enabled`) and an update (`apply`), both pure. The
// XState machine (machine.ts) and the explorer's fast path (model.ts) call exactly these.
import { FAULT_NAMES, type FaultName } from './types.js';
import type { Ctx } from './semantics.js';
import {
  activeNode,
  backendUp,
  decryptable,
  decryptableKinds,
  liveKinds,
  encryptable,
  fleetMixed,
  inMaintenance,
  isRunning,
  keyringOf,
  latestOf,
  positionOf,
  releaseOf,
  liveCount,
  writeVersion,
} from './semantics.js';
import {
  applyDecideRollback,
  applyRemediate,
  applyStep,
  decideRollbackEnabled,
  finishAfterFault,
  INTERRUPTED,
  interruptMigration,
  resolveTargets,
  afterRotation,
  rewrap,
  startNode,
  stepEnabled,
  writtenKind,
} from './steps.js';
import {
  type World,
  BACKEND_DOWN,
  CLOCK,
  FAULTS,
  K_LATEST,
  K_ROTATING,
  K_VERSIONS,
  N_ACTIVE,
  N_KNOWN,
  N_PENDING,
  N_RELEASE,
  N_ROLE,
  N_STATUS,
  Role,
  Status,
  VERIFY_FAILED,
  VersionState,
  addRecords,
  clearCache,
  keyringAt,
  kindIndex,
  nodeAt,
  setCached,
} from './world.js';

export { reasonText } from './steps.js';

// (keyring << 16) | (kind << 8) | (node + 1): node 0 means "no node"; the keyring part names the
// keyring of a rotation event (0 for every other event)
export type Ev = number;

// Operator actions, then every fault a scenario can declare (same names), then the environment.
// The order is the K enum's below.
export const EVENT_KINDS = [
  'step',
  'remediate',
  'decide-rollback',
  ...FAULT_NAMES,
  'rotation-completes',
  'backend-recovers',
  'failover',
  'time-passes',
  'write',
  'report-key-id',
  'read',
  'cache-expires',
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
  MigrationFails,
  MigrationInterrupted,
  RewrapInterrupted,
  DistributionIncomplete,
  ForcedFailover,
  RotationCompletes,
  BackendRecovers,
  Failover,
  TimePasses,
  Write,
  ReportKeyId,
  Read,
  CacheExpires,
}
export const NODE_EVENTS: ReadonlySet<EventKind> = new Set(['step', 'plugin-crash', 'api-server-restart', 'forced-failover', 'failover', 'write', 'report-key-id', 'read', 'cache-expires']);
export const KEYRING_EVENTS: ReadonlySet<EventKind> = new Set(['rotation-starts', 'rotation-completes']);
// every fault a scenario can declare is an event of the same name
export const FAULT_KINDS: ReadonlySet<string> = new Set<string>(FAULT_NAMES);
export const OPERATOR_KINDS: ReadonlySet<EventKind> = new Set(['step', 'remediate', 'decide-rollback']);

export function ev(kind: number, node = -1, keyring = 0): Ev {
  return (keyring << 16) | (kind << 8) | (node + 1);
}
export function evKind(e: Ev): number {
  return (e >> 8) & 255;
}
export function evNode(e: Ev): number {
  return (e & 255) - 1;
}
export function evKeyring(e: Ev): number {
  return e >> 16;
}

function faultAllowed(c: Ctx, w: World, f: FaultName): boolean {
  return w[FAULTS] < c.faultBudget && c.declaredFaults[f] === true;
}

// A fault that strikes the step under way: only when that step is next and has its targets.
function strikesStep(c: Ctx, w: World, f: FaultName, step: string): boolean {
  if (!faultAllowed(c, w, f) || w[VERIFY_FAILED]) return false;
  const pos = positionOf(c, w);
  return !!pos && pos.step.name === step && pos.targets !== 'choose' && pos.targets.length > 0;
}

export function enabled(c: Ctx, w: World, e: Ev): boolean {
  const node = evNode(e);
  switch (evKind(e)) {
    case K.Step:
      return stepEnabled(c, w, node, positionOf(c, w));
    case K.Remediate: {
      // a failed check has a remedy, and so has an interrupted migration (resume it); a failed
      // migration can only be rolled back
      if (!w[VERIFY_FAILED] || !inMaintenance(w)) return false;
      const pos = positionOf(c, w);
      if (!pos) return false;
      return w[VERIFY_FAILED] === INTERRUPTED ? pos.step.name === 'migrate' : pos.step.name.startsWith('verify-');
    }
    case K.DecideRollback:
      return decideRollbackEnabled(c, w);
    case K.PluginCrash:
      return (
        faultAllowed(c, w, 'plugin-crash') &&
        inMaintenance(w) &&
        w[nodeAt(c.L, node) + N_ROLE] === Role.InProgress &&
        isRunning(c, w, node)
      );
    case K.ApiServerRestart: {
      if (!faultAllowed(c, w, 'api-server-restart')) return false;
      const base = nodeAt(c.L, node) + c.L.cacheOffset;
      for (let i = 0; i < c.L.cacheWords; i++) if (w[base + i] !== 0) return true;
      return false; // an empty cache has nothing to flush
    }
    case K.ImageReplaceFails:
      return strikesStep(c, w, 'image-replace-fails', 'replace-image');
    case K.ConfigDrift:
      return strikesStep(c, w, 'config-drift', 'start');
    case K.MigrationFails:
      return c.s.unreadableFormat >= 0 && strikesStep(c, w, 'migration-fails', 'migrate');
    case K.MigrationInterrupted:
      return strikesStep(c, w, 'migration-interrupted', 'migrate');
    case K.RewrapInterrupted:
      // a partial rewrap still goes through the key service
      return backendUp(w) && strikesStep(c, w, 'rewrap-interrupted', 'rewrap');
    case K.DistributionIncomplete:
      return strikesStep(c, w, 'distribution-incomplete', 'distribute-keys');
    case K.BackendOutage:
      return faultAllowed(c, w, 'backend-outage') && backendUp(w);
    case K.RotationStarts: {
      const kr = evKeyring(e);
      const b = keyringAt(c.L, kr);
      if (!faultAllowed(c, w, 'rotation-starts') || w[b + K_ROTATING] || w[b + K_LATEST] >= c.s.keyrings[kr].maxVersion) return false;
      const spec = c.s.faults.find((f) => f.name === 'rotation-starts')!;
      return spec.duringMaintenance || !inMaintenance(w);
    }
    case K.RotationCompletes:
      return w[keyringAt(c.L, evKeyring(e)) + K_ROTATING] === 1 && backendUp(w);
    case K.BackendRecovers:
      return !backendUp(w);
    case K.ForcedFailover: {
      // a graceful step-down or a lock timeout hands the active role to a running standby
      if (!faultAllowed(c, w, 'forced-failover')) return false;
      const comp = c.s.components[c.s.nodeComponent[node]];
      if (!comp.activePassive || w[nodeAt(c.L, node) + N_ACTIVE] || !isRunning(c, w, node)) return false;
      const active = activeNode(c, w, c.s.nodeComponent[node]);
      return active >= 0 && isRunning(c, w, active);
    }
    case K.Failover: {
      const comp = c.s.components[c.s.nodeComponent[node]];
      if (!comp.activePassive || w[nodeAt(c.L, node) + N_ACTIVE] || !isRunning(c, w, node)) return false;
      const active = activeNode(c, w, c.s.nodeComponent[node]);
      return active < 0 || !isRunning(c, w, active);
    }
    case K.TimePasses:
      return w[CLOCK] < c.s.clockHorizonDays && !inMaintenance(w);
    case K.Write: {
      if (!c.s.workload.writes || !isRunning(c, w, node) || !backendUp(w)) return false;
      const ci = c.s.nodeComponent[node];
      const b = nodeAt(c.L, node);
      if (c.s.components[ci].activePassive && !w[b + N_ACTIVE]) return false;
      const k = writtenKindNow(c, w, node);
      if (k < 0) return false; // a release with no key state yet has nothing to encrypt with
      // the key service refuses to encrypt under a version it does not have or has disabled
      if (!encryptable(c, w, c.kindKeyring[k], c.kindGen[k], c.kindVersion[k])) return false;
      // an encrypt whose key_id is read separately: one outstanding per node
      if (reportsSeparately(c, w, node)) return w[b + N_PENDING] === 0;
      return liveCount(c, w, k) === 0;
    }
    case K.ReportKeyId:
      return w[nodeAt(c.L, node) + N_PENDING] !== 0 && isRunning(c, w, node) && backendUp(w);
    case K.Read:
      return readFills(c, w, node);
    case K.CacheExpires:
      return cacheHidesHarm(c, w, node);
  }
  return false;
}

function reportsSeparately(c: Ctx, w: World, n: number): boolean {
  return releaseOf(c, w, n).encryptReportsKeyId === 'separately';
}

export function writtenKindNow(c: Ctx, w: World, n: number): number {
  // an encrypt call whose key_id is reported apart is served under whatever version is latest
  const version = reportsSeparately(c, w, n) ? latestOf(c, w, keyringOf(c, n)) : writeVersion(c, w, n);
  if (version < 1 || version > c.L.V) return -1;
  return writtenKind(c, w, n, fleetMixed(c, w, c.s.nodeComponent[n]), version);
}

// The record kinds node n's release reads with what it knows (as cache words).
function readableBy(c: Ctx, w: World, n: number): Int32Array {
  const b = nodeAt(c.L, n);
  const rel = c.s.releases[w[b + N_RELEASE]];
  return c.readMask[w[b + N_RELEASE]][Math.min(w[b + N_KNOWN + rel.keyState], c.L.V)];
}

// Per-node data keys: a node's reader learns other writers' data keys only by reading their
// records, which needs the key service. True when such a read would fill something.
function readFills(c: Ctx, w: World, n: number): boolean {
  const comp = c.s.components[c.s.nodeComponent[n]];
  if (!comp.cachesDataKeys || comp.dataKeys !== 'per-node' || !isRunning(c, w, n) || !backendUp(w)) return false;
  const L = c.L;
  const b = nodeAt(L, n);
  const readable = readableBy(c, w, n);
  const served = c.formatKinds[c.s.nodeComponent[n]];
  for (let word = 0; word < L.cacheWords; word++) {
    let bits = readable[word] & served[word] & ~w[b + L.cacheOffset + word];
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits);
      bits &= ~(1 << bit);
      const k = word * 31 + bit;
      if (w[L.recordBase + k] !== 0 && decryptable(c, w, k)) return true;
    }
  }
  return false;
}

function applyRead(c: Ctx, w: World, n: number): void {
  const L = c.L;
  const readable = readableBy(c, w, n);
  const served = c.formatKinds[c.s.nodeComponent[n]];
  for (let k = 0; k < L.kinds; k++) {
    const word = (k / 31) | 0;
    const bit = 1 << k % 31;
    if (w[L.recordBase + k] !== 0 && readable[word] & served[word] & bit && decryptable(c, w, k)) setCached(w, L, n, k);
  }
}

// The node's cache holds the data key of a live record that the node could not decrypt again
// (its release cannot, or the key service lost the key): only the cache keeps it readable, and
// the cache is not forever. Cache expiry is enabled exactly there, so it exposes latent harm
// without adding states to worlds where caches hide nothing.
export function cacheHidesHarm(c: Ctx, w: World, n: number): boolean {
  if (!c.s.components[c.s.nodeComponent[n]].cachesDataKeys) return false;
  const L = c.L;
  const b = nodeAt(L, n);
  // a stopped node serves nothing: its cache matters again only once it runs
  if (w[b + N_STATUS] !== Status.Running) return false;
  const readable = readableBy(c, w, n);
  for (let word = 0; word < L.cacheWords; word++) {
    let bits = w[b + L.cacheOffset + word];
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits);
      bits &= ~(1 << bit);
      const k = word * 31 + bit;
      if (w[L.recordBase + k] === 0) continue;
      if ((readable[word] & (1 << bit)) === 0 || !decryptable(c, w, k)) return true;
    }
  }
  return false;
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
  const kind = evKind(e);
  if (FAULT_INDEX[kind]) w[FAULTS]++;
  switch (kind) {
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
      w[nodeAt(c.L, node) + N_STATUS] = Status.Failed;
      break;
    case K.ApiServerRestart:
      clearCache(w, c.L, node);
      break;
    case K.ImageReplaceFails: {
      const targets = positionOf(c, w0)!.targets as number[];
      for (const n of targets) w[nodeAt(c.L, n) + N_STATUS] = Status.Failed;
      if (c.s.faults.find((f) => f.name === 'image-replace-fails')!.leavesDataUnreadable) spoil(c, w, targets);
      break;
    }
    case K.ConfigDrift: {
      const targets = resolveTargets(c, w, -1);
      for (const n of targets) startNode(c, w, n, 1);
      finishAfterFault(c, w, targets);
      break;
    }
    case K.MigrationFails:
      spoil(c, w, positionOf(c, w0)!.targets as number[]);
      w[VERIFY_FAILED] = 1;
      break;
    case K.MigrationInterrupted:
      interruptMigration(c, w);
      break;
    case K.RewrapInterrupted: {
      const targets = resolveTargets(c, w, -1);
      rewrap(c, w, 0.5, targets);
      finishAfterFault(c, w, targets);
      break;
    }
    case K.DistributionIncomplete:
      // the copy silently skipped the targets; the runbook believes it done
      finishAfterFault(c, w, resolveTargets(c, w, -1));
      break;
    case K.BackendOutage:
      w[BACKEND_DOWN] = 1;
      break;
    case K.RotationStarts:
      w[keyringAt(c.L, evKeyring(e)) + K_ROTATING] = 1;
      break;
    case K.RotationCompletes: {
      const kr = evKeyring(e);
      w[keyringAt(c.L, kr) + K_ROTATING] = 0;
      w[keyringAt(c.L, kr) + K_LATEST] += 1;
      afterRotation(c, w, kr);
      break;
    }
    case K.BackendRecovers:
      w[BACKEND_DOWN] = 0;
      break;
    case K.ForcedFailover:
    case K.Failover: {
      const ci = c.s.nodeComponent[node];
      const old = activeNode(c, w, ci);
      if (old >= 0) w[nodeAt(c.L, old) + N_ACTIVE] = 0;
      w[nodeAt(c.L, node) + N_ACTIVE] = 1;
      break;
    }
    case K.TimePasses:
      w[CLOCK] += 1;
      destroyDue(c, w);
      break;
    case K.Write: {
      const k = writtenKindNow(c, w, node);
      if (!reportsSeparately(c, w, node) || w[c.L.recordBase + k] === 0) addRecords(w, c.L.recordBase + k, c.s.workload.batch);
      if (reportsSeparately(c, w, node)) w[nodeAt(c.L, node) + N_PENDING] = c.kindVersion[k];
      // the writer's reader holds the data key it just used
      if (c.s.components[c.s.nodeComponent[node]].cachesDataKeys) setCached(w, c.L, node, k);
      break;
    }
    case K.ReportKeyId: {
      // the plugin asks the key service for the current version and reports that as key_id
      const b = nodeAt(c.L, node);
      const rel = releaseOf(c, w, node);
      w[b + N_KNOWN + rel.keyState] = latestOf(c, w, keyringOf(c, node));
      w[b + N_PENDING] = 0;
      break;
    }
    case K.Read:
      applyRead(c, w, node);
      break;
    case K.CacheExpires:
      clearCache(w, c.L, node);
      break;
  }
  refreshCaches(c, w);
  return w;
}

const FAULT_INDEX = EVENT_KINDS.map((k) => FAULT_KINDS.has(k));

// A failed migration or upgrade leaves the component's data half-converted: no release reads it.
function spoil(c: Ctx, w: World, targets: number[]): void {
  const comps = new Set(targets.map((n) => c.s.nodeComponent[n]));
  const L = c.L;
  for (let k = 0; k < L.kinds; k++) {
    const n = w[L.recordBase + k];
    if (n === 0 || c.kindFormat[k] === c.s.unreadableFormat) continue;
    if (![...comps].some((ci) => ((c.s.components[ci].formats >> c.kindFormat[k]) & 1) === 1)) continue;
    w[L.recordBase + k] = 0;
    addRecords(w, L.recordBase + kindIndex(L, c.kindKeyring[k], c.kindGen[k], c.kindVersion[k], c.s.unreadableFormat, c.kindAad[k], c.kindWriter[k], c.kindDataKey[k]), n);
  }
}

// Versions scheduled for deletion are destroyed once their waiting period has passed.
function destroyDue(c: Ctx, w: World): void {
  if (!c.s.usesVersionStates) return;
  for (let kr = 0; kr < c.s.keyrings.length; kr++) {
    const b = keyringAt(c.L, kr) + K_VERSIONS;
    for (let v = 0; v < c.L.V; v++) {
      if (w[b + v] >= VersionState.Scheduled && w[b + v] - VersionState.Scheduled <= w[CLOCK]) w[b + v] = VersionState.Destroyed;
    }
  }
}

// Shared data keys: an API server caches the data keys of every record its plugin could read
// through the key service; the cache hides a later loss of that ability until the API server
// restarts or the entry expires. Dead kinds leave the cache. Works on bit masks over record
// kinds: this runs after every event.
function refreshCaches(c: Ctx, w: World): void {
  if (!c.anyCache) return;
  const L = c.L;
  const W = L.cacheWords;
  const live = c.scratchLive;
  const avail = c.scratchAvail;
  liveKinds(c, w, live);
  // a cache is filled only through the key service: while it is down, nothing new is learnt
  if (backendUp(w)) decryptableKinds(c, w, avail);
  else for (let word = 0; word < W; word++) avail[word] = 0;
  const nodes = c.cachingNodes;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    const served = c.formatKinds[c.s.nodeComponent[n]];
    const b = nodeAt(L, n);
    // per-node data keys: filled by the node's own writes and by read events, not by every record
    const running = w[b + N_STATUS] === Status.Running && c.sharedKeys[n] === 1;
    const cache = b + L.cacheOffset;
    if (!running) {
      for (let word = 0; word < W; word++) w[cache + word] &= live[word];
      continue;
    }
    const rel = w[b + N_RELEASE];
    const readable = c.readMask[rel][Math.min(w[b + N_KNOWN + c.releaseKeyState[rel]], L.V)];
    for (let word = 0; word < W; word++) w[cache + word] = (w[cache + word] | (readable[word] & avail[word] & served[word])) & live[word];
  }
}

// Could this kind of event ever be enabled in this scenario (for node n)? Leaving out the
// ones that cannot keeps the engines from asking every guard about them in every state.
function possible(c: Ctx, kind: number, n: number): boolean {
  const s = c.s;
  const declared = (f: FaultName) => c.faultBudget > 0 && s.faults.some((x) => x.name === f);
  const comp = n >= 0 ? s.components[s.nodeComponent[n]] : null;
  switch (kind) {
    case K.Step:
      return n < 0 || c.rbNodes.includes(n);
    case K.Remediate:
    case K.DecideRollback:
      return true;
    case K.PluginCrash:
      return declared('plugin-crash') && c.rbNodes.includes(n);
    case K.ApiServerRestart:
      return declared('api-server-restart') && !!comp?.cachesDataKeys;
    case K.ImageReplaceFails:
      return declared('image-replace-fails');
    case K.ConfigDrift:
      return declared('config-drift');
    case K.BackendOutage:
    case K.BackendRecovers:
      return declared('backend-outage');
    case K.RotationStarts:
      return declared('rotation-starts');
    case K.RotationCompletes:
      return declared('rotation-starts') || s.keyrings.some((k) => k.rotationInProgress);
    case K.MigrationFails:
      return declared('migration-fails');
    case K.MigrationInterrupted:
      return declared('migration-interrupted');
    case K.RewrapInterrupted:
      return declared('rewrap-interrupted');
    case K.DistributionIncomplete:
      return declared('distribution-incomplete');
    case K.ForcedFailover:
      return declared('forced-failover') && !!comp?.activePassive;
    case K.Failover:
      return !!comp?.activePassive;
    case K.TimePasses:
      return s.clockHorizonDays > 0;
    case K.Write:
      return s.workload.writes;
    case K.ReportKeyId:
      return s.workload.writes && !!comp && comp.releases.some((r) => s.releases[r].encryptReportsKeyId === 'separately');
    case K.Read:
      return !!comp?.cachesDataKeys && comp.dataKeys === 'per-node';
    case K.CacheExpires:
      return !!comp?.cachesDataKeys;
  }
  return true;
}

// Every event that could apply in some world of this scenario: the alphabet engines draw from.
export function alphabet(c: Ctx): Ev[] {
  const out: Ev[] = [];
  EVENT_KINDS.forEach((name, kind) => {
    if (NODE_EVENTS.has(name)) {
      if (name === 'step') out.push(ev(kind));
      for (let n = 0; n < c.s.nodeCount; n++) if (possible(c, kind, n)) out.push(ev(kind, n));
    } else if (KEYRING_EVENTS.has(name)) {
      if (possible(c, kind, -1)) for (let kr = 0; kr < c.s.keyrings.length; kr++) out.push(ev(kind, -1, kr));
    } else if (possible(c, kind, -1)) out.push(ev(kind));
  });
  return out;
}

