// The names of the runbook machine's states: phases, then (in the phases that run a procedure)
// one state per stage and, inside it, one per step, named as the runbook author wrote them.
// The same table maps a world's PHASE/STAGE/PC slots to the state it is in, so the machine's
// targets and the differential test's check of every explored state read one definition.
import type { CompiledScenario, Procedure, Stage } from './types.js';
import { type World, PC, PHASE, PHASE_NAMES, Phase, STAGE } from './world.js';

// The phases in which the world's STAGE and PC say where the operator is. In every other phase
// those slots are leftovers (halted keeps the rollback's position) and the phase is a leaf.
export const RUNBOOK_PHASES: ReadonlyMap<string, Phase> = new Map([
  ['upgrading', Phase.Upgrading],
  ['rolling-back', Phase.RollingBack],
]);

// Where each runbook phase ends when its last stage is done (settle() in steps.ts).
export const PHASE_END: Readonly<Record<string, string>> = { upgrading: 'upgraded', 'rolling-back': 'rolled-back' };

// A state key cannot hold '.', XState's path separator, nor '#', its id marker; runbook labels
// ('stage 1 (control-plane, to v1.28)') become 'stage-1-control-plane-to-v1-28'.
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

// `each-node:` and `after-all:` are the keys the author wrote; a `stages:` list is numbered,
// with the components, node count and release its label (compile-stages.ts) gives it.
export function stageKey(stage: Stage): string {
  if (stage.label === '') return 'each-node';
  if (stage.label === 'after all') return 'after-all';
  return slug(stage.label);
}

// A step is named by its runbook name; a name used twice in one stage is numbered from its
// second use (verify-key-id, verify-key-id-2) so every step has its own state.
export function stepKeys(stage: Stage): string[] {
  const seen = new Map<string, number>();
  return stage.steps.map((st) => {
    const n = (seen.get(st.name) ?? 0) + 1;
    seen.set(st.name, n);
    return n === 1 ? st.name : `${st.name}-${n}`;
  });
}

export interface StageNames {
  key: string;
  steps: string[]; // empty: a stage with no steps is a leaf state
}

export interface StateNames {
  machineId: string;
  // per runbook phase name: its stages in runbook order (empty when the phase has no procedure)
  stages: Record<string, StageNames[]>;
  // the dotted path ('upgrading.each-node.stop') of the state a world is in
  pathOf: (w: World) => string;
  // the same as the XState state value: a phase name, or { phase: { stage: step } }
  valueOf: (w: World) => StateValue;
}

export type StateValue = string | { [key: string]: StateValue };

export function procedureOf(s: CompiledScenario, phase: string): Procedure | null {
  if (phase === 'upgrading') return s.runbook.upgrade;
  if (phase === 'rolling-back') return s.runbook.rollback?.procedure ?? null;
  return null;
}

export function stateNames(s: CompiledScenario): StateNames {
  const stages: Record<string, StageNames[]> = {};
  for (const phase of RUNBOOK_PHASES.keys()) {
    stages[phase] = (procedureOf(s, phase)?.stages ?? []).map((st) => ({ key: stageKey(st), steps: stepKeys(st) }));
  }
  // the path and value of every runbook position, computed once: pathOf runs in every guard
  const paths = new Map<number, string>();
  const values = new Map<number, StateValue>();
  const at = (phase: number, stage: number, step: number) => (phase << 20) | (stage << 10) | step;
  PHASE_NAMES.forEach((name, p) => {
    const runbook = stages[name];
    if (!runbook || runbook.length === 0) {
      paths.set(at(p, 0, 0), name);
      values.set(at(p, 0, 0), name);
      return;
    }
    runbook.forEach((st, i) => {
      if (st.steps.length === 0) {
        paths.set(at(p, i, 0), `${name}.${st.key}`);
        values.set(at(p, i, 0), { [name]: st.key });
      }
      st.steps.forEach((step, j) => {
        paths.set(at(p, i, j), `${name}.${st.key}.${step}`);
        values.set(at(p, i, j), { [name]: { [st.key]: step } });
      });
    });
  });
  const slot = (w: World) => {
    const p = w[PHASE];
    const key = stages[PHASE_NAMES[p]]?.length ? at(p, w[STAGE], w[PC]) : at(p, 0, 0);
    if (!paths.has(key)) throw new Error(`world at phase ${PHASE_NAMES[p]}, stage ${w[STAGE]}, step ${w[PC]}: no such runbook position`);
    return key;
  };
  return {
    machineId: slug(s.name) || 'runbook',
    stages,
    pathOf: (w) => paths.get(slot(w))!,
    valueOf: (w) => values.get(slot(w))!,
  };
}

// The dotted path of a runbook position: a stage's first step (or the stage itself when it has
// none), or a phase name.
export function positionPath(names: StateNames, phase: string, stage?: number, step = 0): string {
  const runbook = names.stages[phase];
  if (stage === undefined || !runbook?.length) return phase;
  const st = runbook[stage];
  return st.steps.length ? `${phase}.${st.key}.${st.steps[step]}` : `${phase}.${st.key}`;
}
