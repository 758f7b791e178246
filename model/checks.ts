// The runbook's own checks: "before you start" preconditions and rollback guards. Each is a
// pure predicate over the world; a failing one names itself as the reason the runbook stopped.
import { REST_OF_NODES, type CompiledScenario, type GuardName, type PreconditionName } from './types.js';
import type { Ctx } from './semantics.js';
import { backendUp, keyringOf, knownAfterStart, latestOf, liveCount, releaseOf, releaseReadsKind, runningAgreeOnKeyId, serves } from './semantics.js';
import { type World, DATA_BACKUP, KEYS_BACKUP, CLOCK, K_ROTATING, N_RELEASE, UPGRADED_AT, keyringAt, nodeAt } from './world.js';

export function preconditionHolds(c: Ctx, w: World, p: PreconditionName): boolean {
  switch (p) {
    case 'not-mid-rotation':
      return c.rbNodes.every((n) => w[keyringAt(c.L, keyringOf(c, n)) + K_ROTATING] === 0);
    case 'backend-healthy':
    case 'doctor':
      return backendUp(w);
    case 'key-id-stable':
      return runningAgreeOnKeyId(c, w);
    case 'supported-upgrade-path':
      return c.rbNodes.every((n) => pathSupported(c, w, n));
    case 'upgrade-to-latest':
      return c.s.runbook.components.every((ci) => {
        const comp = c.s.components[ci];
        const t = c.s.runbook.targets[ci];
        return !comp.latestOnly || t < 0 || t === comp.releases[comp.releases.length - 1];
      });
    case 'target-reads-all-records':
      return c.rbNodes.every((n) => {
        const t = c.s.runbook.targets[c.s.nodeComponent[n]];
        if (t < 0) return true;
        const rel = c.s.releases[t];
        const known = knownAfterStart(c, w, n, rel);
        for (let k = 0; k < c.L.kinds; k++) if (liveCount(c, w, k) > 0 && serves(c, n, k) && !releaseReadsKind(c, rel, k, known)) return false;
        return true;
      });
  }
}

// The vendor supports every hop the runbook may take node n through: each release a stage
// installs must upgrade from the one the node runs by then.
export function pathSupported(c: Ctx, w: World, n: number): boolean {
  return upgradeRoutes(c.s, c.s.nodeComponent[n]).every((route) => {
    let from = releaseOf(c, w, n);
    for (const t of route) {
      const to = c.s.releases[t];
      if (to.order <= from.order) continue;
      if (from.order < to.upgradesFrom) return false;
      from = to;
    }
    return true;
  });
}

const routeCache = new WeakMap<CompiledScenario, Map<number, number[][]>>();

// The releases the upgrade installs on a node of component ci, in order, for each way a node
// can go through the stages. A stage that replaces images installs on all its nodes, except
// that of the counted stages of one round and their rest stage a node goes through exactly one
// (or none, in a round without a rest stage). A node no stage installs on is judged against
// upgrade.to, as before stages could name releases.
export function upgradeRoutes(s: CompiledScenario, ci: number): number[][] {
  let byComponent = routeCache.get(s);
  if (!byComponent) routeCache.set(s, (byComponent = new Map()));
  const known = byComponent.get(ci);
  if (known) return known;
  const stages = s.runbook.upgrade.stages.filter((st) => st.components.includes(ci));
  const rounds: { stages: number[]; rest: boolean }[] = [];
  let open: { stages: number[]; rest: boolean } | null = null;
  stages.forEach((st, i) => {
    if (st.nodes === 0) return;
    if (!open) rounds.push((open = { stages: [], rest: false }));
    open.stages.push(i);
    if (st.nodes === REST_OF_NODES) {
      open.rest = true;
      open = null;
    }
  });
  let choices: Set<number>[] = [new Set()];
  for (const r of rounds) {
    const options = r.rest ? r.stages : [...r.stages, -1];
    choices = choices.flatMap((chosen) => options.map((o) => (o < 0 ? chosen : new Set([...chosen, o]))));
  }
  const target = s.runbook.targets[ci];
  const routes = choices.map((chosen) => {
    const route = stages.flatMap((st, i) => {
      if ((st.nodes !== 0 && !chosen.has(i)) || !st.steps.some((x) => x.name === 'replace-image')) return [];
      const t = (st.to?.[ci] ?? -1) >= 0 ? st.to![ci] : target;
      return t >= 0 ? [t] : [];
    });
    return route.length === 0 && target >= 0 ? [target] : route;
  });
  byComponent.set(ci, routes);
  return routes;
}

export function withinRollbackWindow(c: Ctx, w: World): boolean {
  if (w[UPGRADED_AT] < 0) return true;
  return c.s.runbook.components.every((ci) => {
    const t = c.s.runbook.targets[ci];
    const days = t >= 0 ? c.s.releases[t].rollbackWindowDays : -1;
    return days < 0 || w[CLOCK] - w[UPGRADED_AT] <= days;
  });
}

// No record of the kinds in `mask` (cache words) is live.
function noneLive(c: Ctx, w: World, mask: Int32Array): boolean {
  for (let k = 0; k < c.L.kinds; k++) if (w[c.L.recordBase + k] !== 0 && (mask[(k / 31) | 0] & (1 << k % 31)) !== 0) return false;
  return true;
}

// When each guard refuses, in the runbook's words: at a runbook position, the states where a
// rollback decision is refused are set apart from those where it goes ahead by exactly this.
export const GUARD_REFUSES: Record<GuardName, string> = {
  'previous-reads-wire-formats': 'live records are in a wire format the previous release cannot read',
  'previous-reads-aad-shapes': 'live records carry an AAD shape the previous release cannot interpret',
  'previous-promoted-active-key': 'a key rotation is under way, or completed to a key version the previous release never promoted',
  'not-one-way': 'a node runs a release whose notes call the upgrade one-way',
  'within-rollback-window': "the new release's rollback window has passed since the upgrade",
  'backup-exists': "the backup the rollback's restore needs was not taken",
};

export function guardHolds(c: Ctx, w: World, g: GuardName): boolean {
  switch (g) {
    // every runbook node, once back on its previous release, reads every live record it
    // serves: the kinds it would refuse are precomputed (makeCtx), and none of them is live
    case 'previous-reads-wire-formats':
      return noneLive(c, w, c.prevFormatBad);
    case 'previous-reads-aad-shapes':
      return noneLive(c, w, c.prevAadBad);
    case 'previous-promoted-active-key':
      // a rotation under way would complete under the new release, which the old one never sees;
      // and every node, once back on its previous release, must have promoted the active key
      // version: the nodes still on the new release keep encrypting under it
      return c.rbNodes.every((n) => {
        const kr = keyringOf(c, n);
        if (w[keyringAt(c.L, kr) + K_ROTATING] === 1) return false;
        return knownAfterStart(c, w, n, c.s.releases[c.s.components[c.s.nodeComponent[n]].initialRelease]) >= latestOf(c, w, kr);
      });
    case 'not-one-way':
      return c.rbNodes.every((n) => !c.s.releases[w[nodeAt(c.L, n) + N_RELEASE]].oneWay);
    case 'within-rollback-window':
      return withinRollbackWindow(c, w);
    case 'backup-exists':
      // the backups the rollback's restore steps need (any backup when it restores nothing)
      return c.s.runbook.rollbackRestores.data || c.s.runbook.rollbackRestores.keyring
        ? (!c.s.runbook.rollbackRestores.data || w[DATA_BACKUP] === 1) && (!c.s.runbook.rollbackRestores.keyring || w[KEYS_BACKUP] === 1)
        : w[DATA_BACKUP] === 1 || w[KEYS_BACKUP] === 1;
  }
}

// Used by the no-one-way-rollback property: can `n`, once on its release, read every live
// record it serves?
export function unreadableAfterInstall(c: Ctx, w: World, n: number): number[] {
  const rel = releaseOf(c, w, n);
  const known = knownAfterStart(c, w, n, rel);
  const out: number[] = [];
  for (let k = 0; k < c.L.kinds; k++) {
    if (liveCount(c, w, k) > 0 && serves(c, n, k) && !releaseReadsKind(c, rel, k, known)) out.push(k);
  }
  return out;
}
