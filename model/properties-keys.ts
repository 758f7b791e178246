// Properties about key identity and the key service: a key_id that names two key materials, a
// key_id reported apart from the ciphertext it describes, and reads the runbook leaves with
// neither a cached data key nor a key service that can decrypt.
import type { Ctx } from './semantics.js';
import { activeNode, backendUp, decryptable, isRunning, keyIdNamesMaterial, keyLost, keyringsChanged, knownVersion, liveCount, releaseOf, releaseReadsKind, serves } from './semantics.js';
import { type PropertyDef, hit, kindsLabel, names } from './properties-common.js';
import { type World, K_DELETED, K_GEN, K_LATEST, N_GEN, N_KNOWN, N_PENDING, N_RELEASE, N_ROLE, PC, PHASE, STAGE, VERIFY_FAILED, cached, keyringAt, nodeAt } from './world.js';

const keyIdReuse: PropertyDef = {
  name: 'no-key-id-reuse',
  kind: 'always',
  category: 'safety',
  harm: 'records-unreadable',
  explanation:
    "One key_id never names two different key materials while records of the older one are live: a key deleted and re-created under the same name must not hand out the deleted key's key_ids (its release's key-id-scheme decides).",
  applies: (s) => s.generations > 1,
  trigger: { text: 'a key is re-created, or a keyring restored from another cluster', steps: ['recreate-key', 'restore'] },
  state(c, w) {
    let ks: number[] | null = null;
    for (let k = 0; k < c.L.kinds; k++) {
      if (liveCount(c, w, k) === 0) continue;
      const b = keyringAt(c.L, c.kindKeyring[k]);
      if (c.kindGen[k] === w[b + K_GEN] || w[b + K_DELETED] === 1) continue;
      if (keyIdNamesMaterial(c, c.s.releases[c.kindWriter[k]].keyIdScheme)) continue;
      if (c.kindVersion[k] <= w[b + K_LATEST]) (ks ??= []).push(k);
    }
    if (!ks) return null;
    const k0 = ks[0];
    const name = c.s.keyrings[c.kindKeyring[k0]].name;
    return hit(this.name, `key_id ${name}:v${c.kindVersion[k0]} now names new key material while ${kindsLabel(c, ks)} under the old material are live`, c, w, ks, []);
  },
};

const statusEncryptAgreement: PropertyDef = {
  name: 'status-encrypt-agreement',
  kind: 'always',
  category: 'safety',
  harm: 'nodes-disagree',
  explanation:
    'The key_id a node reports for a write (in the encrypt response and in Status) names the key version inside the ciphertext it returned: a key_id read from the key service apart from the encrypt call can name a version a rotation made newer in between.',
  applies: (s) => s.releases.some((r) => r.encryptReportsKeyId === 'separately'),
  trigger: { text: 'a node reports the key_id of an encrypt it made apart from it', events: ['report-key-id'] },
  edge(c, prev, next) {
    for (let n = 0; n < c.s.nodeCount; n++) {
      const b = nodeAt(c.L, n);
      const pending = prev[b + N_PENDING];
      if (pending === 0 || next[b + N_PENDING] !== 0) continue;
      const reported = knownVersion(c, next, n);
      if (reported !== pending) {
        return hit(this.name, `${names(c, [n])} reported key_id v${reported} for a ciphertext encrypted under v${pending}`, c, next, [], [n]);
      }
    }
    return null;
  },
};

// Reads caching node n cannot serve: the data key is not in its cache and the key service
// cannot decrypt it now (down, or the version not enabled), though the release reads the record.
function failingReads(c: Ctx, w: World, n: number, out: number[]): void {
  const rel = releaseOf(c, w, n);
  const known = knownVersion(c, w, n);
  const up = backendUp(w);
  for (let k = 0; k < c.L.kinds; k++) {
    if (liveCount(c, w, k) === 0 || !serves(c, n, k) || cached(w, c.L, n, k)) continue;
    if (!releaseReadsKind(c, rel, k, known)) continue; // no-unknown-key-id-decrypt's business
    if ((up && decryptable(c, w, k)) || keyLost(c, w, k)) continue; // lost keys: no-unreadable-record's
    out.push(n * c.L.kinds + k);
  }
}

// The operator did something in this step: the runbook's position or its verification moved.
function runbookMoved(c: Ctx, prev: World, next: World): boolean {
  if (prev[PHASE] !== next[PHASE] || prev[STAGE] !== next[STAGE] || prev[PC] !== next[PC] || prev[VERIFY_FAILED] !== next[VERIFY_FAILED]) return true;
  for (const n of c.rbNodes) if (prev[nodeAt(c.L, n) + N_ROLE] !== next[nodeAt(c.L, n) + N_ROLE]) return true;
  return false;
}

// Could node n's reads have broken in this step? Only if it lost cache entries, changed what it
// runs or knows, or the world around it changed (keyrings, backend, new record kinds).
function mayHaveBroken(c: Ctx, prev: World, next: World, n: number, worldChanged: boolean): boolean {
  if (worldChanged) return true;
  const b = nodeAt(c.L, n);
  // what it runs and what it knows (its place in the runbook, N_ROLE, does not matter here)
  if (prev[b + N_RELEASE] !== next[b + N_RELEASE] || prev[b + N_GEN] !== next[b + N_GEN]) return true;
  for (let i = N_KNOWN; i < c.L.cacheOffset; i++) if (prev[b + i] !== next[b + i]) return true;
  for (let i = 0; i < c.L.cacheWords; i++) if ((prev[b + c.L.cacheOffset + i] & ~next[b + c.L.cacheOffset + i]) !== 0) return true;
  return false;
}

function newKinds(c: Ctx, prev: World, next: World): boolean {
  for (let k = 0; k < c.L.kinds; k++) if (liveCount(c, prev, k) === 0 && liveCount(c, next, k) !== 0) return true;
  return false;
}

const before: number[] = [];
const after: number[] = [];

const readsServed: PropertyDef = {
  name: 'reads-served',
  kind: 'always',
  category: 'availability',
  harm: 'reads-refused',
  explanation:
    "The runbook never leaves a caching node unable to serve a record its release reads: a read is served from the node's data-key cache, or else needs the key service up and the key version enabled. A step that flushes caches during a backend outage, or disables a version uncached reads need, breaks reads.",
  applies: (s) => s.components.some((comp) => comp.cachesDataKeys),
  trigger: {
    text: 'a runbook step flushes a cache, takes a key version out of use, or runs during a backend outage',
    steps: ['restart-api-server', 'disable-key-version', 'schedule-key-deletion', 'raise-min-decryption-version', 'trim-key-versions', 'retire-old-keys', 'delete-key', 'recreate-key', 'restore'],
    events: ['backend-outage'],
  },
  edge(c, prev, next) {
    if (!runbookMoved(c, prev, next)) return null; // the environment alone (an outage) is not the runbook's doing
    const worldChanged = backendUp(prev) !== backendUp(next) || keyringsChanged(c, prev, next) || newKinds(c, prev, next);
    before.length = 0;
    after.length = 0;
    for (let n = 0; n < c.s.nodeCount; n++) {
      const ci = c.s.nodeComponent[n];
      const comp = c.s.components[ci];
      // a node the step just started was serving nobody before: whether it may take traffic
      // is verify-ready's business, not a read this step broke
      if (!comp.cachesDataKeys || !isRunning(c, prev, n) || !isRunning(c, next, n)) continue;
      if (comp.activePassive && activeNode(c, next, ci) !== n) continue;
      if (!mayHaveBroken(c, prev, next, n, worldChanged)) continue;
      failingReads(c, next, n, after);
      if (after.length > 0) failingReads(c, prev, n, before);
    }
    if (after.length === 0) return null;
    const fresh = after.filter((code) => !before.includes(code));
    if (fresh.length === 0) return null;
    const nodes = [...new Set(fresh.map((code) => Math.floor(code / c.L.kinds)))];
    const ks = [...new Set(fresh.map((code) => code % c.L.kinds))];
    const why = backendUp(next) ? 'the key service cannot decrypt them' : 'the key service is down';
    return hit(this.name, `${names(c, nodes)} cannot serve reads of ${kindsLabel(c, ks)}: not in cache, and ${why}`, c, next, ks, nodes);
  },
};

export const KEY_PROPERTIES: PropertyDef[] = [keyIdReuse, statusEncryptAgreement, readsServed];
