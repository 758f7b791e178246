// The properties rollsafe checks, as data: a name, a kind, a category and an explanation a
// reviewer can read, plus the predicate. `state` properties are judged on every reachable
// world, `edge` properties on a step from one world to the next, and `eventually` ones by the
// engine over the whole explored graph.
import type { Ctx } from './semantics.js';
import { isRunning, liveCount, nodeReads, runbookNodes, runningAgreeOnKeyId, totalRecords, keyAvailable } from './semantics.js';
import { unreadableAfterInstall } from './checks.js';
import { type World, N_RELEASE, PHASE, Phase, cached, nodeAt } from './world.js';

export interface BlastRadius {
  recordsAffected: number;
  recordsTotal: number;
  nodes: number[]; // node indices
}

export interface PropertyHit {
  property: string;
  detail: string; // what is wrong in this world, in the runbook's words
  blast: BlastRadius;
}

export type PropertyKind = 'always' | 'eventually';
export type Category = 'safety' | 'liveness' | 'availability';

export interface PropertyDef {
  name: string;
  kind: PropertyKind;
  category: Category;
  explanation: string;
  state?: (c: Ctx, w: World) => PropertyHit | null;
  edge?: (c: Ctx, prev: World, next: World) => PropertyHit | null;
}

function names(c: Ctx, nodes: number[]): string {
  return nodes.map((n) => c.s.nodeNames[n]).join(', ');
}

function kindsLabel(c: Ctx, kinds: number[]): string {
  return kinds
    .map((k) => {
      const r = c.L.R;
      const writer = k % r;
      return `key v${c.kindVersion[k]} ${c.s.wireFormats[c.kindFormat[k]]}/${c.s.aadShapes[c.kindAad[k]]} (written by ${c.s.releases[writer].name})`;
    })
    .join('; ');
}

const unknownKeyId: PropertyDef = {
  name: 'no-unknown-key-id-decrypt',
  kind: 'always',
  category: 'safety',
  explanation:
    'A serving node is never asked to decrypt a record whose key_id, wire format or AAD shape its release cannot read, unless its API server still holds that record\'s data key in cache.',
  state(c, w) {
    const nodes: number[] = [];
    const kinds = new Set<number>();
    for (let n = 0; n < c.s.nodeCount; n++) {
      if (!isRunning(c, w, n)) continue;
      for (let k = 0; k < c.L.kinds; k++) {
        if (liveCount(c, w, k) === 0 || !keyAvailable(c, w, c.kindVersion[k])) continue;
        if (!nodeReads(c, w, n, k) && !cached(w, c.L, n, k)) {
          if (!nodes.includes(n)) nodes.push(n);
          kinds.add(k);
        }
      }
    }
    if (nodes.length === 0) return null;
    const ks = [...kinds];
    return {
      property: this.name,
      detail: `${names(c, nodes)} cannot decrypt ${kindsLabel(c, ks)}`,
      blast: { recordsAffected: ks.reduce((a, k) => a + liveCount(c, w, k), 0), recordsTotal: totalRecords(c, w), nodes },
    };
  },
};

const oneWayRollback: PropertyDef = {
  name: 'no-one-way-rollback',
  kind: 'always',
  category: 'safety',
  explanation:
    'A rollback never reinstalls a release that cannot read every live record (wire format, AAD shape, key version it has promoted), nor crosses a release marked one-way.',
  edge(c, prev, next) {
    if (prev[PHASE] !== Phase.RollingBack) return null;
    // cheap scan first: most rollback steps reinstall nothing
    let changed = false;
    for (const n of runbookNodes(c)) if (prev[nodeAt(c.L, n) + N_RELEASE] !== next[nodeAt(c.L, n) + N_RELEASE]) changed = true;
    if (!changed) return null;
    const nodes: number[] = [];
    const kinds = new Set<number>();
    let oneWay = false;
    for (const n of runbookNodes(c)) {
      const from = prev[nodeAt(c.L, n) + N_RELEASE];
      const to = next[nodeAt(c.L, n) + N_RELEASE];
      if (from === to || c.s.releases[to].order >= c.s.releases[from].order) continue;
      const bad = unreadableAfterInstall(c, next, n);
      if (c.s.releases[from].oneWay) oneWay = true;
      if (bad.length > 0 || c.s.releases[from].oneWay) nodes.push(n);
      for (const k of bad) kinds.add(k);
    }
    if (nodes.length === 0) return null;
    const ks = [...kinds];
    const what = oneWay ? 'crosses a one-way release' : `cannot read ${kindsLabel(c, ks)}`;
    return {
      property: this.name,
      detail: `rollback of ${names(c, nodes)} to ${c.s.releases[next[nodeAt(c.L, nodes[0]) + N_RELEASE]].name} ${what}`,
      blast: {
        recordsAffected: oneWay ? totalRecords(c, next) : ks.reduce((a, k) => a + liveCount(c, next, k), 0),
        recordsTotal: totalRecords(c, next),
        nodes,
      },
    };
  },
};

const unreadableRecord: PropertyDef = {
  name: 'no-unreadable-record',
  kind: 'always',
  category: 'safety',
  explanation:
    'Every live record stays decryptable by the keyring: its key version is not trimmed, below the minimum decryption version, or newer than the keyring holds.',
  state(c, w) {
    const ks: number[] = [];
    for (let k = 0; k < c.L.kinds; k++) if (liveCount(c, w, k) > 0 && !keyAvailable(c, w, c.kindVersion[k])) ks.push(k);
    if (ks.length === 0) return null;
    return {
      property: this.name,
      detail: `the keyring can no longer decrypt ${kindsLabel(c, ks)}`,
      blast: { recordsAffected: ks.reduce((a, k) => a + liveCount(c, w, k), 0), recordsTotal: totalRecords(c, w), nodes: [] },
    };
  },
};

const keyIdAgreement: PropertyDef = {
  name: 'key-id-agreement',
  kind: 'always',
  category: 'safety',
  explanation: 'When the runbook ends (upgraded or rolled back), every running node reports the same key_id hash.',
  edge(c, prev, next) {
    const ended =
      (next[PHASE] === Phase.Upgraded || next[PHASE] === Phase.RolledBack) && prev[PHASE] !== next[PHASE];
    if (!ended || runningAgreeOnKeyId(c, next)) return null;
    const nodes = runbookNodes(c).filter((n) => isRunning(c, next, n));
    return {
      property: this.name,
      detail: `the runbook ended with running nodes reporting different key_id hashes`,
      blast: { recordsAffected: 0, recordsTotal: totalRecords(c, next), nodes },
    };
  },
};

const terminates: PropertyDef = {
  name: 'runbook-terminates',
  kind: 'eventually',
  category: 'liveness',
  explanation:
    'From every reachable state the runbook can still end: upgraded, rolled back, or deferred/halted with a reason. A state from which no end is reachable is stuck.',
};

const availability: PropertyDef = {
  name: 'availability',
  kind: 'always',
  category: 'availability',
  explanation:
    'Outside a declared maintenance window the runbook\'s component always keeps at least one running node. Reported as availability loss, separate from safety.',
  state(c, w) {
    if (c.s.runbook.maintenanceWindow) return null;
    const nodes = runbookNodes(c);
    if (nodes.some((n) => isRunning(c, w, n))) return null;
    return {
      property: this.name,
      detail: `no node of ${c.s.components[c.s.runbook.component].name} is running`,
      blast: { recordsAffected: totalRecords(c, w), recordsTotal: totalRecords(c, w), nodes },
    };
  },
};

export const PROPERTIES: PropertyDef[] = [unknownKeyId, oneWayRollback, unreadableRecord, keyIdAgreement, terminates, availability];

export const PROPERTY_NAMES = PROPERTIES.map((p) => p.name);

export function propertyDef(name: string): PropertyDef {
  const p = PROPERTIES.find((x) => x.name === name);
  if (!p) throw new Error(`unknown property ${name}`);
  return p;
}
