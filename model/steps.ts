// The operator: beginning the runbook, moving through its stages, running each step, handling
// failed verifications, deciding a rollback. Every function mutates the world buffer it is
// given (a fresh copy made by events.ts apply); none reads anything but its arguments.
import type { Ctx } from './semantics.js';
import type { GuardName, Stage, Step } from './types.js';
import {
  backendUp,
  keyringOf,
  isCandidate,
  destinationRelease,
  isRunning,
  knownAfterStart,
  needsWork,
  position,
  positionOf,
  procedureFor,
  releaseOf,
  runningAgreeOnKeyId,
  stageNodes,
  stageOf,
  serves,
  nodeReads,
} from './semantics.js';
import { guardHolds, preconditionHolds } from './checks.js';
import { distributeKeys, lastMigrationFormat, migrate, rewrap, rotateKeys } from './data-steps.js';
import { restore, runKeyStep } from './key-steps.js';
import { countReached, skipsNode, startCounting, take } from './stage-nodes.js';
import {
  type World,
  CLOCK,
  K_LATEST,
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
  clearCache,
  keyringAt,
  kindIndex,
  nodeAt,
} from './world.js';

export { rewrap } from './data-steps.js';
export { afterRotation } from './key-steps.js';

// Why the runbook stopped short, as a code that depends only on the scenario.
export const enum Reason {
  Precondition = 100, // + precondition index
  Refused = 200, // + guard index: rollback refused at the decision
  Halted = 300, // + guard index: rollback halted before a reinstall
  NoBackup = 400, // restore with no backup taken
}

// VERIFY_FAILED holds why the runbook waits at its current step: a check failed, or a
// migration was interrupted part-way and waits to be resumed.
export const CHECK_FAILED = 1;
export const INTERRUPTED = 2;

export function reasonText(c: Ctx, code: number): string | null {
  if (code === 0) return null;
  const i = code % 100;
  if (code < 200) return `deferred before starting: precondition ${c.s.runbook.preconditions[i]} does not hold`;
  const g = c.s.runbook.rollback?.guards[i];
  if (code < 300) return `rollback refused by guard ${g}: patch forward instead`;
  if (code < 400) return `rollback halted before reinstalling the previous release: guard ${g} no longer holds`;
  return 'restore halted: no backup was taken';
}

// The guard that refused a rollback decision, from the reason code it left (null: none did).
export function refusingGuard(c: Ctx, code: number): GuardName | null {
  return code >= Reason.Refused && code < Reason.Halted ? (c.s.runbook.rollback?.guards[code - Reason.Refused] ?? null) : null;
}

export function stepEnabled(c: Ctx, w: World, node: number, pos: ReturnType<typeof position>): boolean {
  if (w[PHASE] === Phase.Before) return node < 0 && w[CLOCK] >= c.s.runbook.scheduledInDays;
  if (w[VERIFY_FAILED] || !pos) return false;
  if (!backendUp(w) && needsKeyService(c, pos)) return false;
  if (pos.targets === 'choose') return node >= 0 && isCandidate(c, w, pos.stage, node);
  if (node >= 0) return false;
  if (pos.step.name === 'doctor') return backendUp(w);
  return true;
}

// Steps the key service carries out: re-encrypting or migrating records (which reads them
// through it), and creating, retiring, deleting or changing the state of key versions in a
// central keyring. Like doctor they wait while it is down; rotating a per-node key repository
// (fernet) is local and does not.
const KEY_SERVICE_STEPS: ReadonlySet<string> = new Set([
  'rewrap',
  'migrate',
  'raise-min-decryption-version',
  'trim-key-versions',
  'retire-old-keys',
  'delete-key',
  'recreate-key',
  'disable-key-version',
  'enable-key-version',
  'schedule-key-deletion',
  'cancel-key-deletion',
]);

export function needsKeyService(c: Ctx, pos: NonNullable<ReturnType<typeof position>>): boolean {
  const step = pos.step;
  if (KEY_SERVICE_STEPS.has(step.name)) return true;
  if (step.name !== 'rotate-keys') return false;
  const keyrings = step.keyring >= 0 ? [step.keyring] : pos.stage.components.map((ci) => c.s.components[ci].keyring);
  return keyrings.some((kr) => c.s.keyrings[kr].distribution === 'central');
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
  startCounting(c, w, procedureFor(c, w)!.stages);
  enterStage(c, w, 0);
  settle(c, w);
}

function enterStage(c: Ctx, w: World, index: number): void {
  w[STAGE] = index;
  w[PC] = 0;
  const stage = stageOf(c, w);
  if (!stage) return;
  for (const n of stageNodes(c, stage)) w[nodeAt(c.L, n) + N_ROLE] = needsWork(c, w, n) && !skipsNode(c, w, stage, n) ? Role.Pending : Role.Done;
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
    const finished = stage.strategy === 'once' ? w[PC] >= stage.steps.length : w[PC] === 0 && (noneLeft(c, w, stage) || countReached(c, w, stage));
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

export function resolveTargets(c: Ctx, w: World, node: number, pos = positionOf(c, w)!): number[] {
  const targets = pos.targets === 'choose' ? [node] : pos.targets;
  if (pos.perNode) for (const n of targets) w[nodeAt(c.L, n) + N_ROLE] = Role.InProgress;
  if (pos.targets === 'choose') take(c, w, pos.stage, node);
  return targets;
}

export function startNode(c: Ctx, w: World, n: number, drift: number): void {
  const b = nodeAt(c.L, n);
  const rel = releaseOf(c, w, n);
  w[b + N_STATUS] = Status.Running;
  w[b + N_DRIFT] = drift;
  w[b + N_KNOWN + rel.keyState] = knownAfterStart(c, w, n, rel);
}

export function applyStep(c: Ctx, w: World, node: number): void {
  if (w[PHASE] === Phase.Before) return begin(c, w);
  const pos = positionOf(c, w)!;
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
    case 'restore':
      return restoreOrHalt(c, w, step);
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
    case 'recover-from-backup':
      // only when the data is damaged (a failed upgrade or migration): then restore
      if (!allRecordsOf(c, w, null, (k) => c.kindFormat[k] !== c.s.unreadableFormat)) return restoreOrHalt(c, w, { ...step, scope: 'both', snapshot: -1 });
      return true;
    default:
      return runKeyStep(c, w, step, targets);
  }
}

// A restore whose backup was never taken halts the runbook there.
function restoreOrHalt(c: Ctx, w: World, step: Step): boolean {
  if (restore(c, w, step)) return true;
  w[PHASE] = Phase.Halted;
  w[REASON] = Reason.NoBackup;
  return false;
}

function peersOf(c: Ctx, targets: number[]): number[] {
  // targets of one component (a stage's node, or a stage on one component): its list, as is
  if (targets.length > 0) {
    const ci = c.s.nodeComponent[targets[0]];
    let one = true;
    for (let i = 1; i < targets.length && one; i++) one = c.s.nodeComponent[targets[i]] === ci;
    if (one) return c.rbNodesOf[ci];
  }
  const comps = new Set(targets.map((n) => c.s.nodeComponent[n]));
  return c.rbNodes.filter((n) => comps.has(c.s.nodeComponent[n]));
}

function verify(w: World, passed: boolean): boolean {
  if (!passed) w[VERIFY_FAILED] = CHECK_FAILED;
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

// The operator's answer to a failed verification: redo the work the check is about.
export function applyRemediate(c: Ctx, w: World): void {
  const pos = positionOf(c, w);
  const targets = pos && pos.targets !== 'choose' ? pos.targets : [];
  if (w[VERIFY_FAILED] === INTERRUPTED) {
    // resuming an interrupted migration finishes it, and with it the step
    w[VERIFY_FAILED] = 0;
    migrate(c, w, targets, pos!.step.format);
    finishStep(c, w, targets);
    return;
  }
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
  // an interrupted migration counts as a failed step: the runbook cannot go on without a remedy
  return rb.triggers.includes('verification-fails') && w[VERIFY_FAILED] !== 0;
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
  // per-node data keys: the writer's own; a component that shares data keys has one for all
  const comp = c.s.components[c.s.nodeComponent[n]];
  const dk = c.L.D === 1 ? 0 : comp.dataKeys === 'per-node' ? n : comp.firstNode;
  return kindIndex(c.L, keyringOf(c, n), w[b + N_GEN], v, fmt.format, fmt.aad, relIndex, dk);
}

// migration-interrupted: half of each record kind (rounded down) is rewritten, and the step
// stops there, failed, until the operator resumes it or rolls back.
export function interruptMigration(c: Ctx, w: World): void {
  const pos = positionOf(c, w)!;
  const targets = resolveTargets(c, w, -1, pos);
  migrate(c, w, targets, pos.step.format, 0.5);
  w[VERIFY_FAILED] = INTERRUPTED;
  w[WORK_DONE] = 1;
}

export function finishAfterFault(c: Ctx, w: World, targets: number[]): void {
  finishStep(c, w, targets);
}
