// The properties rollsafe checks, as data: a name, a kind, a category and an explanation a
// reviewer can read, plus the predicate. `state` properties are judged on every reachable
// world, `edge` properties on a step from one world to the next, and `eventually` ones by the
// engine over the whole explored graph. Data and key properties live here; fleet and release
// properties in properties-fleet.ts.
import type { Ctx } from './semantics.js';
import { activeNode, decryptable, decryptableKinds, keyringsChanged, isRunning, knownVersion, liveCount, releaseOf, releaseReadsKind, runningAgreeOnKeyId, serves, totalRecords } from './semantics.js';
import { type PropertyDef, hit, kindsLabel, names } from './properties-common.js';
import { unreadableAfterInstall } from './checks.js';
import { type World, DATA_BACKUP, KEYS_BACKUP, K_DELETED, K_GEN, K_LATEST, K_RECREATED, N_KNOWN, N_RELEASE, N_STATUS, PHASE, Phase, Status, cached, isEndedPhase, keyringAt, nodeAt } from './world.js';
import { FLEET_PROPERTIES } from './properties-fleet.js';
import { KEY_PROPERTIES } from './properties-keys.js';
import { SOMETIMES_PROPERTIES } from './properties-sometimes.js';

export type { BlastRadius, Category, PropertyDef, PropertyHit, PropertyKind, Trigger } from './properties-common.js';

// Steps that can take a key version out of use (rotate-keys too, under a keep-versions policy).
const KEY_RETIRING_STEPS = ['raise-min-decryption-version', 'trim-key-versions', 'retire-old-keys', 'disable-key-version', 'schedule-key-deletion', 'delete-key', 'recreate-key', 'rotate-keys'];

const unknownKeyId: PropertyDef = {
  name: 'no-unknown-key-id-decrypt',
  kind: 'always',
  category: 'safety',
  harm: 'records-unreadable',
  explanation:
    "A serving node is never asked to decrypt a record whose key_id, wire format or AAD shape its release cannot read. While its API server still holds that record's data key in cache the harm is latent: it shows at the next restart or cache expiry.",
  trigger: { text: 'a running node meets a live record', recordsMet: true },
  state(c, w) {
    if (!someNodeMisreads(c, w)) return null;
    // allocated on the first failure only: this runs on every new state
    let nodes: number[] | null = null;
    let kinds: Set<number> | null = null;
    let manifest = false;
    for (let n = 0; n < c.s.nodeCount; n++) {
      if (!isRunning(c, w, n)) continue;
      const ci = c.s.nodeComponent[n];
      if (c.s.components[ci].activePassive && activeNode(c, w, ci) !== n) continue; // standbys forward
      const rel = releaseOf(c, w, n);
      const known = knownVersion(c, w, n);
      for (let k = 0; k < c.L.kinds; k++) {
        if (liveCount(c, w, k) === 0 || !serves(c, n, k) || c.kindFormat[k] === c.s.unreadableFormat) continue;
        if (!decryptable(c, w, k)) continue; // the keyring lost it: no-unreadable-record
        if (releaseReadsKind(c, rel, k, known)) continue;
        nodes ??= [];
        kinds ??= new Set();
        if (!nodes.includes(n)) nodes.push(n);
        kinds.add(k);
        if (!cached(w, c.L, n, k)) manifest = true;
      }
    }
    if (!nodes || !kinds) return null;
    const ks = [...kinds];
    const h = hit(this.name, `${names(c, nodes)} cannot decrypt ${kindsLabel(c, ks)}${manifest ? '' : ' (its cache still hides it)'}`, c, w, ks, nodes);
    if (!manifest) h.latent = true;
    return h;
  },
};

// The check above by cache words: a running node (the active one of an active/passive
// component) serves a live, decryptable record kind, not half-migrated, that its release
// cannot read at the version it knows. False says the property holds; true, that it must look.
function someNodeMisreads(c: Ctx, w: World): boolean {
  const L = c.L;
  const W = L.cacheWords;
  const ok = c.scratchKinds; // live, decryptable and not half-migrated
  decryptableKinds(c, w, ok);
  let any = 0;
  for (let word = 0, k = 0; word < W; word++) {
    let live = 0;
    const end = Math.min(L.kinds, k + 31);
    for (let bit = 0; k < end; k++, bit++) if (w[L.recordBase + k] !== 0) live |= 1 << bit;
    ok[word] &= live & ~c.unreadableKinds[word];
    any |= ok[word];
  }
  if (any === 0) return false;
  for (let n = 0; n < c.s.nodeCount; n++) {
    const b = nodeAt(L, n);
    if (w[b + N_STATUS] !== Status.Running) continue;
    const ci = c.s.nodeComponent[n];
    if (c.s.components[ci].activePassive && activeNode(c, w, ci) !== n) continue;
    const rel = w[b + N_RELEASE];
    const known = w[b + N_KNOWN + c.releaseKeyState[rel]];
    if (known < 0 || known > L.V) return true; // beyond the read masks: ask kind by kind
    const readable = c.readMask[rel][known];
    const served = c.formatKinds[ci];
    for (let word = 0; word < W; word++) if ((ok[word] & served[word] & ~readable[word]) !== 0) return true;
  }
  return false;
}

const oneWayRollback: PropertyDef = {
  name: 'no-one-way-rollback',
  kind: 'always',
  category: 'safety',
  harm: 'records-unreadable',
  explanation:
    'A rollback never reinstalls a release that cannot read every live record (wire format, AAD shape, key version it has promoted, data a migration rewrote), nor crosses a release marked one-way.',
  trigger: { text: 'a rollback reinstalls a release', stepsIn: { 'rolling-back': ['replace-image'] } },
  edge(c, prev, next) {
    if (prev[PHASE] !== Phase.RollingBack || !someNodeRolledBack(c, prev, next)) return null;
    const nodes: number[] = [];
    const kinds = new Set<number>();
    let oneWay = false;
    for (const n of c.rbNodes) {
      const from = prev[nodeAt(c.L, n) + N_RELEASE];
      const to = next[nodeAt(c.L, n) + N_RELEASE];
      if (from === to || c.s.releases[to].order >= c.s.releases[from].order) continue;
      const bad = unreadableAfterInstall(c, next, n).filter((k) => c.kindFormat[k] !== c.s.unreadableFormat);
      // crossing a one-way release matters while data it wrote is still live (not restored away)
      const touched = c.s.releases[from].oneWay && wroteLive(c, next, from);
      if (touched) oneWay = true;
      if (bad.length > 0 || touched) nodes.push(n);
      for (const k of bad) kinds.add(k);
    }
    if (nodes.length === 0) return null;
    const ks = [...kinds];
    const to = c.s.releases[next[nodeAt(c.L, nodes[0]) + N_RELEASE]].name;
    const what = oneWay ? 'crosses a one-way release' : `cannot read ${kindsLabel(c, ks)}`;
    const h = hit(this.name, `rollback of ${names(c, nodes)} to ${to} ${what}`, c, next, ks, nodes);
    if (oneWay) h.blast.recordsAffected = h.blast.recordsTotal;
    return h;
  },
};

// A runbook node went back to an older release in this step (most rollback steps move none):
// the loop above, before it allocates anything.
function someNodeRolledBack(c: Ctx, prev: World, next: World): boolean {
  for (const n of c.rbNodes) {
    const from = prev[nodeAt(c.L, n) + N_RELEASE];
    const to = next[nodeAt(c.L, n) + N_RELEASE];
    if (from !== to && c.s.releases[to].order < c.s.releases[from].order) return true;
  }
  return false;
}

function wroteLive(c: Ctx, w: World, release: number): boolean {
  for (let k = 0; k < c.L.kinds; k++) if (liveCount(c, w, k) > 0 && c.kindWriter[k] === release) return true;
  return false;
}

// Records nothing can read any more: the key service cannot decrypt them (version trimmed,
// below the minimum, disabled, destroyed, newer than the keyring, or its key deleted or
// replaced by other material), or no release of the component reads their format (a
// half-finished migration). Recoverable while a backup exists and the runbook is still
// running; lost once it ends, or with no backup at all.
function unreadableKinds(c: Ctx, w: World): number[] {
  const out: number[] = [];
  for (let k = 0; k < c.L.kinds; k++) {
    if (liveCount(c, w, k) === 0) continue;
    if (!decryptable(c, w, k) || c.kindFormat[k] === c.s.unreadableFormat) out.push(k);
  }
  return out;
}

// unreadableKinds(c, w).length > 0, without building the list: a live kind that is not
// decryptable or is half-migrated.
function someUnreadable(c: Ctx, w: World): boolean {
  const L = c.L;
  const avail = c.scratchKinds;
  decryptableKinds(c, w, avail);
  for (let k = 0; k < L.kinds; k++) {
    if (w[L.recordBase + k] === 0) continue;
    const word = (k / 31) | 0;
    const bit = 1 << k % 31;
    if ((avail[word] & bit) === 0 || (c.unreadableKinds[word] & bit) !== 0) return true;
  }
  return false;
}

// Every running node that serves kind k still holds its data key in cache: a read can land on
// any of them, so one node without it already shows the loss.
function hiddenByCache(c: Ctx, w: World, k: number): boolean {
  if (!c.anyCache || c.kindFormat[k] === c.s.unreadableFormat) return false;
  let any = false;
  for (let n = 0; n < c.s.nodeCount; n++) {
    if (!isRunning(c, w, n) || !serves(c, n, k)) continue;
    if (!cached(w, c.L, n, k)) return false;
    any = true;
  }
  return any;
}

function ended(w: World): boolean {
  const p = w[PHASE];
  return p === Phase.Upgraded || p === Phase.RolledBack || p === Phase.Deferred || p === Phase.Halted;
}

const unreadableRecord: PropertyDef = {
  name: 'no-unreadable-record',
  kind: 'always',
  category: 'safety',
  harm: 'records-unreadable',
  explanation:
    'No data is lost: every live record stays decryptable by the key service (its key version is not trimmed, below the minimum decryption version, disabled, destroyed or newer than the restored keyring, and its key was not deleted or replaced) and readable by some release, unless a backup still holds it while the runbook runs; and no restore drops writes made after its backup. While a cache still holds the data key the loss is latent: it shows at the next restart or cache expiry.',
  trigger: {
    text: 'a key version is retired, trimmed, disabled, scheduled for deletion or rotated past keep-versions, a key is deleted, a restore runs, or a failure leaves data half-migrated',
    steps: [...KEY_RETIRING_STEPS, 'restore', 'recover-from-backup'],
    events: ['migration-fails', 'image-replace-fails', 'rotation-completes'],
    eventIf: {
      'image-replace-fails': (s) => s.faults.some((f) => f.name === 'image-replace-fails' && f.leavesDataUnreadable),
      'rotation-completes': (s) => s.keyrings.some((k) => k.keepVersions > 0),
    },
  },
  state(c, w) {
    if (!someUnreadable(c, w)) return null;
    const ks = unreadableKinds(c, w);
    if (ks.length === 0 || ((w[DATA_BACKUP] === 1 || w[KEYS_BACKUP] === 1) && !ended(w))) return null;
    const latent = ks.every((k) => hiddenByCache(c, w, k));
    const h = hit(this.name, `no release and key version can read ${kindsLabel(c, ks)}${latent ? ' (a cache still hides it)' : ''}`, c, w, ks, []);
    if (latent) h.latent = true;
    return h;
  },
  edge(c, prev, next) {
    if (next[DATA_BACKUP] === 0) return null; // only a restore of the records shrinks the store
    const before = totalRecords(c, prev);
    const after = totalRecords(c, next);
    if (after >= before) return null;
    const h = hit(this.name, `a restore dropped ${before - after} records written after the backup was taken`, c, next, [], []);
    h.blast.recordsAffected = before - after;
    h.blast.recordsTotal = before;
    return h;
  },
};

const prematureRetirement: PropertyDef = {
  name: 'no-premature-retirement',
  kind: 'always',
  category: 'safety',
  harm: 'records-unreadable',
  explanation:
    'A key version is never trimmed, disabled, scheduled for deletion, destroyed, deleted with its key or put below the minimum decryption version while live records still depend on it.',
  trigger: {
    text: 'a key version is retired, trimmed, disabled, scheduled for deletion or rotated past keep-versions, or a key is deleted',
    steps: KEY_RETIRING_STEPS,
    events: ['rotation-completes'],
    eventIf: { 'rotation-completes': (s) => s.keyrings.some((k) => k.keepVersions > 0) },
  },
  edge(c, prev, next) {
    // decryptability depends on the keyrings alone: most steps leave them as they were
    if (!keyringsChanged(c, prev, next)) return null;
    let ks: number[] | null = null;
    for (let k = 0; k < c.L.kinds; k++) {
      if (liveCount(c, next, k) === 0 || !decryptable(c, prev, k) || decryptable(c, next, k)) continue;
      const b = keyringAt(c.L, c.kindKeyring[k]);
      // a restore that brought back an older keyring or another cluster's key is not a
      // retirement: no-unreadable-record judges what it did
      if (next[b + K_LATEST] < prev[b + K_LATEST] || c.kindVersion[k] > next[b + K_LATEST]) continue;
      if (next[b + K_GEN] !== prev[b + K_GEN] && next[b + K_RECREATED] === prev[b + K_RECREATED]) continue;
      (ks ??= []).push(k);
    }
    if (!ks) return null;
    const how = describeRetirement(c, prev, next, ks[0]);
    return hit(this.name, `${how} while ${kindsLabel(c, ks)} still depend on it`, c, next, ks, []);
  },
};

function describeRetirement(c: Ctx, prev: World, next: World, k: number): string {
  const b = keyringAt(c.L, c.kindKeyring[k]);
  const name = c.s.keyrings[c.kindKeyring[k]].name;
  if (next[b + K_DELETED] === 1 && prev[b + K_DELETED] === 0) return `key ${name} was deleted`;
  if (next[b + K_RECREATED] !== prev[b + K_RECREATED]) return `key ${name} was re-created with new key material`;
  return `key ${name} v${c.kindVersion[k]} stopped decrypting`;
}

const keyIdAgreement: PropertyDef = {
  name: 'key-id-agreement',
  kind: 'always',
  category: 'safety',
  harm: 'nodes-disagree',
  explanation: 'When the runbook ends (upgraded or rolled back), every running node of a component reports the same key_id hash.',
  trigger: { text: 'the runbook ends (upgraded or rolled back)', entered: ['upgraded', 'rolled-back'] },
  edge(c, prev, next) {
    const endedNow = (next[PHASE] === Phase.Upgraded || next[PHASE] === Phase.RolledBack) && prev[PHASE] !== next[PHASE];
    if (!endedNow || runningAgreeOnKeyId(c, next)) return null;
    const nodes = c.rbNodes.filter((n) => isRunning(c, next, n));
    return hit(this.name, 'the runbook ended with running nodes reporting different key_id hashes', c, next, [], nodes);
  },
};

const terminates: PropertyDef = {
  name: 'runbook-terminates',
  kind: 'eventually',
  category: 'liveness',
  harm: 'runbook-stuck',
  explanation:
    'From every reachable state the runbook can still end: upgraded, rolled back, or deferred/halted with a reason. A state from which no end is reachable is stuck.',
  trigger: { text: 'any state is explored' },
  goal: (_c, w) => isEndedPhase(w[PHASE]),
  goalInPhase: isEndedPhase,
  stuck: 'from this state no sequence of steps ends the runbook',
};

const availability: PropertyDef = {
  name: 'availability',
  kind: 'always',
  category: 'availability',
  harm: 'service-down',
  explanation:
    "Outside a declared maintenance window each of the runbook's components always keeps at least one running node. Reported as availability loss, separate from safety.",
  trigger: { text: 'a node stops or fails outside a maintenance window', steps: ['stop'], events: ['plugin-crash', 'image-replace-fails'] },
  applies: (s) => !s.runbook.maintenanceWindow,
  state(c, w) {
    if (c.s.runbook.maintenanceWindow) return null;
    for (const ci of c.s.runbook.components) {
      const comp = c.s.components[ci];
      let up = false;
      for (let i = 0; i < comp.nodes && !up; i++) up = isRunning(c, w, comp.firstNode + i);
      if (!up) {
        const nodes = Array.from({ length: comp.nodes }, (_, i) => comp.firstNode + i);
        return { property: this.name, detail: `no node of ${comp.name} is running`, blast: { recordsAffected: totalRecords(c, w), recordsTotal: totalRecords(c, w), nodes } };
      }
    }
    return null;
  },
};

export const PROPERTIES: PropertyDef[] = [
  unknownKeyId,
  oneWayRollback,
  unreadableRecord,
  prematureRetirement,
  keyIdAgreement,
  ...KEY_PROPERTIES,
  ...FLEET_PROPERTIES,
  terminates,
  availability,
  ...SOMETIMES_PROPERTIES,
];

export const PROPERTY_NAMES = PROPERTIES.map((p) => p.name);

