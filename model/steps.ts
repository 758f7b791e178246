// The operator: beginning the runbook, moving through its stages, running each step, handling
// failed verifications, deciding a rollback. Every function mutates the world buffer it is
// given (a fresh copy made by events.ts apply); none reads anything but its arguments.
import type { Ctx } from './semantics.js';
import type { Stage, Step, VersionSelector } from './types.js';
import {
  backendUp,
  decryptable,
  keyringOf,
  candidates,
  destinationRelease,
  isRunning,
  knownAfterStart,
  needsWork,
  position,
  procedureFor,
  releaseOf,
  runningAgreeOnKeyId,
  stageNodes,
  stageOf,
  serves,
  nodeReads,
} from './semantics.js';
import { guardHolds, preconditionHolds } from './checks.js';
import {
  type World,
  BACKUP_AT,
  DATA_BACKUP,
  KEYS_BACKUP,
  CLOCK,
  K_DELETED,
  K_GEN,
  K_LATEST,
  K_MIN_AVAILABLE,
  K_MIN_DECRYPT,
  K_RECREATED,
  K_ROTATING,
  K_VERSIONS,
  N_DRIFT,
  N_GEN,
  N_KNOWN,
  N_RELEASE,
  N_ROLE,
  N_STATUS,
  PC,
  PHASE,
  Phase,
  REASON,
  Role,
  STAGE,
  Status,
  UPGRADED_AT,
  VERIFY_FAILED,
  WORK_DONE,
  VersionState,
  clearCache,
  keyringAt,
  kindIndex,
  nodeAt,
} from './world.js';

// Why the runbook stopped short, as a code that depends only on the scenario.
export const enum Reason {
  Precondition = 100, // + precondition index
  Refused = 200, // + guard index: rollback refused at the decision
  Halted = 300, // + guard index: rollback halted before a reinstall
  NoBackup = 400, // restore with no backup taken
}

export function reasonText(c: Ctx, code: number): string | null {
  if (code === 0) return null;
  const i = code % 100;
  if (code < 200) return `deferred before starting: precondition ${c.s.runbook.preconditions[i]} does not hold`;
  const g = c.s.runbook.rollback?.guards[i];
  if (code < 300) return `rollback refused by guard ${g}: patch forward instead`;
  if (code < 400) return `rollback halted before reinstalling the previous release: guard ${g} no longer holds`;
  return 'restore halted: no backup was taken';
}

export function stepEnabled(c: Ctx, w: World, node: number, pos: ReturnType<typeof position>): boolean {
  if (w[PHASE] === Phase.Before) return node < 0 && w[CLOCK] >= c.s.runbook.scheduledInDays;
  if (w[VERIFY_FAILED] || !pos) return false;
  if (pos.targets === 'choose') return node >= 0 && candidates(c, w).includes(node);
  if (node >= 0) return false;
  if (pos.step.name === 'doctor') return backendUp(w);
  return true;
}

export function begin(c: Ctx, w: World): void {
  const failing = c.s.runbook.preconditions.findIndex((p) => !preconditionHolds(c, w, p));
  enterPhaseUnless(c, w, Phase.Upgrading, failing, Phase.Deferred, Reason.Precondition);
}

// Enters `phase` at its first stage, or, when check number `failing` did not hold, stops the
// runbook in `stopped` with that check as the reason.
function enterPhaseUnless(c: Ctx, w: World, phase: Phase, failing: number, stopped: Phase, reason: Reason): void {
  if (failing >= 0) {
    w[PHASE] = stopped;
    w[REASON] = reason + failing;
    return;
  }
  w[PHASE] = phase;
  enterStage(c, w, 0);
  settle(c, w);
}

function enterStage(c: Ctx, w: World, index: number): void {
  w[STAGE] = index;
  w[PC] = 0;
  const stage = stageOf(c, w);
  if (!stage) return;
  for (const n of stageNodes(c, stage)) w[nodeAt(c.L, n) + N_ROLE] = needsWork(c, w, n) ? Role.Pending : Role.Done;
}

// Moves past finished stages and ends the phase when none is left.
function settle(c: Ctx, w: World): void {
  for (;;) {
    const stage = stageOf(c, w);
    if (!stage) {
      const upgrading = w[PHASE] === Phase.Upgrading;
      w[PHASE] = upgrading ? Phase.Upgraded : Phase.RolledBack;
      if (upgrading) w[UPGRADED_AT] = w[CLOCK];
      w[STAGE] = 0;
      w[PC] = 0;
      for (const n of c.rbNodes) w[nodeAt(c.L, n) + N_ROLE] = Role.Pending;
      return;
    }
    const finished = stage.strategy === 'once' ? w[PC] >= stage.steps.length : w[PC] === 0 && noneLeft(c, w, stage);
    if (!finished) return;
    enterStage(c, w, w[STAGE] + 1);
  }
}

// No node of the stage is pending or in progress (without building the lists).
function noneLeft(c: Ctx, w: World, stage: Stage): boolean {
  for (const n of stageNodes(c, stage)) {
    const role = w[nodeAt(c.L, n) + N_ROLE];
    if (role === Role.Pending || role === Role.InProgress) return false;
  }
  return true;
}

function finishStep(c: Ctx, w: World, targets: number[]): void {
  const stage = stageOf(c, w)!;
  w[PC] += 1;
  w[WORK_DONE] = 1;
  if (stage.strategy !== 'once' && w[PC] === stage.steps.length) {
    for (const n of targets) w[nodeAt(c.L, n) + N_ROLE] = Role.Done;
    w[PC] = 0;
  }
  settle(c, w);
}

export function resolveTargets(c: Ctx, w: World, node: number, pos = position(c, w)!): number[] {
  const targets = pos.targets === 'choose' ? [node] : pos.targets;
  if (pos.perNode) for (const n of targets) w[nodeAt(c.L, n) + N_ROLE] = Role.InProgress;
  return targets;
}

export function startNode(c: Ctx, w: World, n: number, drift: number): void {
  const b = nodeAt(c.L, n);
  const rel = releaseOf(c, w, n);
  w[b + N_STATUS] = Status.Running;
  w[b + N_DRIFT] = drift;
  w[b + N_KNOWN + rel.keyState] = knownAfterStart(c, w, n, rel);
}

// Moves every live record the test accepts to the kind `to` gives it; returns records moved.
function rewrite(c: Ctx, w: World, accept: (k: number) => boolean, to: (k: number) => number, fraction = 1): number {
  const L = c.L;
  const moves: [number, number, number][] = [];
  for (let k = 0; k < L.kinds; k++) {
    const n = w[L.recordBase + k];
    if (n === 0 || !accept(k)) continue;
    const t = to(k);
    if (t !== k) moves.push([k, t, fraction === 1 ? n : Math.floor(n * fraction)]);
  }
  let moved = 0;
  for (const [k, t, n] of moves) {
    w[L.recordBase + k] -= n;
    w[L.recordBase + t] += n;
    moved += n;
  }
  return moved;
}

const writerOf = (c: Ctx, k: number) => c.kindWriter[k];

// Rewrites the stage's records into `format` (a schema migration, a KBS upgrade job).
export function migrate(c: Ctx, w: World, targets: number[], format: number): void {
  const comps = new Set(targets.map((n) => c.s.nodeComponent[n]));
  const ours = (k: number) => [...comps].some((ci) => ((c.s.components[ci].formats >> c.kindFormat[k]) & 1) === 1);
  // migrated records belong to the newest release that reads the new format
  const owner = (k: number) => {
    const ci = c.s.releases[writerOf(c, k)].component;
    const rels = c.s.components[ci].releases.filter((r) => (c.s.releases[r].readsFormats >> format) & 1);
    return rels.length ? rels[rels.length - 1] : writerOf(c, k);
  };
  // a migration reads each record to rewrite it: what the key service cannot decrypt stays put
  rewrite(c, w, (k) => ours(k) && decryptable(c, w, k), (k) => kindIndex(c.L, c.kindKeyring[k], c.kindGen[k], c.kindVersion[k], format, c.kindAad[k], owner(k), c.kindDataKey[k]));
}

// Re-encrypts every record of the targets' components (their stores: a kubectl replace runs in
// one cluster) that the key service can still decrypt, under its keyring's latest version.
export function rewrap(c: Ctx, w: World, fraction: number, targets: number[]): void {
  rewrite(
    c,
    w,
    (k) => decryptable(c, w, k) && targets.some((n) => serves(c, n, k)),
    (k) => {
      const b = keyringAt(c.L, c.kindKeyring[k]);
      return kindIndex(c.L, c.kindKeyring[k], w[b + K_GEN], w[b + K_LATEST], c.kindFormat[k], c.kindAad[k], c.kindWriter[k], c.kindDataKey[k]);
    },
    fraction,
  );
}

export function applyStep(c: Ctx, w: World, node: number): void {
  if (w[PHASE] === Phase.Before) return begin(c, w);
  const pos = position(c, w)!;
  const targets = resolveTargets(c, w, node, pos);
  const ok = runStep(c, w, pos.step, targets);
  if (ok) finishStep(c, w, targets);
}

// Runs one step; false when it did not complete (a failed check, or the runbook halted).
function runStep(c: Ctx, w: World, step: Step, targets: number[]): boolean {
  const L = c.L;
  switch (step.name) {
    case 'doctor':
      return true;
    case 'stop':
      for (const n of targets) w[nodeAt(L, n) + N_STATUS] = Status.Stopped;
      return true;
    case 'replace-image': {
      if (w[PHASE] === Phase.RollingBack) {
        const failing = c.s.runbook.rollback!.guards.findIndex((g) => !guardHolds(c, w, g));
        if (failing >= 0) {
          w[PHASE] = Phase.Halted;
          w[REASON] = Reason.Halted + failing;
          return false;
        }
      }
      for (const n of targets) {
        w[nodeAt(L, n) + N_RELEASE] = destinationRelease(c, w, n);
        // replacing the image of a running node restarts it on the new release
        if (w[nodeAt(L, n) + N_STATUS] === Status.Running) startNode(c, w, n, 0);
      }
      return true;
    }
    case 'start':
      for (const n of targets) startNode(c, w, n, 0);
      return true;
    case 'verify-ready':
      return verify(w, targets.every((n) => isRunning(c, w, n)));
    case 'verify-crypto':
      // cryptographic operations and secret retrieval work: every record the targets serve decrypts
      // (half-migrated data counts as theirs: it is what they would fail to decrypt)
      return verify(
        w,
        targets.every((n) => isRunning(c, w, n)) &&
          allRecordsOf(c, w, null, (k) => targets.every((n) => !(serves(c, n, k) || c.kindFormat[k] === c.s.unreadableFormat) || nodeReads(c, w, n, k))),
      );
    case 'verify-key-id':
      // the targets against every other node of their components
      return verify(w, targets.every((n) => isRunning(c, w, n)) && runningAgreeOnKeyId(c, w, peersOf(c, targets)));
    case 'restart-api-server':
      for (const n of targets) clearCache(w, L, n);
      return true;
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
    case 'restore':
      return restore(c, w, step);
    case 'migrate':
      migrate(c, w, targets, step.format);
      return true;
    case 'verify-migrated':
      return verify(w, allRecordsOf(c, w, targets, (k) => c.kindFormat[k] === lastMigrationFormat(c, w)));
    case 'rotate-keys':
      rotateKeys(c, w, targets, step);
      return true;
    case 'distribute-keys':
      distributeKeys(c, w, targets);
      return true;
    case 'rewrap':
      rewrap(c, w, 1, targets);
      return true;
    case 'verify-rewrapped':
      return verify(w, allRecordsOf(c, w, targets, (k) => c.kindVersion[k] === w[keyringAt(L, c.kindKeyring[k]) + K_LATEST]));
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
    case 'recover-from-backup':
      // only when the data is damaged (a failed upgrade or migration): then restore
      if (!allRecordsOf(c, w, null, (k) => c.kindFormat[k] !== c.s.unreadableFormat)) return restore(c, w, { ...step, scope: 'both', snapshot: -1 });
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
  }
}

// The keyrings a key step acts on: the one it names, or those of the stage's components.
function stepKeyrings(c: Ctx, step: Step, targets: number[]): number[] {
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
  for (let v = 0; v < L.V; v++) w[b + K_VERSIONS + v] = VersionState.Enabled;
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
  const keep = c.s.keyrings[kr].keepVersions;
  const b = keyringAt(c.L, kr);
  if (keep > 0) for (let v = 1; v <= w[b + K_LATEST] - keep; v++) w[b + K_VERSIONS + v - 1] = VersionState.Destroyed;
  followKeyring(c, w, kr);
}

// Brings back what the step's scope covers: the records from this cluster's backup, and the
// keyrings from it or from another cluster's snapshot. Halts when that backup was never taken.
function restore(c: Ctx, w: World, step: Step): boolean {
  const L = c.L;
  const needData = step.scope !== 'keyring';
  const needKeys = step.scope !== 'data' && step.snapshot < 0;
  if ((needData && !w[DATA_BACKUP]) || (needKeys && !w[KEYS_BACKUP])) {
    w[PHASE] = Phase.Halted;
    w[REASON] = Reason.NoBackup;
    return false;
  }
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

function peersOf(c: Ctx, targets: number[]): number[] {
  const comps = new Set(targets.map((n) => c.s.nodeComponent[n]));
  return c.rbNodes.filter((n) => comps.has(c.s.nodeComponent[n]));
}

function verify(w: World, passed: boolean): boolean {
  if (!passed) w[VERIFY_FAILED] = 1;
  return passed;
}

function allRecordsOf(c: Ctx, w: World, targets: number[] | null, ok: (k: number) => boolean): boolean {
  for (let k = 0; k < c.L.kinds; k++) {
    if (w[c.L.recordBase + k] === 0) continue;
    if (targets && !targets.some((n) => serves(c, n, k))) continue;
    if (!ok(k)) return false;
  }
  return true;
}

// The format the stage's most recent migrate step wrote, for verify-migrated.
function lastMigrationFormat(c: Ctx, w: World): number {
  const stage = stageOf(c, w)!;
  for (let i = w[PC] - 1; i >= 0; i--) if (stage.steps[i].name === 'migrate') return stage.steps[i].format;
  const proc = procedureFor(c, w)!;
  for (let s = w[STAGE] - 1; s >= 0; s--) {
    const steps = proc.stages[s].steps;
    for (let i = steps.length - 1; i >= 0; i--) if (steps[i].name === 'migrate') return steps[i].format;
  }
  return -1;
}

// Central keyring: a new key version that running nodes promote. Per-node repositories
// (fernet): the target node makes its staged key primary and stages a new one.
export function rotateKeys(c: Ctx, w: World, targets: number[], step: Step): void {
  const central = stepKeyrings(c, step, targets).filter((kr) => c.s.keyrings[kr].distribution === 'central');
  for (const kr of central) {
    w[keyringAt(c.L, kr) + K_LATEST] += 1;
    afterRotation(c, w, kr);
  }
  targets = targets.filter((n) => c.s.keyrings[keyringOf(c, n)].distribution === 'per-node');
  if (targets.length === 0) return;
  // rotate where the newest repository is (the node that rotated last): any other choice would
  // depend on how nodes happen to be numbered
  let n = targets[0];
  const known = (m: number) => w[nodeAt(c.L, m) + N_KNOWN + releaseOf(c, w, m).keyState];
  for (const m of targets) if (known(m) > known(n)) n = m;
  const slot = nodeAt(c.L, n) + N_KNOWN + releaseOf(c, w, n).keyState;
  w[slot] += 1;
  const latest = keyringAt(c.L, keyringOf(c, n)) + K_LATEST;
  if (w[slot] > w[latest]) w[latest] = w[slot];
}

// Copies the newest key repository in the component to the targets.
export function distributeKeys(c: Ctx, w: World, targets: number[]): void {
  for (const n of targets) {
    const comp = c.s.components[c.s.nodeComponent[n]];
    let newest = 0;
    for (let i = 0; i < comp.nodes; i++) {
      const m = comp.firstNode + i;
      const v = w[nodeAt(c.L, m) + N_KNOWN + releaseOf(c, w, m).keyState];
      if (v > newest) newest = v;
    }
    w[nodeAt(c.L, n) + N_KNOWN + releaseOf(c, w, n).keyState] = newest;
  }
}

// The operator's answer to a failed verification: redo the work the check is about.
export function applyRemediate(c: Ctx, w: World): void {
  const pos = position(c, w);
  const targets = pos && pos.targets !== 'choose' ? pos.targets : [];
  switch (pos?.step.name) {
    case 'verify-rewrapped':
      rewrap(c, w, 1, targets);
      break;
    case 'verify-migrated':
      migrate(c, w, targets, lastMigrationFormat(c, w));
      break;
    default:
      // per-node key repositories: copy the newest repository to every node again
      distributeKeys(c, w, targets.filter((n) => c.s.keyrings[keyringOf(c, n)].distribution === 'per-node'));
      // re-apply the intended config to drifted nodes and restart the plugins in question
      for (const n of c.rbNodes) {
        const b = nodeAt(c.L, n);
        if (targets.includes(n) || (w[b + N_DRIFT] === 1 && isRunning(c, w, n))) startNode(c, w, n, 0);
        else w[b + N_DRIFT] = 0;
      }
  }
  w[VERIFY_FAILED] = 0;
}

export function decideRollbackEnabled(c: Ctx, w: World): boolean {
  const rb = c.s.runbook.rollback;
  if (!rb) return false;
  if (w[PHASE] !== Phase.Upgrading && w[PHASE] !== Phase.Upgraded) return false;
  if (!w[WORK_DONE]) return false;
  if (rb.triggers.includes('operator-decides')) return true;
  return rb.triggers.includes('verification-fails') && w[VERIFY_FAILED] === 1;
}

export function applyDecideRollback(c: Ctx, w: World): void {
  const rb = c.s.runbook.rollback!;
  w[VERIFY_FAILED] = 0;
  const failing = rb.guards.findIndex((g) => !guardHolds(c, w, g));
  enterPhaseUnless(c, w, Phase.RollingBack, failing, Phase.Halted, Reason.Refused);
}

// The written kind for node n now: its keyring's key material, the key version, its release's
// format, and (per-node data keys) its own data key.
export function writtenKind(c: Ctx, w: World, n: number, fleetMixed: boolean, version: number): number {
  const b = nodeAt(c.L, n);
  const relIndex = w[b + N_RELEASE];
  const rel = c.s.releases[relIndex];
  const fmt = rel.writesWhileMixed && fleetMixed ? rel.writesWhileMixed : rel.writes;
  const v = Math.min(Math.max(version, 1), c.L.V);
  return kindIndex(c.L, keyringOf(c, n), w[b + N_GEN], v, fmt.format, fmt.aad, relIndex, c.L.D > 1 ? n : 0);
}

export function finishAfterFault(c: Ctx, w: World, targets: number[]): void {
  finishStep(c, w, targets);
}
