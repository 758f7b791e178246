// Small pure questions about a world: who can read what, what key_id a node reports, where the
// operator is in the runbook. Events (events.ts) and properties (properties.ts) are built on
// these, so the XState machine and the explorer's fast path share one definition.
import type { CompiledScenario, Procedure, Release, Stage, Step } from './types.js';
import {
  type Layout,
  type World,
  BACKEND_DOWN,
  K_DELETED,
  K_GEN,
  K_LATEST,
  K_MIN_AVAILABLE,
  K_MIN_DECRYPT,
  K_VERSIONS,
  N_GEN,
  N_KNOWN,
  N_RELEASE,
  N_ROLE,
  N_STATUS,
  N_DRIFT,
  N_ACTIVE,
  STAGE,
  PC,
  PHASE,
  Phase,
  Role,
  Status,
  VersionState,
  keyringAt,
  kindOf,
  nodeAt,
} from './world.js';
import { countOpen } from './stage-nodes.js';
import type { Ctx, Position } from './context.js';

export type { Ctx, Position };

export function makeCtx(s: CompiledScenario, L: Layout, faultBudget = s.bounds.maxFaults): Ctx {
  const kindKeyring = new Int32Array(L.kinds);
  const kindGen = new Int32Array(L.kinds);
  const kindVersion = new Int32Array(L.kinds);
  const kindFormat = new Int32Array(L.kinds);
  const kindAad = new Int32Array(L.kinds);
  const kindWriter = new Int32Array(L.kinds);
  const kindDataKey = new Int32Array(L.kinds);
  for (let k = 0; k < L.kinds; k++) {
    const kd = kindOf(L, k);
    kindKeyring[k] = kd.keyring;
    kindGen[k] = kd.gen;
    kindVersion[k] = kd.keyVersion;
    kindFormat[k] = kd.format;
    kindAad[k] = kd.aad;
    kindWriter[k] = kd.writer;
    kindDataKey[k] = kd.dataKey;
  }
  const readsVersion = (rel: Release, v: number, known: number) => (rel.decryptsWith === 'latest' ? v === known : v <= known);
  const rbNodes: number[] = [];
  for (const ci of s.runbook.components) {
    const comp = s.components[ci];
    for (let i = 0; i < comp.nodes; i++) rbNodes.push(comp.firstNode + i);
  }
  const readMask = s.releases.map((rel) =>
    Array.from({ length: L.V + 1 }, (_, known) => {
      const m = new Int32Array(L.cacheWords);
      for (let k = 0; k < L.kinds; k++) {
        const ok = ((rel.readsFormats >> kindFormat[k]) & 1) === 1 && ((rel.readsAad >> kindAad[k]) & 1) === 1 && readsVersion(rel, kindVersion[k], known);
        if (ok) m[(k / 31) | 0] |= 1 << k % 31;
      }
      return m;
    }),
  );
  const formatKinds = s.components.map((comp) => {
    const m = new Int32Array(L.cacheWords);
    for (let k = 0; k < L.kinds; k++) if ((comp.formats >> kindFormat[k]) & 1 && kindKeyring[k] === comp.keyring) m[(k / 31) | 0] |= 1 << k % 31;
    return m;
  });
  const versionKinds = new Int32Array(L.KR * L.G * L.V * L.cacheWords);
  for (let k = 0; k < L.kinds; k++) versionKinds[((kindKeyring[k] * L.G + kindGen[k] - 1) * L.V + kindVersion[k] - 1) * L.cacheWords + ((k / 31) | 0)] |= 1 << k % 31;
  const caching: number[] = [];
  const sharedKeys = new Uint8Array(s.nodeCount);
  for (let n = 0; n < s.nodeCount; n++) {
    const comp = s.components[s.nodeComponent[n]];
    if (comp.cachesDataKeys) caching.push(n);
    if (comp.dataKeys === 'shared') sharedKeys[n] = 1;
  }
  const unreadableKinds = new Int32Array(L.cacheWords);
  const prevFormatBad = new Int32Array(L.cacheWords);
  const prevAadBad = new Int32Array(L.cacheWords);
  for (let k = 0; k < L.kinds; k++) {
    const word = (k / 31) | 0;
    const bit = 1 << k % 31;
    if (kindFormat[k] === s.unreadableFormat) unreadableKinds[word] |= bit;
    for (const n of rbNodes) {
      const comp = s.components[s.nodeComponent[n]];
      if (((comp.formats >> kindFormat[k]) & 1) !== 1 || kindKeyring[k] !== comp.keyring) continue; // serves()
      const previous = s.releases[comp.initialRelease];
      if (((previous.readsFormats >> kindFormat[k]) & 1) !== 1) prevFormatBad[word] |= bit;
      if (((previous.readsAad >> kindAad[k]) & 1) !== 1) prevAadBad[word] |= bit;
    }
  }
  return {
    s,
    L,
    faultBudget,
    unreadableKinds,
    prevFormatBad,
    prevAadBad,
    scratchKinds: new Int32Array(L.cacheWords),
    versionKinds,
    cachingNodes: Int32Array.from(caching),
    sharedKeys,
    releaseKeyState: Int32Array.from(s.releases, (r) => r.keyState),
    kindKeyring,
    kindGen,
    kindVersion,
    kindFormat,
    kindAad,
    kindWriter,
    kindDataKey,
    rbNodes,
    rbNodesOf: s.components.map((_, ci) => rbNodes.filter((n) => s.nodeComponent[n] === ci)),
    declaredFaults: Object.fromEntries(s.faults.map((f) => [f.name, true])),
    anyCache: s.components.some((c) => c.cachesDataKeys),
    readMask,
    formatKinds,
    scratchLive: new Int32Array(L.cacheWords),
    scratchAvail: new Int32Array(L.cacheWords),
    stageNodes: new Map(),
    posCached: false,
    posSlots: new Int32Array(3 + 2 * rbNodes.length),
    pos: null,
  };
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

// The keyring of the component node n belongs to.
export function keyringOf(c: Ctx, n: number): number {
  return c.s.components[c.s.nodeComponent[n]].keyring;
}

// Can the key service decrypt records of kind k now? Their key must still exist (not deleted,
// not replaced by other key material), and their version must be within the keyring's
// decryptable range and enabled (not disabled, scheduled for deletion or destroyed).
export function decryptable(c: Ctx, w: World, k: number): boolean {
  const b = keyringAt(c.L, c.kindKeyring[k]);
  if (w[b + K_DELETED] === 1 || c.kindGen[k] !== w[b + K_GEN]) return false;
  const v = c.kindVersion[k];
  return v >= w[b + K_MIN_DECRYPT] && v >= w[b + K_MIN_AVAILABLE] && v <= w[b + K_LATEST] && (!c.s.usesVersionStates || w[b + K_VERSIONS + v - 1] === VersionState.Enabled);
}

// The kinds with live records, as cache words into `out`.
export function liveKinds(c: Ctx, w: World, out: Int32Array): void {
  const L = c.L;
  for (let word = 0, k = 0; word < L.cacheWords; word++) {
    let bits = 0;
    const end = Math.min(L.kinds, k + 31);
    for (let bit = 0; k < end; k++, bit++) if (w[L.recordBase + k] !== 0) bits |= 1 << bit;
    out[word] = bits;
  }
}

// Every record kind decryptable() says yes to, as cache words into `out`: per keyring, the
// kinds of its current key material and of each version it can decrypt now.
export function decryptableKinds(c: Ctx, w: World, out: Int32Array): void {
  const L = c.L;
  const W = L.cacheWords;
  for (let i = 0; i < W; i++) out[i] = 0;
  for (let kr = 0; kr < L.KR; kr++) {
    const b = keyringAt(L, kr);
    const gen = w[b + K_GEN];
    if (w[b + K_DELETED] === 1 || gen < 1 || gen > L.G) continue;
    const lo = Math.max(1, w[b + K_MIN_DECRYPT], w[b + K_MIN_AVAILABLE]);
    const hi = Math.min(L.V, w[b + K_LATEST]);
    for (let v = lo; v <= hi; v++) {
      if (c.s.usesVersionStates && w[b + K_VERSIONS + v - 1] !== VersionState.Enabled) continue;
      const at = ((kr * L.G + gen - 1) * L.V + v - 1) * W;
      for (let i = 0; i < W; i++) out[i] |= c.versionKinds[at + i];
    }
  }
}

// Did this step change any keyring (versions, states, material)? Most steps do not.
export function keyringsChanged(c: Ctx, prev: World, next: World): boolean {
  const end = c.L.keyringBase + c.L.KR * c.L.keyringSize;
  for (let i = c.L.keyringBase; i < end; i++) if (prev[i] !== next[i]) return true;
  return false;
}

// Is the key material of kind k gone for good (not just disabled or below a minimum that can
// be lowered again)? Deleted or replaced key, destroyed or trimmed version, or a version the
// keyring does not have.
export function keyLost(c: Ctx, w: World, k: number): boolean {
  const b = keyringAt(c.L, c.kindKeyring[k]);
  if (w[b + K_DELETED] === 1 || c.kindGen[k] !== w[b + K_GEN]) return true;
  const v = c.kindVersion[k];
  return v < w[b + K_MIN_AVAILABLE] || v > w[b + K_LATEST] || (c.s.usesVersionStates && w[b + K_VERSIONS + v - 1] === VersionState.Destroyed);
}

// Can the key service encrypt under version v of keyring kr's key material gen?
export function encryptable(c: Ctx, w: World, kr: number, gen: number, v: number): boolean {
  const b = keyringAt(c.L, kr);
  return w[b + K_DELETED] === 0 && gen === w[b + K_GEN] && v >= 1 && v <= w[b + K_LATEST] && v >= w[b + K_MIN_AVAILABLE] && (!c.s.usesVersionStates || w[b + K_VERSIONS + v - 1] === VersionState.Enabled);
}

export function latestOf(c: Ctx, w: World, kr: number): number {
  return w[keyringAt(c.L, kr) + K_LATEST];
}

export function releaseReadsKind(c: Ctx, rel: Release, k: number, known: number): boolean {
  return (
    ((rel.readsFormats >> c.kindFormat[k]) & 1) === 1 &&
    ((rel.readsAad >> c.kindAad[k]) & 1) === 1 &&
    (rel.decryptsWith === 'latest' ? c.kindVersion[k] === known : c.kindVersion[k] <= known)
  );
}

export function nodeReads(c: Ctx, w: World, n: number, k: number): boolean {
  return releaseReadsKind(c, releaseOf(c, w, n), k, knownVersion(c, w, n)) && decryptable(c, w, k);
}

export function liveCount(c: Ctx, w: World, k: number): number {
  return w[c.L.recordBase + k];
}

export function totalRecords(c: Ctx, w: World): number {
  let t = 0;
  for (let k = 0; k < c.L.kinds; k++) t += w[c.L.recordBase + k];
  return t;
}

// Does a key_id under this scheme change when the key is re-created (new key material)?
export function keyIdNamesMaterial(c: Ctx, scheme: number): boolean {
  return c.s.keyIdDerivation[scheme] === 'key-material';
}

// key_id hash as a comparable number: scheme, config drift, key material (for schemes that
// name it) and promoted version all change it.
export function keyIdOf(c: Ctx, w: World, n: number): number {
  const rel = releaseOf(c, w, n);
  const b = nodeAt(c.L, n);
  const gen = keyIdNamesMaterial(c, rel.keyIdScheme) ? w[b + N_GEN] : 0;
  return ((rel.keyIdScheme * 2 + w[b + N_DRIFT]) * 64 + gen) * 4096 + knownVersion(c, w, n);
}

export function keyIdLabel(c: Ctx, w: World, n: number): string {
  const rel = releaseOf(c, w, n);
  const b = nodeAt(c.L, n);
  const drift = w[b + N_DRIFT] ? '/drifted-config' : '';
  const v = knownVersion(c, w, n);
  const gen = keyIdNamesMaterial(c, rel.keyIdScheme) && w[b + N_GEN] > 1 ? `#key${w[b + N_GEN]}` : '';
  return `${c.s.keyrings[keyringOf(c, n)].name}${gen}:${v > 0 ? `v${v}` : 'no-key-state'}@${c.s.keyIdSchemes[rel.keyIdScheme]}${drift}`;
}


// Running nodes of each component among `nodes` report one key_id.
export function runningAgreeOnKeyId(c: Ctx, w: World, nodes: number[] = c.rbNodes): boolean {
  for (let i = 0; i < nodes.length; i++) {
    if (!isRunning(c, w, nodes[i])) continue;
    const id = keyIdOf(c, w, nodes[i]);
    for (let j = i + 1; j < nodes.length; j++) {
      const m = nodes[j];
      if (c.s.nodeComponent[m] === c.s.nodeComponent[nodes[i]] && isRunning(c, w, m) && keyIdOf(c, w, m) !== id) return false;
    }
  }
  return true;
}

// Key version a node encrypts new records with: its newest, or with staged keys (fernet) the
// one before it, which every node already holds.
export function writeVersion(c: Ctx, w: World, n: number): number {
  const v = knownVersion(c, w, n);
  return c.s.keyrings[keyringOf(c, n)].stagedKeys ? Math.max(1, v - 1) : v;
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

export function stageOf(c: Ctx, w: World): Stage | null {
  return procedureFor(c, w)?.stages[w[STAGE]] ?? null;
}

export function stageNodes(c: Ctx, stage: Stage): number[] {
  let nodes = c.stageNodes.get(stage);
  if (!nodes) {
    nodes = stage.components.flatMap((ci) => {
      const comp = c.s.components[ci];
      return Array.from({ length: comp.nodes }, (_, i) => comp.firstNode + i);
    });
    c.stageNodes.set(stage, nodes);
  }
  return nodes;
}

function role(c: Ctx, w: World, n: number): number {
  return w[nodeAt(c.L, n) + N_ROLE];
}

// Nodes the operator may take next in a one-node-at-a-time stage. standbys-first keeps the
// active node of an active/passive component for last.
export function candidates(c: Ctx, w: World): number[] {
  const stage = stageOf(c, w);
  if (!stage) return [];
  // a counted stage offers its nodes until it has its N (position() does not depend on this:
  // counted stages are never all-at-once, so their candidates are never a cached position)
  const pending = stageNodes(c, stage).filter((n) => role(c, w, n) === Role.Pending && countOpen(c, w, stage, n));
  if (stage.strategy !== 'standbys-first') return pending;
  const standbys = pending.filter((n) => w[nodeAt(c.L, n) + N_ACTIVE] === 0);
  return standbys.length > 0 ? standbys : pending;
}

// candidates(c, w).includes(n) for the stage under way, without building the list.
export function isCandidate(c: Ctx, w: World, stage: Stage, n: number): boolean {
  if (role(c, w, n) !== Role.Pending || !stageNodes(c, stage).includes(n) || !countOpen(c, w, stage, n)) return false;
  if (stage.strategy !== 'standbys-first' || w[nodeAt(c.L, n) + N_ACTIVE] === 0) return true;
  // an active node is offered only when no pending standby is
  for (const m of stageNodes(c, stage)) if (role(c, w, m) === Role.Pending && countOpen(c, w, stage, m) && w[nodeAt(c.L, m) + N_ACTIVE] === 0) return false;
  return true;
}

export function inProgress(c: Ctx, w: World): number[] {
  const stage = stageOf(c, w);
  return stage ? stageNodes(c, stage).filter((n) => role(c, w, n) === Role.InProgress) : [];
}


// position() with a one-entry cache: guards ask for the position of the same world many times
// in a row, and an update asks again of its copy. The cache is checked against every slot
// position() reads (stages act only on the runbook's nodes), so whichever buffer holds the
// world, a stale answer cannot come back.
export function positionOf(c: Ctx, w: World): Position | null {
  const slots = c.posSlots;
  const nodes = c.rbNodes;
  let same = c.posCached && slots[0] === w[PHASE] && slots[1] === w[PC] && slots[2] === w[STAGE];
  for (let i = 0; same && i < nodes.length; i++) {
    const b = nodeAt(c.L, nodes[i]);
    same = slots[3 + 2 * i] === w[b + N_ROLE] && slots[4 + 2 * i] === w[b + N_ACTIVE];
  }
  if (!same) {
    c.pos = position(c, w);
    c.posCached = true;
    slots[0] = w[PHASE];
    slots[1] = w[PC];
    slots[2] = w[STAGE];
    for (let i = 0; i < nodes.length; i++) {
      const b = nodeAt(c.L, nodes[i]);
      slots[3 + 2 * i] = w[b + N_ROLE];
      slots[4 + 2 * i] = w[b + N_ACTIVE];
    }
  }
  return c.pos;
}

// The step the operator runs next, or null when the phase has no next step.
export function position(c: Ctx, w: World): Position | null {
  const stage = stageOf(c, w);
  if (!stage) return null;
  const step = stage.steps[w[PC]];
  if (!step) return null;
  if (stage.strategy === 'once') return { step, stage, targets: stageNodes(c, stage), perNode: false };
  const busy = inProgress(c, w);
  if (busy.length > 0) return { step, stage, targets: busy, perNode: true };
  if (stage.strategy === 'all-at-once') return { step, stage, targets: candidates(c, w), perNode: true };
  return { step, stage, targets: 'choose', perNode: true };
}

// Does node n need this stage's steps? An upgrade stage touches every node; a rollback stage
// only nodes that left the previous release or are not running.
export function needsWork(c: Ctx, w: World, n: number): boolean {
  if (w[PHASE] !== Phase.RollingBack) return true;
  const b = nodeAt(c.L, n);
  return w[b + N_RELEASE] !== c.s.components[c.s.nodeComponent[n]].initialRelease || w[b + N_STATUS] !== Status.Running;
}

export function destinationRelease(c: Ctx, w: World, n: number): number {
  const ci = c.s.nodeComponent[n];
  if (w[PHASE] === Phase.RollingBack) return c.s.components[ci].initialRelease;
  const hop = stageOf(c, w)?.to?.[ci] ?? -1; // a stage may install a release on the way
  if (hop >= 0) return hop;
  const t = c.s.runbook.targets[ci];
  return t >= 0 ? t : w[nodeAt(c.L, n) + N_RELEASE];
}

// Records a node serves: those under its component's keyring, in formats its releases read or write.
export function serves(c: Ctx, n: number, k: number): boolean {
  const comp = c.s.components[c.s.nodeComponent[n]];
  return ((comp.formats >> c.kindFormat[k]) & 1) === 1 && c.kindKeyring[k] === comp.keyring;
}

export function activeNode(c: Ctx, w: World, component: number): number {
  const comp = c.s.components[component];
  for (let i = 0; i < comp.nodes; i++) if (w[nodeAt(c.L, comp.firstNode + i) + N_ACTIVE]) return comp.firstNode + i;
  return -1;
}
