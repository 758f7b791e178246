// The runbook's own checks: "before you start" preconditions and rollback guards. Each is a
// pure predicate over the world; a failing one names itself as the reason the runbook stopped.
import type { GuardName, PreconditionName } from './types.js';
import type { Ctx } from './semantics.js';
import {
  backendUp,
  knownAfterStart,
  liveCount,
  releaseReadsKind,
  runbookNodes,
  runningAgreeOnKeyId,
  releaseOf,
} from './semantics.js';
import { type World, LATEST, N_ROLE, ROTATING, Role, nodeAt } from './world.js';

export function preconditionHolds(c: Ctx, w: World, p: PreconditionName): boolean {
  switch (p) {
    case 'not-mid-rotation':
      return w[ROTATING] === 0;
    case 'backend-healthy':
    case 'doctor':
      return backendUp(w);
    case 'key-id-stable':
      return runningAgreeOnKeyId(c, w);
    case 'supported-upgrade-path': {
      const target = c.s.releases[c.s.runbook.target];
      return runbookNodes(c).every((n) => releaseOf(c, w, n).order >= target.upgradesFrom);
    }
  }
}

// Nodes that a rollback would reinstall the previous release on.
function touched(c: Ctx, w: World): number[] {
  return runbookNodes(c).filter((n) => {
    const role = w[nodeAt(c.L, n) + N_ROLE];
    return role === Role.Upgrading || role === Role.Upgraded;
  });
}

export function guardHolds(c: Ctx, w: World, g: GuardName): boolean {
  const comp = c.s.components[c.s.runbook.component];
  const previous = c.s.releases[comp.initialRelease];
  switch (g) {
    case 'previous-reads-wire-formats':
      for (let k = 0; k < c.L.kinds; k++) {
        if (liveCount(c, w, k) > 0 && ((previous.readsFormats >> c.kindFormat[k]) & 1) === 0) return false;
      }
      return true;
    case 'previous-reads-aad-shapes':
      for (let k = 0; k < c.L.kinds; k++) {
        if (liveCount(c, w, k) > 0 && ((previous.readsAad >> c.kindAad[k]) & 1) === 0) return false;
      }
      return true;
    case 'previous-promoted-active-key':
      // a rotation under way would complete under the new release, which the old one never sees
      if (w[ROTATING] === 1) return false;
      // every node, once back on the previous release, must have promoted the active key version:
      // the nodes still on the new release keep encrypting under it
      return runbookNodes(c).every((n) => knownAfterStart(c, w, n, previous) >= w[LATEST]);
    case 'not-one-way':
      return touched(c, w).every((n) => !releaseOf(c, w, n).oneWay);
  }
}

// Used by the no-one-way-rollback property: can `n`, once on its previous release, read every
// live record?
export function unreadableAfterInstall(c: Ctx, w: World, n: number): number[] {
  const rel = releaseOf(c, w, n);
  const known = knownAfterStart(c, w, n, rel);
  const out: number[] = [];
  for (let k = 0; k < c.L.kinds; k++) {
    if (liveCount(c, w, k) > 0 && !releaseReadsKind(c, rel, k, known)) out.push(k);
  }
  return out;
}
