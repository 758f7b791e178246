// Properties about releases across the fleet: supported upgrade paths and rollback windows,
// dependency order between components, compatible releases when the runbook ends, writers
// sharing a store, and failover to an older active node.
import type { Ctx } from './semantics.js';
import { activeNode, isRunning, liveCount, releaseOf, releaseReadsKind, serves } from './semantics.js';
import { withinRollbackWindow } from './checks.js';
import { type PropertyDef, hit, kindsLabel, names } from './properties-common.js';
import { type World, N_RELEASE, PHASE, Phase, nodeAt } from './world.js';

// Nodes whose release changed in this step; most steps change none, and say so cheaply.
const NONE: number[] = [];
function changedNodes(c: Ctx, prev: World, next: World): number[] {
  let out: number[] = NONE;
  for (let n = 0; n < c.s.nodeCount; n++) {
    if (prev[nodeAt(c.L, n) + N_RELEASE] !== next[nodeAt(c.L, n) + N_RELEASE]) {
      if (out === NONE) out = [];
      out.push(n);
    }
  }
  return out;
}

const supportedPath: PropertyDef = {
  name: 'supported-path',
  kind: 'always',
  category: 'safety',
  harm: 'unsupported-fleet',
  explanation:
    'Every upgrade follows a path the vendor supports: from a release at or above the minimum it upgrades from, to the latest release where only the latest is allowed, to a release that reads the data already stored; and a rollback happens inside its rollback window.',
  trigger: { text: 'a release changes on a node', steps: ['replace-image'] },
  edge(c, prev, next) {
    const changed = changedNodes(c, prev, next);
    if (changed.length === 0) return null;
    for (const n of changed) {
      const from = c.s.releases[prev[nodeAt(c.L, n) + N_RELEASE]];
      const to = c.s.releases[next[nodeAt(c.L, n) + N_RELEASE]];
      const comp = c.s.components[to.component];
      if (prev[PHASE] === Phase.RollingBack) {
        if (!withinRollbackWindow(c, next)) {
          return hit(this.name, `${names(c, [n])} rolled back to ${to.name} after the rollback window of ${from.name} closed`, c, next, [], [n]);
        }
        continue;
      }
      if (to.order <= from.order) continue;
      if (from.order < to.upgradesFrom) {
        const min = c.s.releases[comp.releases[to.upgradesFrom]].name;
        return hit(this.name, `${names(c, [n])} upgraded from ${from.name}, but ${to.name} only upgrades from ${min} or later`, c, next, [], [n]);
      }
      const latest = c.s.releases[comp.releases[comp.releases.length - 1]];
      if (comp.latestOnly && to !== latest) {
        return hit(this.name, `${names(c, [n])} upgraded to ${to.name}, but ${comp.name} only upgrades to the latest release (${latest.name})`, c, next, [], [n]);
      }
      // format compatibility, for releases whose vendor requires it: key versions are the
      // rotation properties' business, and other releases expect a migration step
      if (!to.requiresReadableData) continue;
      const unreadable: number[] = [];
      for (let k = 0; k < c.L.kinds; k++) {
        if (liveCount(c, next, k) === 0 || !serves(c, n, k) || c.kindFormat[k] === c.s.unreadableFormat) continue;
        if (!releaseReadsKind(c, to, k, Number.MAX_SAFE_INTEGER)) unreadable.push(k);
      }
      if (unreadable.length > 0) {
        return hit(this.name, `${names(c, [n])} upgraded to ${to.name}, which cannot read ${kindsLabel(c, unreadable)} already stored`, c, next, unreadable, [n]);
      }
    }
    return null;
  },
};

// Components a release of `ci` depends on that are not yet fully on their upgrade target.
function laggingDependencies(c: Ctx, w: World, ci: number): number[] {
  return c.s.components[ci].dependsOn.filter((d) => {
    const t = c.s.runbook.targets[d];
    if (t < 0) return false;
    const comp = c.s.components[d];
    for (let i = 0; i < comp.nodes; i++) if (w[nodeAt(c.L, comp.firstNode + i) + N_RELEASE] !== t) return true;
    return false;
  });
}

const upgradeOrder: PropertyDef = {
  name: 'upgrade-order',
  kind: 'always',
  category: 'safety',
  harm: 'unsupported-fleet',
  explanation: 'A component is upgraded only after every component it depends on (a lower tier) runs its new release.',
  trigger: { text: 'a component that depends on another is upgraded', stepsIn: { upgrading: ['replace-image'] } },
  applies: (s) => s.components.some((c) => c.dependsOn.length > 0),
  edge(c, prev, next) {
    if (prev[PHASE] !== Phase.Upgrading) return null;
    for (const n of changedNodes(c, prev, next)) {
      const ci = c.s.nodeComponent[n];
      if (next[nodeAt(c.L, n) + N_RELEASE] !== c.s.runbook.targets[ci]) continue;
      const lagging = laggingDependencies(c, prev, ci);
      if (lagging.length > 0) {
        const deps = lagging.map((d) => c.s.components[d].name).join(', ');
        return hit(this.name, `${c.s.components[ci].name} was upgraded before ${deps}, which it depends on`, c, next, [], [n]);
      }
    }
    return null;
  },
};

const compatibleReleases: PropertyDef = {
  name: 'compatible-releases',
  kind: 'always',
  category: 'safety',
  harm: 'unsupported-fleet',
  explanation:
    'When the runbook ends, every running release finds releases of its own series on the components it depends on: no cross-series mix is left running.',
  trigger: { text: 'the runbook ends (upgraded or rolled back) with a component that depends on another', entered: ['upgraded', 'rolled-back'] },
  applies: (s) => s.components.some((c) => c.dependsOn.length > 0),
  edge(c, prev, next) {
    const endedNow = (next[PHASE] === Phase.Upgraded || next[PHASE] === Phase.RolledBack) && prev[PHASE] !== next[PHASE];
    if (!endedNow) return null;
    for (let n = 0; n < c.s.nodeCount; n++) {
      if (!isRunning(c, next, n)) continue;
      const rel = releaseOf(c, next, n);
      for (const d of c.s.components[rel.component].dependsOn) {
        const comp = c.s.components[d];
        for (let i = 0; i < comp.nodes; i++) {
          const m = comp.firstNode + i;
          const other = releaseOf(c, next, m);
          if (isRunning(c, next, m) && other.series !== rel.series) {
            return hit(this.name, `${c.s.components[rel.component].name} ${rel.name} (series ${rel.series}) is left running against ${comp.name} ${other.name} (series ${other.series})`, c, next, [], [n, m]);
          }
        }
      }
    }
    return null;
  },
};

const mixedWriters: PropertyDef = {
  name: 'no-mixed-release-writers',
  kind: 'always',
  category: 'safety',
  harm: 'unsupported-fleet',
  explanation:
    'Two releases never write one shared store (a database) at the same time unless the store is in a compatibility phase that both read (an expand migration).',
  trigger: { text: 'a release changes on a node of a shared-store component', steps: ['replace-image'] },
  applies: (s) => s.components.some((c) => c.sharedStore),
  state(c, w) {
    for (const comp of c.s.components) {
      if (!comp.sharedStore) continue;
      const running: number[] = [];
      for (let i = 0; i < comp.nodes; i++) if (isRunning(c, w, comp.firstNode + i)) running.push(comp.firstNode + i);
      const releases = new Set(running.map((n) => w[nodeAt(c.L, n) + N_RELEASE]));
      if (releases.size < 2) continue;
      const incompatible: number[] = [];
      for (let k = 0; k < c.L.kinds; k++) {
        if (liveCount(c, w, k) === 0 || ((comp.formats >> c.kindFormat[k]) & 1) === 0) continue;
        if ([...releases].some((r) => ((c.s.releases[r].readsFormats >> c.kindFormat[k]) & 1) === 0)) incompatible.push(k);
      }
      if (incompatible.length > 0) {
        const rels = [...releases].map((r) => c.s.releases[r].name).join(' and ');
        return hit(this.name, `${rels} both run against the ${comp.name} store, which holds ${kindsLabel(c, incompatible)}`, c, w, incompatible, running);
      }
    }
    return null;
  },
};

const failoverToOlder: PropertyDef = {
  name: 'no-failover-to-older',
  kind: 'always',
  category: 'safety',
  harm: 'unsupported-fleet',
  explanation: 'An older release never becomes the active node on data a newer release has already written.',
  trigger: { text: 'an active/passive component fails over or changes release', events: ['failover', 'forced-failover'], steps: ['replace-image'] },
  applies: (s) => s.components.some((c) => c.activePassive),
  state(c, w) {
    for (let ci = 0; ci < c.s.components.length; ci++) {
      const comp = c.s.components[ci];
      if (!comp.activePassive) continue;
      const active = activeNode(c, w, ci);
      if (active < 0 || !isRunning(c, w, active)) continue;
      const rel = releaseOf(c, w, active);
      const newer: number[] = [];
      for (let k = 0; k < c.L.kinds; k++) {
        if (liveCount(c, w, k) === 0 || !serves(c, active, k)) continue;
        const writer = c.s.releases[c.kindWriter[k]];
        if (writer.component === ci && writer.order > rel.order) newer.push(k);
      }
      if (newer.length > 0) {
        return hit(this.name, `${names(c, [active])} on ${rel.name} became active on ${kindsLabel(c, newer)}`, c, w, newer, [active]);
      }
    }
    return null;
  },
};

export const FLEET_PROPERTIES: PropertyDef[] = [supportedPath, upgradeOrder, compatibleReleases, mixedWriters, failoverToOlder];
