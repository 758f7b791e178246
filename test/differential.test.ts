// The XState machine is the model's definition; the explorer steps the same guards and
// updates directly. This proves both reach the same state graph, edge for edge, and that the
// machine's state is always the runbook position the world is at.
import { describe, expect, test } from 'vitest';
import { Model } from '../model/model.js';
import { createMachine, transition } from 'xstate';
import { type StateValue, createRunbookMachine, machineStepper, runbookMachineConfig, stateNames, toEvent } from '../model/machine.js';
import type { StateConfig, TransitionConfig } from '../model/machine-config.js';
import { EVENT_KINDS } from '../model/events.js';
import { PHASE_NAMES } from '../model/world.js';
import type { CompiledScenario } from '../model/types.js';
import { explore } from '../sim/engines/explore.js';
import { fastBfs, xstateBfs } from '../sim/bench/xstate-bfs.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarioFile } from '../model/scenario/load.js';
import { ROOT, bao, baoWith, scenarioWith } from './helpers.js';

const sorted = (xs: string[]) => [...xs].sort();

const scenarios = {
  'upgrade (2 nodes, budget 1)': () => baoWith('upgrade', [['nodes: 3', 'nodes: 2'], ['budget: 2', 'budget: 1']]),
  'broken-upgrade-during-rotation (2 nodes, budget 1)': () => baoWith('broken-upgrade-during-rotation', [['nodes: 3', 'nodes: 2'], ['budget: 2', 'budget: 1']]),
  'broken-all-nodes-at-once (2 nodes, budget 1)': () => baoWith('broken-all-nodes-at-once', [['nodes: 3', 'nodes: 2'], ['budget: 2', 'budget: 1']]),
  // two keyrings, per-node data keys, key_ids reported apart, version states, a snapshot from
  // another cluster, a deleted and re-created key: every key event and step
  'key-semantics fixture': () => loadScenarioFile(join(ROOT, 'test/fixtures/key-semantics.yaml')),
  // counted stages (nodes: 1, nodes: rest) and stages that name their release (to:)
  'runbooks/kubernetes-one-minor-at-a-time': () => scenarioWith('runbooks/kubernetes-one-minor-at-a-time.yaml', []),
  // counted stages with an interrupted migration: resumed, or rolled back through the backup
  'runbooks/keystone-first-and-other-nodes (migration-interrupted, budget 2)': () =>
    scenarioWith('runbooks/keystone-first-and-other-nodes.yaml', [['migration-fails: {} # db_sync fails half-way', 'migration-interrupted: {}'], ['budget: 1', 'budget: 2']]),
};

describe('XState machine and fast path reach the same graph', () => {
  for (const [name, load] of Object.entries(scenarios)) {
    for (const symmetry of [false, true]) {
      test(`${name}, symmetry ${symmetry ? 'on' : 'off'}`, () => {
        const s = load();
        const viaXState = xstateBfs(s, { symmetry, edges: true });
        const viaFast = fastBfs(s, { symmetry, edges: true });
        expect(viaXState.keys.size).toBeGreaterThan(100);
        // every snapshot explored is in the state named by the world's phase, stage and step
        expect(viaXState.mismatchedState).toBe(0);
        expect(viaFast.keys).toEqual(viaXState.keys);
        expect(sorted(viaFast.edgeList!)).toEqual(sorted(viaXState.edgeList!));
        // and the explorer's own search, with its packed store, agrees on the counts
        const out = explore(new Model(s), { maxDepth: 1000, maxStates: 1e7, symmetry, failFast: false });
        expect(out.states).toBe(viaXState.keys.size);
        expect(out.transitions).toBe(viaXState.edges);
        // the new events and steps are in the graphs compared, not only in the scenario
        if (name.includes('migration-interrupted')) expect(out.coverage.events['migration-interrupted'] > 0 && out.coverage.events.remediate > 0).toBe(true);
      });
    }
  }
});

// Every corpus scenario, on seeded random walks: wherever a walk goes, the machine offers
// exactly the events the fast path has enabled, steps to the same world, and is in the state
// named by the world's position. Walks reach the rollbacks, halts and step faults of runbooks
// the graphs above do not cover, and stay cheap on scenarios too large to explore.
describe('on every corpus scenario the machine follows the fast path', () => {
  const files = readdirSync(join(ROOT, 'scenarios'), { recursive: true }).map(String).filter((f) => f.endsWith('.yaml')).sort();
  test.each(files)('%s', (file) => {
    const s = loadScenarioFile(join(ROOT, 'scenarios', file));
    const model = new Model(s);
    const names = stateNames(s);
    const stepper = machineStepper(createRunbookMachine(s));
    const events = model.events;
    let seed = 1;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    let steps = 0;
    for (let walk = 0; walk < 6; walk++) {
      let snap = stepper.initial();
      expect(snap.value).toEqual(names.valueOf(snap.context.world));
      for (let d = 0; d < Math.min(s.bounds.maxDepth, 80); d++) {
        const offered = events.filter((e) => stepper.can(snap, toEvent(e)));
        expect(offered).toEqual(model.enabledEvents(snap.context.world));
        if (offered.length === 0) break;
        const e = offered[rand(offered.length)];
        const next = stepper.step(snap, toEvent(e));
        expect(next.context.world).toEqual(model.next(snap.context.world, e));
        expect(next.value).toEqual(names.valueOf(next.context.world));
        snap = next;
        steps++;
      }
    }
    expect(steps).toBeGreaterThan(0);
  });
});

// the state value's phase: a phase name, or the one key of { phase: { stage: step } }
const phaseOf = (v: StateValue) => (typeof v === 'string' ? v : Object.keys(v)[0]);

// Drives only operator steps, choosing the first node offered, and returns each state value
// the machine passes through.
function operatorRun(s: CompiledScenario, until: string): { values: StateValue[]; world: Int32Array } {
  const model = new Model(s);
  const stepper = machineStepper(createRunbookMachine(s));
  let snap = stepper.initial();
  const values: StateValue[] = [snap.value as StateValue];
  for (let i = 0; i < 100 && snap.value !== until; i++) {
    const e = model.enabledEvents(snap.context.world).find((x) => model.label(x).type === 'step')!;
    snap = stepper.step(snap, toEvent(e));
    if (JSON.stringify(values.at(-1)) !== JSON.stringify(snap.value)) values.push(snap.value as StateValue);
  }
  return { values, world: snap.context.world };
}

describe('the machine reads like the runbook', () => {
  test('its top-level states follow the runbook phase through a whole upgrade', () => {
    const s = bao('upgrade');
    const run = operatorRun(s, 'upgraded');
    expect(run.values.map(phaseOf).filter((p, i, ps) => p !== ps[i - 1])).toEqual(['before', 'upgrading', 'upgraded']);
    expect(new Model(s).decode(run.world).nodes.map((n) => n.release)).toEqual(['v0.5.0', 'v0.5.0', 'v0.5.0']);
  });

  test('through an upgrade its state is the stage and step the runbook is at, named as written', () => {
    // scenarios/bao-kms-provider/upgrade.yaml: each-node: [doctor, stop, replace-image, start,
    // verify-ready, verify-key-id], after-all: [verify-key-id], on three nodes in turn
    const eachNode = ['doctor', 'stop', 'replace-image', 'start', 'verify-ready', 'verify-key-id'].map((step) => ({ upgrading: { 'each-node': step } }));
    expect(operatorRun(bao('upgrade'), 'upgraded').values).toEqual(['before', ...eachNode, ...eachNode, ...eachNode, { upgrading: { 'after-all': 'verify-key-id' } }, 'upgraded']);
  });

  test('ordered stages are named by number, components, node count and release', () => {
    const s = scenarioWith('runbooks/kubernetes-one-minor-at-a-time.yaml', []);
    const steps = ['stop', 'replace-image', 'start', 'verify-ready'];
    const stages = ['stage-1-control-plane-1-node-to-v1-28', 'stage-2-control-plane-rest-to-v1-28', 'stage-3-control-plane-1-node', 'stage-4-control-plane-rest'];
    expect(stateNames(s).stages.upgrading).toEqual(stages.map((key) => ({ key, steps })));
    // the canary stage takes one node through its steps, then the rest stage begins
    const values = operatorRun(s, 'upgraded').values;
    expect(values.slice(0, 6)).toEqual([...steps.map((step) => ({ upgrading: { [stages[0]]: step } })), { upgrading: { [stages[1]]: 'stop' } }, { upgrading: { [stages[1]]: 'replace-image' } }]);
    expect(values.at(-1)).toBe('upgraded');
  });

  test('a step named twice in one stage gets a state per use', () => {
    const s = baoWith('upgrade', [['each-node: [doctor, stop, replace-image, start, verify-ready, verify-key-id]', 'each-node: [doctor, stop, replace-image, start, verify-key-id, verify-ready, verify-key-id]']]);
    expect(stateNames(s).stages.upgrading[0].steps).toEqual(['doctor', 'stop', 'replace-image', 'start', 'verify-key-id', 'verify-ready', 'verify-key-id-2']);
  });

  test('a guard that fails leaves the snapshot where it was', () => {
    const s = bao('upgrade');
    const stepper = machineStepper(createRunbookMachine(s));
    const snap = stepper.initial();
    expect(stepper.can(snap, { type: 'decide-rollback' })).toBe(false);
    const [same] = transition(createRunbookMachine(s), snap, { type: 'decide-rollback' });
    expect(same.context.world).toEqual(snap.context.world);
    expect(same.value).toBe('before');
  });
});

describe('the machine as plain config (for rollsafe graph --format xstate)', () => {
  const s = bao('upgrade');
  const config = runbookMachineConfig(s);
  const id = '#bao-kms-provider-upgrade';

  test('is JSON: nothing is lost or changed by a round trip, and XState loads it as it is', () => {
    const json = JSON.parse(JSON.stringify(config));
    expect(json).toEqual(config);
    // what Stately's tools do with it: a machine with the same states, guards and actions by name
    const loaded = createMachine(json);
    expect(loaded.getStateNodeById(`${id}.upgrading.after-all.verify-key-id`).on.step.map((t) => t.target?.[0].id)).toEqual([`${id.slice(1)}.upgraded`, undefined]);
    // and the machine the differential test steps is built from exactly this config
    const { context: _world, ...built } = createRunbookMachine(s).config as unknown as Record<string, unknown>;
    expect(built).toEqual(config);
  });

  test("its states are the runbook's phases, stages and steps", () => {
    expect(config.initial).toBe('before');
    expect(Object.keys(config.states)).toEqual(PHASE_NAMES);
    const upgrading = config.states.upgrading.states!;
    expect(Object.keys(upgrading)).toEqual(['each-node', 'after-all']);
    expect(Object.keys(upgrading['each-node'].states!)).toEqual(['doctor', 'stop', 'replace-image', 'start', 'verify-ready', 'verify-key-id']);
    expect(Object.keys(upgrading['after-all'].states!)).toEqual(['verify-key-id']);
    expect(Object.keys(config.states['rolling-back'].states!['each-node'].states!)).toEqual(['stop', 'replace-image', 'doctor', 'start', 'verify-key-id']);
    for (const leaf of ['before', 'upgraded', 'rolled-back', 'deferred', 'halted']) expect(config.states[leaf].states).toBeUndefined();
  });

  test('transitions are named events with the guard and update from events.ts', () => {
    const eachNode = config.states.upgrading.states!['each-node'].states!;
    // an operator step moves to the next step; a fault that finishes the step moves with it
    expect(eachNode.stop.on).toEqual({ step: [{ guard: { type: 'enabled', params: { to: 'upgrading.each-node.replace-image' } }, actions: 'apply', target: `${id}.upgrading.each-node.replace-image` }] });
    expect(eachNode.start.on!['config-drift']).toEqual([{ guard: { type: 'enabled', params: { to: 'upgrading.each-node.verify-ready' } }, actions: 'apply', target: `${id}.upgrading.each-node.verify-ready` }]);
    // a check that fails stays at the check, where the remedy is offered
    expect(eachNode['verify-ready'].on!.step.map((t) => t.target)).toEqual([`${id}.upgrading.each-node.verify-key-id`, undefined]);
    expect(eachNode['verify-ready'].on!.remediate).toEqual([{ guard: 'enabled', actions: 'apply' }]);
    // the last step of a node goes to the next node, the after-all stage, or the end
    expect(eachNode['verify-key-id'].on!.step.map((t) => t.target)).toEqual([`${id}.upgrading.each-node.doctor`, `${id}.upgrading.after-all.verify-key-id`, `${id}.upgraded`, undefined]);
    expect(Object.keys(config.states.upgrading.on!)).toEqual(['plugin-crash', 'decide-rollback']);
    expect(Object.keys(config.on)).toEqual(['api-server-restart', 'backend-outage', 'rotation-starts', 'rotation-completes', 'backend-recovers', 'write', 'cache-expires']);
    // every transition, wherever it is, is enabled/apply on an event of events.ts, to a real state
    const machine = createRunbookMachine(s);
    const visit = (on: Record<string, TransitionConfig[]> | undefined) => {
      for (const [type, ts] of Object.entries(on ?? {})) {
        expect(EVENT_KINDS).toContain(type);
        for (const t of ts) {
          expect(t.actions).toBe('apply');
          expect(typeof t.guard === 'string' ? t.guard : t.guard.type).toBe('enabled');
          if (t.target) expect(machine.getStateNodeById(t.target).id).toBe(t.target.slice(1));
        }
      }
    };
    const walk = (st: StateConfig) => {
      visit(st.on);
      for (const child of Object.values(st.states ?? {})) walk(child);
    };
    walk(config as StateConfig);
  });
});
