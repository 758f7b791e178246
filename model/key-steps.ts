// The steps that act on keyrings: retiring, disabling, scheduling the deletion of, deleting
// and re-creating keys and key versions, rotation follow-up (promotion, keep-versions), and
// bringing back backups and snapshots. Each mutates the world buffer it is given.
import type { Ctx } from './semantics.js';
import type { Step, VersionSelector } from './types.js';
import { isRunning, keyringOf, releaseOf } from './semantics.js';
import {
  type World,
  BACKUP_AT,
  CLOCK,
  DATA_BACKUP,
  KEYS_BACKUP,
  K_DELETED,
  K_GEN,
  K_LATEST,
  K_MIN_AVAILABLE,
  K_MIN_DECRYPT,
  K_RECREATED,
  K_ROTATING,
  K_VERSIONS,
  N_GEN,
  N_KNOWN,
  VersionState,
  keyringAt,
  nodeAt,
} from './world.js';

// The keyrings a key step acts on: the one it names, or those of the stage's components.
export function stepKeyrings(c: Ctx, step: Step, targets: number[]): number[] {
  if (step.keyring >= 0) return [step.keyring];
  const out: number[] = [];
  for (const n of targets) if (!out.includes(keyringOf(c, n))) out.push(keyringOf(c, n));
  return out;
}


export function selectedVersions(latest: number, sel: VersionSelector): number[] {
  if (sel === 'latest') return [latest];
  if (sel === 'previous') return latest > 1 ? [latest - 1] : [];
  if (sel === 'all-but-latest') return Array.from({ length: Math.max(0, latest - 1) }, (_, i) => i + 1);
  return sel <= latest ? [sel] : [];
}

function setVersionStates(c: Ctx, w: World, step: Step, targets: number[], to: (state: number, kr: number) => number): void {
  for (const kr of stepKeyrings(c, step, targets)) {
    const b = keyringAt(c.L, kr);
    for (const v of selectedVersions(w[b + K_LATEST], step.versions)) w[b + K_VERSIONS + v - 1] = to(w[b + K_VERSIONS + v - 1], kr);
  }
}

// New key material in keyring kr (a re-created key, or another cluster's snapshot): versions
// restart, every version enabled. Running nodes that follow the keyring pick it up.
function resetKeyring(c: Ctx, w: World, kr: number, gen: number, latest: number): void {
  const L = c.L;
  const b = keyringAt(L, kr);
  w[b + K_GEN] = gen;
  w[b + K_DELETED] = 0;
  w[b + K_LATEST] = latest;
  w[b + K_MIN_DECRYPT] = 1;
  w[b + K_MIN_AVAILABLE] = 1;
  w[b + K_ROTATING] = 0;
  if (c.s.usesVersionStates) for (let v = 0; v < L.V; v++) w[b + K_VERSIONS + v] = VersionState.Enabled;
  followKeyring(c, w, kr);
}

// Running nodes whose release promotes rotations learn keyring kr's newest version (and its key
// material).
function followKeyring(c: Ctx, w: World, kr: number): void {
  const b = keyringAt(c.L, kr);
  for (let n = 0; n < c.s.nodeCount; n++) {
    if (keyringOf(c, n) !== kr) continue;
    const rel = releaseOf(c, w, n);
    if (!isRunning(c, w, n) || !rel.promotesRotations) continue;
    w[nodeAt(c.L, n) + N_KNOWN + rel.keyState] = w[b + K_LATEST];
    w[nodeAt(c.L, n) + N_GEN] = w[b + K_GEN];
  }
}

// After keyring kr gained a version: running nodes promote it, and a keep-versions policy
// destroys versions beyond the newest N.
export function afterRotation(c: Ctx, w: World, kr: number): void {
  keepNewest(c, w, kr);
  followKeyring(c, w, kr);
}

// A keep-versions policy (max_active_keys, an auto-trim): versions beyond the newest N are destroyed.
export function keepNewest(c: Ctx, w: World, kr: number): void {
  const keep = c.s.keyrings[kr].keepVersions;
  const b = keyringAt(c.L, kr);
  if (keep > 0) for (let v = 1; v <= w[b + K_LATEST] - keep; v++) w[b + K_VERSIONS + v - 1] = VersionState.Destroyed;
}


// Runs a key step (the runbook's own words for it in types.ts StepName); false for any other step.
export function runKeyStep(c: Ctx, w: World, step: Step, targets: number[]): boolean {
  const L = c.L;
  switch (step.name) {
    case 'backup':
      w[BACKUP_AT] = w[CLOCK];
      if (step.scope !== 'keyring') {
        w[DATA_BACKUP] = 1;
        w.copyWithin(L.backupBase, L.recordBase, L.recordBase + L.kinds);
      }
      if (step.scope !== 'data') {
        w[KEYS_BACKUP] = 1;
        w.copyWithin(L.backupKeyringBase, L.keyringBase, L.keyringBase + L.KR * L.keyringSize);
      }
      return true;
    case 'raise-min-decryption-version':
      for (const kr of stepKeyrings(c, step, targets)) w[keyringAt(L, kr) + K_MIN_DECRYPT] = w[keyringAt(L, kr) + K_LATEST];
      return true;
    case 'trim-key-versions':
      for (const kr of stepKeyrings(c, step, targets)) w[keyringAt(L, kr) + K_MIN_AVAILABLE] = w[keyringAt(L, kr) + K_MIN_DECRYPT];
      return true;
    case 'retire-old-keys':
      for (const kr of stepKeyrings(c, step, targets)) {
        const b = keyringAt(L, kr);
        w[b + K_MIN_DECRYPT] = w[b + K_LATEST];
        w[b + K_MIN_AVAILABLE] = w[b + K_LATEST];
      }
      return true;
    case 'delete-key':
      for (const kr of stepKeyrings(c, step, targets)) w[keyringAt(L, kr) + K_DELETED] = 1;
      return true;
    case 'recreate-key':
      for (const kr of stepKeyrings(c, step, targets)) {
        const b = keyringAt(L, kr);
        w[b + K_RECREATED] += 1;
        resetKeyring(c, w, kr, 1 + w[b + K_RECREATED], 1);
      }
      return true;
    case 'disable-key-version':
      setVersionStates(c, w, step, targets, (st) => (st === VersionState.Enabled ? VersionState.Disabled : st));
      return true;
    case 'enable-key-version':
      setVersionStates(c, w, step, targets, (st) => (st === VersionState.Disabled ? VersionState.Enabled : st));
      return true;
    case 'schedule-key-deletion':
      setVersionStates(c, w, step, targets, (st, kr) => {
        if (st !== VersionState.Enabled && st !== VersionState.Disabled) return st;
        const wait = c.s.keyrings[kr].deletionWaitDays;
        return wait === 0 ? VersionState.Destroyed : VersionState.Scheduled + w[CLOCK] + wait;
      });
      return true;
    case 'cancel-key-deletion':
      // cloud KMSes leave a version whose deletion was cancelled disabled
      setVersionStates(c, w, step, targets, (st) => (st >= VersionState.Scheduled ? VersionState.Disabled : st));
      return true;
    default:
      return false;
  }
}

// Brings back what the step's scope covers: the records from this cluster's backup, and the
// keyrings from it or from another cluster's snapshot. False (nothing changed) when that backup
// was never taken.
export function restore(c: Ctx, w: World, step: Step): boolean {
  const L = c.L;
  const needData = step.scope !== 'keyring';
  const needKeys = step.scope !== 'data' && step.snapshot < 0;
  if ((needData && !w[DATA_BACKUP]) || (needKeys && !w[KEYS_BACKUP])) return false;
  if (needData) w.copyWithin(L.recordBase, L.backupBase, L.backupBase + L.kinds);
  if (step.scope !== 'data') {
    if (step.snapshot >= 0) {
      const snap = c.s.snapshots[step.snapshot];
      resetKeyring(c, w, snap.keyring, snap.generation, snap.latest);
    } else {
      // re-creations are history, not keyring content: a later re-creation is new material still
      const recreated = c.s.keyrings.map((_, kr) => w[keyringAt(L, kr) + K_RECREATED]);
      w.copyWithin(L.keyringBase, L.backupKeyringBase, L.backupKeyringBase + L.KR * L.keyringSize);
      recreated.forEach((n, kr) => (w[keyringAt(L, kr) + K_RECREATED] = n));
      // running nodes that follow the keyring go back with it, as they do to a snapshot's
      c.s.keyrings.forEach((_, kr) => followKeyring(c, w, kr));
    }
  }
  return true;
}

