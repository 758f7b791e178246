// What the runbook's steps do to the keyrings and snapshots, judged once both procedures are
// compiled: the key material a keyring can come to hold, the versions its rotations need, a
// destruction the clock must reach, and what a rollback brings back from the backup.
import type { Bounds, Component, FaultSpec, Procedure, Snapshot, Stage, Step } from '../types.js';
import type { SystemNames } from './compile-system.js';

// a step with the stage that runs it: how often it runs depends on the stage's strategy
export interface StageStep {
  step: Step;
  stage: Stage;
}

export function stepsOf(proc: Procedure | null): StageStep[] {
  return (proc?.stages ?? []).flatMap((st) => st.steps.map((step) => ({ step, stage: st })));
}

// key material a keyring can come to hold: its own, one per re-creation, one per snapshot;
// numbers each snapshot's and returns how many there are
export function countGenerations(steps: StageStep[], components: Component[], snapshots: Snapshot[]): number {
  const recreations = steps
    .filter(({ step }) => step.name === 'recreate-key')
    .reduce((n, { stage }) => n + (stage.strategy === 'once' || stage.strategy === 'all-at-once' ? 1 : stage.components.reduce((m, ci) => m + components[ci].nodes, 0)), 0);
  snapshots.forEach((sn, i) => (sn.generation = 2 + recreations + i));
  return 1 + recreations + snapshots.length;
}

// The model holds max-version versions per keyring: every rotation must find one. Rotation
// faults stop there by themselves, but a rotate-keys step does not, and a rotation fault can
// use up the room a later rotate-keys step needs; so a keyring the runbook rotates needs room
// for each rotate-keys run, a rotation already under way and each rotation fault the budget
// (the file's, or the one overriding it) allows.
export function checkRotationRoom(s: SystemNames, components: Component[], steps: StageStep[], faults: FaultSpec[], bounds: Bounds): void {
  const rotationFaults = faults.some((f) => f.name === 'rotation-starts') ? bounds.maxFaults : 0;
  s.keyrings.forEach((k, i) => {
    const runs = steps
      .filter(({ step, stage }) => step.name === 'rotate-keys' && (step.keyring >= 0 ? step.keyring === i : stage.components.some((ci) => components[ci].keyring === i)))
      // a per-node stage runs it once per node: on a named keyring for every node, else for the nodes on keyring i
      .reduce((n, { step, stage }) => n + (stage.strategy === 'once' || stage.strategy === 'all-at-once' ? 1 : stage.components.reduce((m, ci) => m + (step.keyring >= 0 || components[ci].keyring === i ? components[ci].nodes : 0), 0)), 0);
    const need = k.latest + runs + (k.rotationInProgress ? 1 : 0) + (runs > 0 ? rotationFaults : 0);
    if (need > k.maxVersion) {
      const why = [
        ...(runs > 0 ? [`${runs} rotate-keys run${runs > 1 ? 's' : ''}`] : []),
        ...(k.rotationInProgress ? ['a rotation under way'] : []),
        ...(runs > 0 && rotationFaults ? [`${rotationFaults} rotation fault${rotationFaults > 1 ? 's' : ''}`] : []),
      ].join(', ');
      s.p.fail([...s.keyringPath(i), 'max-version'], `keyring '${k.name}' can reach key version ${need} (latest ${k.latest}, then ${why}), above its max-version ${k.maxVersion}`, `raise max-version to at least ${need}`);
    }
  });
}

export function checkDeletionHorizon(s: SystemNames, steps: StageStep[], horizon: number): void {
  s.keyrings.forEach((k, i) => {
    const schedules = steps.some(({ step }) => step.name === 'schedule-key-deletion' && (step.keyring < 0 || step.keyring === i));
    if (schedules && k.deletionWaitDays > horizon) {
      s.p.fail([...s.keyringPath(i), 'deletion-wait-days'], `versions of '${k.name}' are destroyed ${k.deletionWaitDays} days after schedule-key-deletion, past the clock horizon of ${horizon} days, so the destruction is never explored`, `raise system.clock.horizon-days to at least ${k.deletionWaitDays}`);
    }
  });
}

// a keyring or snapshot nothing uses makes every property about it hold vacuously
export function checkKeyMaterialUsed(s: SystemNames, components: Component[], snapshots: Snapshot[], steps: StageStep[]): void {
  s.keyrings.forEach((k, i) => {
    if (!components.some((c) => c.keyring === i)) {
      s.p.fail([...s.keyringPath(i), 'name'], `keyring '${k.name}' is used by no component`, `add 'keyring: ${k.name}' to the components whose records it encrypts, or remove it`);
    }
  });
  snapshots.forEach((sn, i) => {
    if (!steps.some(({ step }) => step.name === 'restore' && step.snapshot === i)) {
      s.p.fail(['system', 'snapshots', i, 'name'], `snapshot '${sn.name}' is restored by no step`, `add { restore: { from: ${sn.name} } } to the runbook, or remove the snapshot`);
    }
  });
}

export function rollbackRestores(rollback: Procedure | null): { data: boolean; keyring: boolean } {
  const restores = { data: false, keyring: false };
  for (const { step } of stepsOf(rollback)) {
    if (step.name === 'recover-from-backup') restores.data = restores.keyring = true;
    if (step.name !== 'restore') continue;
    if (step.scope !== 'keyring') restores.data = true;
    if (step.scope !== 'data' && step.snapshot < 0) restores.keyring = true;
  }
  return restores;
}

export function usesVersionStates(s: SystemNames, steps: StageStep[]): boolean {
  return (
    s.keyrings.some((k) => k.keepVersions > 0 || k.disabled.length > 0) ||
    steps.some(({ step }) => ['disable-key-version', 'enable-key-version', 'schedule-key-deletion', 'cancel-key-deletion'].includes(step.name))
  );
}
