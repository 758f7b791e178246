// Finer runbooks: stages that take a counted number of nodes (`nodes: N`) and the rest of them
// (`nodes: rest`), stages that install a release on the way (`to:`), with supported-path judged
// per hop, and a migration that is interrupted part-way and then resumed or rolled back.
import { describe, expect, test } from 'vitest';
import { Model, type Ev, type World } from '../model/model.js';
import { upgradeRoutes } from '../model/checks.js';
import { loadScenarioText, ScenarioError } from '../model/scenario/load.js';
import { scenarioWith } from './helpers.js';

// Applies events written as "type" or "type@node", each of which must be enabled.
function walk(model: Model, events: string[], from: World = model.initial()): World {
  let w = from;
  for (const label of events) {
    const [type, node] = label.split('@');
    const e = model.parseEvent(node ? { type, node } : { type }) as Ev;
    expect(e, label).not.toBeNull();
    expect(model.isEnabled(w, e), `${label} is enabled`).toBe(true);
    w = model.next(w, e);
  }
  return w;
}
const enabledLabels = (model: Model, w: World) =>
  model.enabledEvents(w).map((e) => {
    const l = model.label(e);
    return l.node ? `${l.type}@${l.node}` : l.type;
  });

describe('nodes: N and nodes: rest', () => {
  const s = scenarioWith('runbooks/kubernetes-one-minor-at-a-time.yaml', []);
  const model = new Model(s);

  test('the canary stage lets the operator pick any node, then only that one is in it', () => {
    const w0 = model.initial();
    expect(enabledLabels(model, w0).filter((l) => l.startsWith('step'))).toEqual(['step@control-plane-1', 'step@control-plane-2', 'step@control-plane-3']);
    const w = walk(model, ['step@control-plane-2', 'step', 'step', 'step']);
    const view = model.decode(w);
    expect(view.nodes.map((n) => [n.release, n.takenByStage])).toEqual([
      ['v1.27', null],
      ['v1.28', 1],
      ['v1.27', null],
    ]);
    // stage 2 takes the rest: the two nodes the canary stage did not take, to v1.28 as well
    expect(view.position).toBe('upgrading: stage 2 (control-plane, rest, to v1.28): next node: stop');
    expect(enabledLabels(model, w).filter((l) => l.startsWith('step'))).toEqual(['step@control-plane-1', 'step@control-plane-3']);
  });

  test('each hop installs its own release; the second round takes any node again', () => {
    const hop1 = ['step@control-plane-1', 'step', 'step', 'step', 'step@control-plane-2', 'step', 'step', 'step', 'step@control-plane-3', 'step', 'step', 'step'];
    const w = walk(model, hop1);
    expect(model.decode(w).nodes.map((n) => n.release)).toEqual(['v1.28', 'v1.28', 'v1.28']);
    expect(model.decode(w).position).toBe('upgrading: stage 3 (control-plane, 1 node): next node: stop');
    expect(enabledLabels(model, w).filter((l) => l.startsWith('step'))).toEqual(['step@control-plane-1', 'step@control-plane-2', 'step@control-plane-3']);
    const w2 = walk(model, ['step@control-plane-3', 'step'], w);
    expect(model.decode(w2).nodes.map((n) => [n.release, n.takenByStage])).toEqual([
      ['v1.28', 1],
      ['v1.28', null],
      ['v1.29', 3],
    ]);
  });

  test('supported-upgrade-path judges every hop a node can take', () => {
    const precondition: [string, string] = ['  maintenance-window: false', '  maintenance-window: false\n  before-you-start: [supported-upgrade-path]'];
    const good = scenarioWith('runbooks/kubernetes-one-minor-at-a-time.yaml', [precondition]);
    const bad = scenarioWith('runbooks/broken-minor-skipped-on-other-nodes.yaml', [precondition]);
    const names = (s2: typeof good) => upgradeRoutes(s2, 0).map((r) => r.map((x) => s2.releases[x].name).join(' -> '));
    expect(names(good)).toEqual(['v1.28 -> v1.29', 'v1.28 -> v1.29', 'v1.28 -> v1.29', 'v1.28 -> v1.29']);
    expect(names(bad)).toEqual(['v1.28 -> v1.29', 'v1.28 -> v1.29', 'v1.29 -> v1.29', 'v1.29 -> v1.29']);
    const mg = new Model(good);
    expect(model.decode(walk(mg, ['step'])).phase).toBe('upgrading');
    const mb = new Model(bad);
    const deferred = mb.decode(walk(mb, ['step']));
    expect([deferred.phase, deferred.reason]).toEqual(['deferred', 'deferred before starting: precondition supported-upgrade-path does not hold']);
  });
});

describe('migration-interrupted', () => {
  const s = scenarioWith('runbooks/keystone-db-sync-interrupted.yaml', []);
  const model = new Model(s);
  const toMigrate = ['step', 'step', 'step']; // stop all, backup, upgrade all

  test('half of each record kind (rounded down) is migrated and the runbook waits at the step', () => {
    const w = walk(model, [...toMigrate, 'migration-interrupted']);
    const v = model.decode(w);
    expect(v.records.map((r) => `${r.format} ${r.count}`)).toEqual(['schema-ocata 10001', 'schema-pike 10000']);
    expect([v.interrupted, v.verificationFailed, v.position]).toEqual([true, false, 'upgrading: stage 4 (keystone): migrate to schema-pike']);
    expect(enabledLabels(model, w)).toEqual(['remediate', 'decide-rollback']);
  });

  test('the remedy resumes the migration to the end and moves past the step', () => {
    const w = walk(model, [...toMigrate, 'migration-interrupted', 'remediate']);
    const v = model.decode(w);
    expect(v.records.map((r) => `${r.format} ${r.count}`)).toEqual(['schema-pike 20001']);
    expect([v.interrupted, v.position]).toEqual([false, 'upgrading: stage 4 (keystone): verify-migrated']);
    expect(model.decode(walk(model, ['step', 'step', 'step', 'step'], w)).phase).toBe('upgraded');
  });

  test('or the runbook rolls back, through the backup', () => {
    const w = walk(model, [...toMigrate, 'migration-interrupted', 'decide-rollback', 'step', 'step']);
    const v = model.decode(w);
    expect(v.phase).toBe('rolling-back');
    expect(v.records.map((r) => `${r.format} ${r.count}`)).toEqual(['schema-ocata 20001']);
  });

  test('a failed migration still has no remedy but a rollback', () => {
    const failing = new Model(scenarioWith('runbooks/keystone-db-sync-interrupted.yaml', [['migration-interrupted: {}', 'migration-fails: {}']]));
    expect(enabledLabels(failing, walk(failing, [...toMigrate, 'migration-fails']))).toEqual(['decide-rollback']);
  });
});

describe('scenario errors for stages', () => {
  const base = `scenario: tiny
system:
  wire-formats: [f1]
  keyring: { name: k }
  components:
    - name: plugin
      nodes: 3
      runs: a
      releases:
        - { name: a, reads: { formats: [f1] }, writes: { format: f1 } }
        - { name: b, reads: { formats: [f1] }, writes: { format: f1 } }
        - { name: c, reads: { formats: [f1] }, writes: { format: f1 } }
runbook:
  component: plugin
  upgrade:
    to: c
    stages:
      - { nodes: 1, to: b, strategy: one-node-at-a-time, steps: [stop, replace-image, start] }
      - { nodes: rest, to: b, strategy: all-at-once, steps: [stop, replace-image, start] }
      - { strategy: one-node-at-a-time, steps: [stop, replace-image, start] }
  rollback:
    when: [operator-decides]
    stages:
      - { strategy: all-at-once, steps: [stop, replace-image, start] }
`;

  test('the base scenario is valid', () => {
    const s = loadScenarioText(base, 'tiny.yaml');
    expect(s.runbook.upgrade.stages.map((st) => st.label)).toEqual(['stage 1 (plugin, 1 node, to b)', 'stage 2 (plugin, rest, to b)', 'stage 3 (plugin)']);
  });

  const bad = (edits: [string, string][], line: number, column: number, problem: string, fix: string) => () => {
    let text = base;
    for (const [a, b] of edits) {
      expect(text).toContain(a);
      text = text.replace(a, b);
    }
    try {
      loadScenarioText(text, 'tiny.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      const se = e as ScenarioError;
      expect([se.line, se.column, se.problem, se.fix]).toEqual([line, column, problem, fix]);
      return;
    }
    throw new Error('expected a ScenarioError');
  };

  test('a canary larger than the component', bad([['{ nodes: 1, to: b', '{ nodes: 4, to: b']], 18, 18, "stage 1 takes 4 nodes of 'plugin', but it has 3", 'take at most 3, or use nodes: rest for the remaining ones'));
  test('counted stages that add up past the component', bad([['{ nodes: rest, to: b, strategy: all-at-once', '{ nodes: 3, to: b, strategy: one-node-at-a-time']], 19, 18, "stage 2 takes 3 nodes of 'plugin', but only 2 of its 3 are left untaken by earlier stages", 'take at most 2, or use nodes: rest for the remaining ones'));
  test('a count below one', bad([['{ nodes: 1, to: b', '{ nodes: 0, to: b']], 18, 18, 'runbook.upgrade.stages[0].nodes is 0, but it must be >= 1', 'set runbook.upgrade.stages[0].nodes to a value >= 1'));
  test('a word other than rest', bad([['{ nodes: rest, to: b', '{ nodes: all, to: b']], 19, 18, "stage 2 has nodes: 'all'", "give a number of nodes (a canary the operator picks one at a time) or 'rest'"));
  test('rest with no counted stage before it', bad([['{ nodes: 1, to: b', '{ to: b']], 19, 18, "stage 2 takes the rest of 'plugin', but no earlier stage of this procedure took a number of its nodes", "add nodes: <N> to an earlier stage on 'plugin', or remove nodes: rest to act on every node"));
  test('a counted stage all at once', bad([['{ nodes: 1, to: b, strategy: one-node-at-a-time', '{ nodes: 1, to: b, strategy: all-at-once']], 18, 18, 'stage 1 takes 1 of its nodes all at once, but the operator picks counted nodes one at a time', 'use strategy: one-node-at-a-time (or standbys-first) for a counted stage'));
  test('a release that is not one of the component', bad([['{ nodes: 1, to: b', '{ nodes: 1, to: d']], 18, 25, "stage 1 to 'd' is not a release of 'plugin'", 'use one of: a, b, c'));
  test(
    'a stage going back to an older release',
    bad(
      [
        ['{ nodes: rest, to: b,', '{ nodes: rest,'],
        ['      - { strategy: one-node-at-a-time, steps: [stop, replace-image, start] }', '      - { to: b, strategy: one-node-at-a-time, steps: [stop, replace-image, start] }'],
      ],
      20,
      15,
      "stage 3 installs b on 'plugin' after an earlier stage installed c",
      'order the stages oldest release first (b before c), or give this stage to: c',
    ),
  );
  test(
    'a stage past upgrade.to',
    bad([['    to: c\n', '    to: b\n'], ['{ nodes: 1, to: b', '{ nodes: 1, to: c']], 18, 25, "stage 1 installs c on 'plugin', past upgrade.to (b)", 'make upgrade.to the last release the runbook installs, or install b or older here'),
  );
  test('to: on a stage with nothing to install', bad([['{ nodes: 1, to: b, strategy: one-node-at-a-time, steps: [stop, replace-image, start] }', '{ nodes: 1, to: b, strategy: one-node-at-a-time, steps: [stop, start] }']], 18, 25, 'stage 1 names a release with to: but has no replace-image step to install it', 'add replace-image to its steps, or remove to:'));
  test('to: in a rollback', bad([['      - { strategy: all-at-once, steps: [stop, replace-image, start] }\n', '      - { to: a, strategy: all-at-once, steps: [stop, replace-image, start] }\n']], 24, 15, 'rollback stage 1 names a release with to:, but a rollback returns every node to its previous release', 'remove to: (set system.components[].previous to choose the release a rollback returns to)'));
});
