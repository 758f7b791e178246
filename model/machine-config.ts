// The runbook machine as plain data: the states and named transitions `createRunbookMachine`
// builds the XState machine from, and what `rollsafe graph --format xstate` hands to Stately's
// tools. No functions: guards and actions are referred to by name (implemented in machine.ts).
//
// Every transition is the event's guard/update pair from events.ts: guard `enabled`, action
// `apply`. Events that move the operator (a step, a remedy that finishes a step, a fault that
// finishes one, the rollback decision) list one branch per state the runbook can lead to, with
// guard params `{ to }`: "enabled, and the update leaves the world at this state". Which branch
// is taken is therefore read off the world after the update, so the state value is exact; a
// branch the list missed would leave the event untaken, which the differential test sees as a
// missing edge. Events that never move the operator have no target.
import type { CompiledScenario, Stage } from './types.js';
import { Model } from './model.js';
import { EVENT_KINDS, type EventKind, evKind } from './events.js';
import { PHASE_NAMES } from './world.js';
import { PHASE_END, RUNBOOK_PHASES, type StateNames, positionPath, procedureOf, stateNames } from './machine-states.js';

export type GuardConfig = 'enabled' | { type: 'enabled'; params: { to: string } };

export interface TransitionConfig {
  guard: GuardConfig;
  actions: 'apply';
  target?: string; // '#machine-id.phase.stage.step'; none: the operator stays where they are
}

export interface StateConfig {
  description?: string;
  initial?: string;
  on?: Record<string, TransitionConfig[]>;
  states?: Record<string, StateConfig>;
}

export interface RunbookMachineConfig {
  id: string;
  description: string;
  initial: string;
  on: Record<string, TransitionConfig[]>;
  states: Record<string, StateConfig>;
}

// Events that strike wherever the world allows, whatever the runbook is doing.
const ANYWHERE: readonly EventKind[] = [
  'api-server-restart',
  'backend-outage',
  'rotation-starts',
  'forced-failover',
  'rotation-completes',
  'backend-recovers',
  'failover',
  'write',
  'report-key-id',
  'read',
  'cache-expires',
];
// Faults that strike one kind of step, and whether they finish it (finishAfterFault in steps.ts).
const STEP_FAULTS: Readonly<Record<string, { kind: EventKind; finishes: boolean }[]>> = {
  'replace-image': [{ kind: 'image-replace-fails', finishes: false }],
  start: [{ kind: 'config-drift', finishes: true }],
  migrate: [
    { kind: 'migration-fails', finishes: false },
    { kind: 'migration-interrupted', finishes: false },
  ],
  rewrap: [{ kind: 'rewrap-interrupted', finishes: true }],
  'distribute-keys': [{ kind: 'distribution-incomplete', finishes: true }],
};
// Placed by Builder.phase() and Builder.stage() on the states they belong to.
const BY_PHASE_OR_STEP: readonly EventKind[] = ['step', 'remediate', 'decide-rollback', 'time-passes', 'plugin-crash'];

// An event kind added to events.ts without a place here would never be offered by the machine;
// say so when the machine is built rather than as a missing edge in some later graph.
const PLACED = new Set<string>([...ANYWHERE, ...BY_PHASE_OR_STEP, ...Object.values(STEP_FAULTS).flatMap((fs) => fs.map((f) => f.kind))]);
const UNPLACED = EVENT_KINDS.filter((k) => !PLACED.has(k));

export function runbookMachineConfig(s: CompiledScenario): RunbookMachineConfig {
  if (UNPLACED.length) throw new Error(`event kinds with no place in the runbook machine (model/machine-config.ts): ${UNPLACED.join(', ')}`);
  const model = new Model(s);
  // the kinds events.ts's alphabet offers in this scenario (undeclared faults never happen)
  const kinds = new Set<string>(model.events.map((e) => EVENT_KINDS[evKind(e)]));
  const names = stateNames(s);
  // the scenario may start part-way (model.initial(): a runbook with nothing to check first has
  // already begun): the compound states' initial children lead there
  const start = names.pathOf(model.initial());
  const b = new Builder(s, names, kinds, start.split('.'));
  const on: Record<string, TransitionConfig[]> = {};
  for (const kind of ANYWHERE) if (kinds.has(kind)) on[kind] = [b.stay()];
  const states: Record<string, StateConfig> = {};
  for (const phase of PHASE_NAMES) states[phase] = b.phase(phase);
  return {
    id: names.machineId,
    description: `${s.title}: the runbook's phases, stages and steps; context is the world (model/world.ts)`,
    initial: start.split('.')[0],
    on,
    states,
  };
}

class Builder {
  constructor(
    readonly s: CompiledScenario,
    readonly names: StateNames,
    readonly kinds: Set<string>,
    readonly start: string[], // the initial state's path: [phase, stage?, step?]
  ) {}

  // The initial child of a phase's or a stage's state: on the initial state's path, the child it
  // takes; elsewhere the first (every entry into a runbook phase names its step as the target).
  initialOf(path: string[], children: string[]): string {
    return path.every((k, i) => this.start[i] === k) && this.start.length > path.length ? this.start[path.length] : children[0];
  }

  stay(): TransitionConfig {
    return { guard: 'enabled', actions: 'apply' };
  }

  // One branch per state the update can leave the world in; `here` (the source) is a branch
  // without a target.
  toAny(paths: string[], here?: string): TransitionConfig[] {
    const unique = [...new Set(paths)];
    if (unique.length === 1 && unique[0] === here) return [this.stay()];
    return unique.map((to) => {
      const branch: TransitionConfig = { guard: { type: 'enabled', params: { to } }, actions: 'apply' };
      if (to !== here) branch.target = `#${this.names.machineId}.${to}`;
      return branch;
    });
  }

  // The first step of every stage from `from` on, then the end of the phase: settle() skips
  // stages with nothing left to do, and ends the phase when none is left.
  stagesFrom(phase: string, from: number): string[] {
    const stages = this.names.stages[phase];
    const out: string[] = [];
    for (let k = from; k < stages.length; k++) out.push(positionPath(this.names, phase, k));
    out.push(PHASE_END[phase]);
    return out;
  }

  // Where a step that completes leads (finishStep): the next step of the stage; after its last
  // step a per-node stage goes back to its first step for the next node, or on to later stages.
  afterStep(phase: string, stage: Stage, i: number, j: number): string[] {
    if (j + 1 < stage.steps.length) return [positionPath(this.names, phase, i, j + 1)];
    return [...(stage.strategy === 'once' ? [] : [positionPath(this.names, phase, i, 0)]), ...this.stagesFrom(phase, i + 1)];
  }

  phase(phase: string): StateConfig {
    const out: StateConfig = {};
    const on: Record<string, TransitionConfig[]> = {};
    const rollback = this.s.runbook.rollback !== null;
    if (phase === 'before') on.step = this.toAny([...this.stagesFrom('upgrading', 0), 'deferred']);
    // the clock runs outside the maintenance window only (events.ts: time-passes)
    if (!RUNBOOK_PHASES.has(phase) && this.kinds.has('time-passes')) on['time-passes'] = [this.stay()];
    if (RUNBOOK_PHASES.has(phase) && this.kinds.has('plugin-crash')) on['plugin-crash'] = [this.stay()];
    // the rollback decision: while upgrading or after it; refused by a guard, it halts
    if ((phase === 'upgrading' || phase === 'upgraded') && rollback) on['decide-rollback'] = this.toAny([...this.stagesFrom('rolling-back', 0), 'halted']);
    if (Object.keys(on).length) out.on = on;
    const procedure = RUNBOOK_PHASES.has(phase) ? procedureOf(this.s, phase) : null;
    if (procedure && procedure.stages.length) {
      const stages = this.names.stages[phase];
      out.initial = this.initialOf([phase], stages.map((st) => st.key));
      out.states = {};
      procedure.stages.forEach((stage, i) => (out.states![stages[i].key] = this.stage(phase, stage, i)));
    }
    return out;
  }

  stage(phase: string, stage: Stage, i: number): StateConfig {
    const names = this.names.stages[phase][i];
    const description = `${stage.label || 'each node'}: ${stage.strategy}`;
    if (stage.steps.length === 0) return { description };
    const states: Record<string, StateConfig> = {};
    stage.steps.forEach((step, j) => {
      const here = positionPath(this.names, phase, i, j);
      const after = this.afterStep(phase, stage, i, j);
      const on: Record<string, TransitionConfig[]> = {};
      // a failed check leaves the operator at the check; a restore with no backup, or a
      // rollback's reinstall whose guard no longer holds, halts the runbook
      const fails = step.name.startsWith('verify-') ? [here] : [];
      const halts = step.name === 'restore' || step.name === 'recover-from-backup' || (step.name === 'replace-image' && phase === 'rolling-back') ? ['halted'] : [];
      on.step = this.toAny([...after, ...fails, ...halts], here);
      // the remedy for a failed check stays at it; resuming an interrupted migration finishes it
      if (step.name.startsWith('verify-')) on.remediate = [this.stay()];
      if (step.name === 'migrate') on.remediate = this.toAny(after, here);
      for (const f of STEP_FAULTS[step.name] ?? []) {
        if (this.kinds.has(f.kind)) on[f.kind] = f.finishes ? this.toAny(after, here) : [this.stay()];
      }
      states[names.steps[j]] = { on };
    });
    return { description, initial: this.initialOf([phase, names.key], names.steps), states };
  }
}
