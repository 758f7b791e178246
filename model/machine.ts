// The XState v5 definition of a scenario's world: context is the world, events are runbook
// steps, faults and workload, and every transition is the guard/update pair from events.ts.
// The top-level states mirror the runbook's phase so the statechart reads like the runbook.
// Engines do not run this machine in their hot loop; test/differential.test.ts proves that
// stepping it reaches exactly the graph the fast path reaches.
import { assign, createActor, setup, type AnyActorScope, type SnapshotFrom } from 'xstate';
import type { CompiledScenario } from './types.js';
import { Model } from './model.js';
import { EVENT_KINDS, KEYRING_EVENTS, type Ev, apply, enabled, ev, evKeyring, evKind, evNode } from './events.js';
import { type World, PHASE, PHASE_NAMES } from './world.js';

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

export function fromEvent(e: WorldEvent): Ev {
  return ev(EVENT_KINDS.indexOf(e.type), e.node ?? -1, e.keyring ?? 0);
}

export function createRunbookMachine(s: CompiledScenario) {
  const model = new Model(s);
  const c = model.c;
  const on: Record<string, { guard: string; actions: string }> = {};
  for (const type of EVENT_KINDS) on[type] = { guard: 'enabled', actions: 'apply' };
  const states: Record<string, object> = {};
  for (const phase of PHASE_NAMES) {
    states[phase] = {
      always: PHASE_NAMES.filter((p) => p !== phase).map((p) => ({ guard: { type: 'phaseIs', params: { phase: p } }, target: p })),
    };
  }
  return setup({
    types: { context: {} as { world: World }, events: {} as WorldEvent },
    guards: {
      enabled: ({ context, event }) => enabled(c, context.world, fromEvent(event)),
      phaseIs: ({ context }, params: { phase: string }) => PHASE_NAMES[context.world[PHASE]] === params.phase,
    },
    actions: {
      apply: assign({ world: ({ context, event }) => apply(c, context.world, fromEvent(event)) }),
    },
  }).createMachine({
    id: s.name,
    context: { world: model.initial() },
    initial: PHASE_NAMES[0],
    on,
    states,
  });
}

export type RunbookMachine = ReturnType<typeof createRunbookMachine>;
export type RunbookSnapshot = SnapshotFrom<RunbookMachine>;

// One actor scope reused for every transition: xstate's exported transition() builds a fresh
// actor system per call, which costs more than the model step itself.
export function machineStepper(machine: RunbookMachine) {
  const actor = createActor(machine);
  const scope = (actor as unknown as { _actorScope: AnyActorScope })._actorScope;
  return {
    initial: (): RunbookSnapshot => machine.getInitialSnapshot(scope as never),
    can: (snap: RunbookSnapshot, e: WorldEvent): boolean => snap.can(e),
    step: (snap: RunbookSnapshot, e: WorldEvent): RunbookSnapshot => machine.transition(snap, e, scope as never),
  };
}
