// Sometimes properties: what some run of the runbook must be able to do, or every other verdict
// rests on nothing. A runbook whose checks refuse to start on every run is "safe" for the same
// reason a disconnected smoke alarm is quiet. Judged from the coverage every engine reports
// (sim/results/vacuity.ts), so engines need no code for them.
import type { PropertyDef } from './properties-common.js';

const upgradeCanFinish: PropertyDef = {
  name: 'upgrade-can-finish',
  kind: 'sometimes',
  category: 'reachability',
  harm: 'runbook-stuck',
  explanation:
    'Some explored run upgrades every node the runbook names. If none does (its checks refuse to start, a guard halts it on every path), every safety verdict about the upgrade held without an upgrade to test it.',
  trigger: { text: 'a run finishes the upgrade', entered: ['upgraded'] },
  // a scenario that starts after the upgrade is about what follows it, not the upgrade
  applies: (s) => s.runbook.alreadyUpgradedDaysAgo < 0 && s.runbook.upgrade.stages.length > 0,
};

const rollbackCanBeDecided: PropertyDef = {
  name: 'rollback-can-start',
  kind: 'sometimes',
  category: 'reachability',
  harm: 'runbook-stuck',
  explanation:
    'Some explored run decides the rollback the runbook plans and its guards let it start. If none does (no trigger fires, a guard refuses it everywhere), the rollback procedure was never put to the test: pin it under expect.vacuous when refusing every rollback is the point.',
  trigger: { text: 'a run starts the rollback', entered: ['rolling-back'] },
  applies: (s) => s.runbook.rollback !== null && s.runbook.rollback.procedure.stages.length > 0,
};

export const SOMETIMES_PROPERTIES: PropertyDef[] = [upgradeCanFinish, rollbackCanBeDecided];
