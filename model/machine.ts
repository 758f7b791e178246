// The XState v5 definition of a scenario's world, shaped like its runbook: phases, then stages
// and steps (machine-states.ts names them), with named transitions for operator steps, faults
// and environment events (machine-config.ts places them). Context is the world; every
// transition's guard and update are `enabled` and `apply` from events.ts. Engines do not run
// this machine in their hot loop; test/differential.test.ts proves that stepping it reaches
// exactly the graph the fast path reaches, and that its state is always the world's position.
import { assign, initialTransition, setup, transition, type SnapshotFrom } from 'xstate';
import type { CompiledScenario } from './types.js';
import { Model } from './model.js';
import { EVENT_KINDS, KEYRING_EVENTS, type Ev, apply, enabled, ev, evKeyring, evKind, evNode } from './events.js';
import type { World } from './world.js';
import { runbookMachineConfig } from './machine-config.js';
import { stateNames } from './machine-states.js';

export { runbookMachineConfig, type RunbookMachineConfig } from './machine-config.js';
export { stateNames, type StateValue } from './machine-states.js';

export interface WorldEvent {
  type: (typeof EVENT_KINDS)[number];
  node?: number;
  keyring?: number;
}

export function toEvent(e: Ev): WorldEvent {
  const n = evNode(e);
  const type = EVENT_KINDS[evKind(e)];
  const out: WorldEvent = n >= 0 ? { type, node: n } : { type };
  if (KEYRING_EVENTS.has(type)) out.keyring = evKeyring(e);
  return out;
}

const KIND_INDEX = new Map<string, number>(EVENT_KINDS.map((k, i) => [k, i]));

export function fromEvent(e: WorldEvent): Ev {
  return ev(KIND_INDEX.get(e.type)!, e.node ?? -1, e.keyring ?? 0);
}

export function createRunbookMachine(s: CompiledScenario) {
  const model = new Model(s);
  const c = model.c;
  const names = stateNames(s);
  // A branch's guard asks where the update leaves the world, and the taken branch's action is
  // that same update: one apply() per transition, kept for the (world, event) last asked
  // about. Worlds are never modified once made, so the reference identifies the world.
  let memoWorld: World | null = null;
  let memoEvent = -1;
  let memoNext: World | null = null;
  const next = (w: World, e: Ev): World => {
    if (w !== memoWorld || e !== memoEvent) {
      memoNext = apply(c, w, e);
      memoWorld = w;
      memoEvent = e;
    }
    return memoNext!;
  };
  return setup({
    types: { context: {} as { world: World }, events: {} as WorldEvent },
    guards: {
      // events.ts's guard; with `to`, also: the update leaves the world at that state
      enabled: ({ context, event }, params?: { to: string }) => {
        const e = fromEvent(event);
        if (!enabled(c, context.world, e)) return false;
        return params === undefined || names.pathOf(next(context.world, e)) === params.to;
      },
    },
    actions: {
      apply: assign({ world: ({ context, event }) => next(context.world, fromEvent(event)) }),
    },
  }).createMachine({ ...(runbookMachineConfig(s) as object), context: { world: model.initial() } } as never);
}

export type RunbookMachine = ReturnType<typeof createRunbookMachine>;
export type RunbookSnapshot = SnapshotFrom<RunbookMachine>;

// Steps the machine through XState's public pure functions. transition() builds a throwaway
// actor per call, which costs more than the model's own step: engines use the fast path.
export function machineStepper(machine: RunbookMachine) {
  return {
    initial: (): RunbookSnapshot => initialTransition(machine)[0],
    can: (snap: RunbookSnapshot, e: WorldEvent): boolean => snap.can(e),
    step: (snap: RunbookSnapshot, e: WorldEvent): RunbookSnapshot => transition(machine, snap, e)[0],
  };
}
