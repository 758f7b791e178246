// The XState machine is the model's definition; the explorer steps the same guards and
// updates directly. This proves both reach the same state graph, edge for edge.
import { describe, expect, test } from 'vitest';
import { Model } from '../model/model.js';
import { createRunbookMachine, machineStepper, toEvent } from '../model/machine.js';
import { explore } from '../sim/explore.js';
import { fastBfs, xstateBfs } from '../sim/bench/xstate-bfs.js';
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
        expect(viaXState.mismatchedPhase).toBe(0);
        expect(viaFast.keys).toEqual(viaXState.keys);
        expect(sorted(viaFast.edgeList!)).toEqual(sorted(viaXState.edgeList!));
        // and the explorer's own search, with its packed store, agrees on the counts
        const out = explore(new Model(s), { maxDepth: 1000, maxStates: 1e7, symmetry, stopWhenAllFound: false });
        expect(out.states).toBe(viaXState.keys.size);
        expect(out.transitions).toBe(viaXState.edges);
        // the new events and steps are in the graphs compared, not only in the scenario
        if (name.includes('migration-interrupted')) expect(out.coverage.events['migration-interrupted'] > 0 && out.coverage.events.remediate > 0).toBe(true);
      });
    }
  }
});

describe('the machine reads like the runbook', () => {
  test('its top-level states follow the runbook phase through a whole upgrade', () => {
    const s = bao('upgrade');
    const model = new Model(s);
    const stepper = machineStepper(createRunbookMachine(s));
    let snap = stepper.initial();
    const seen = [snap.value];
    // drive only operator steps, choosing the first node offered
    for (let i = 0; i < 100 && snap.value !== 'upgraded'; i++) {
      const e = model.enabledEvents(snap.context.world).find((x) => model.label(x).type === 'step')!;
      snap = stepper.step(snap, toEvent(e));
      if (seen.at(-1) !== snap.value) seen.push(snap.value);
    }
    expect(seen).toEqual(['before', 'upgrading', 'upgraded']);
    expect(model.decode(snap.context.world).nodes.map((n) => n.release)).toEqual(['v0.5.0', 'v0.5.0', 'v0.5.0']);
  });

  test('a guard that fails leaves the snapshot where it was', () => {
    const s = bao('upgrade');
    const stepper = machineStepper(createRunbookMachine(s));
    const snap = stepper.initial();
    expect(stepper.can(snap, { type: 'decide-rollback' })).toBe(false);
    expect(stepper.step(snap, { type: 'decide-rollback' }).context.world).toEqual(snap.context.world);
  });
});
