// Malformed scenarios: each is rejected with file:line:column, what is wrong and a fix, exit 2.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadScenarioText, ScenarioError } from '../model/scenario/load.js';
import { SCENARIO_SCHEMA_FILE } from '../model/scenario/parse.js';
import { PROPERTIES, PROPERTY_NAMES } from '../model/properties.js';
import { rollsafe } from './helpers.js';

const cases = [
  {
    file: 'yaml-syntax-error.yaml',
    at: '58:5',
    problem: 'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    fix: 'check the indentation',
  },
  {
    file: 'unknown-step.yaml',
    at: '57:31',
    problem: "unknown step 'swap-binary' in runbook.upgrade.each-node[2]",
    fix: 'use one of: doctor, stop, replace-image, start, verify-ready, verify-crypto, verify-key-id, restart-api-server, backup, restore',
  },
  {
    file: 'write-format-nobody-reads.yaml',
    at: '37:29',
    problem: "release 'v0.5.0' writes wire format 'envelope-v2', which no release of 'control-plane' reads",
    fix: "add 'envelope-v2' to reads.formats",
  },
  {
    file: 'negative-node-count.yaml',
    at: '28:14',
    problem: 'system.components[0].nodes is -2, but it must be >= 1',
    fix: 'set system.components[0].nodes to a value >= 1',
  },
  {
    file: 'records-under-missing-key-version.yaml',
    at: '44:22',
    problem: "records[0] are under key version 2, but the keyring's latest version is 1: the keyring has no such version",
    fix: 'set key-version to at most 1, or raise system.keyring.latest',
  },
  {
    file: 'unused-key-state.yaml',
    at: '21:42',
    problem: "key state 'snapshot-v3' is declared in system.key-states but nothing uses it: no release keeps its key versions there or imports them from there",
    fix: 'remove it, or set key-state: snapshot-v3 on the releases that use it',
  },
  {
    file: 'canary-larger-than-fleet.yaml',
    at: '38:18',
    problem: "stage 1 takes 4 nodes of 'control-plane', but it has 3",
    fix: 'take at most 3, or use nodes: rest for the remaining ones',
  },
  {
    file: 'unknown-property.yaml',
    at: '83:41',
    problem: "unknown property 'no-data-loss' in properties[1]",
    fix: 'use one of: no-unknown-key-id-decrypt, no-one-way-rollback',
  },
];

describe('rollsafe check on a malformed scenario', () => {
  for (const c of cases) {
    test(c.file, () => {
      const path = `test/fixtures/bad/${c.file}`;
      const r = rollsafe(['check', path, '--json', 'test-output/never-written.json']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`rollsafe: ${path}:${c.at}: ${c.problem}`);
      expect(r.stderr).toContain(`fix: ${c.fix}`);
      expect(r.stdout).toBe('');
    });
  }

  test('a bad file in a folder stops the whole run before anything is written', () => {
    const r = rollsafe(['check', 'scenarios/bao-kms-provider', 'test/fixtures/bad/unknown-step.yaml', '--json', 'test-output/half.json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown-step.yaml:57:31');
  });
});

describe('scenario errors from the library', () => {
  const base = `scenario: tiny
system:
  wire-formats: [f1]
  keyring: { name: k }
  components:
    - name: plugin
      nodes: 1
      runs: a
      releases:
        - { name: a, reads: { formats: [f1] }, writes: { format: f1 } }
        - { name: b, reads: { formats: [f1] }, writes: { format: f1 } }
runbook:
  component: plugin
  upgrade: { to: b, strategy: one-node-at-a-time, each-node: [stop, replace-image, start] }
`;

  test('the tiny scenario itself is valid', () => {
    expect(loadScenarioText(base, 'tiny.yaml').nodeNames).toEqual(['plugin-1']);
  });

  const bad = (edit: [string, string], line: number, column: number, problem: RegExp) => {
    const text = base.replace(edit[0], edit[1]);
    expect(text).not.toBe(base);
    try {
      loadScenarioText(text, 'tiny.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      const se = e as ScenarioError;
      expect([se.line, se.column]).toEqual([line, column]);
      expect(se.problem).toMatch(problem);
      return;
    }
    throw new Error('expected a ScenarioError');
  };

  test('every property the model checks can be named in properties, and every one that can fire in expect.fires', () => {
    const list = PROPERTY_NAMES.join(', ');
    const firing = PROPERTIES.filter((p) => p.kind !== 'sometimes').map((p) => p.name).join(', ');
    const s = loadScenarioText(`${base}properties: [${list}]\nexpect: { verdict: unsafe, fires: [${firing}] }\n`, 'tiny.yaml');
    expect(s.properties).toEqual(PROPERTY_NAMES);
  });

  test('unknown key names the allowed keys', () => bad(['  keyring: { name: k }', '  keyring: { name: k, rotate: 3 }'], 4, 23, /unknown key 'rotate' in system\.keyring/));
  test('runs must be a release of the component', () => bad(['      runs: a', '      runs: c'], 8, 13, /runs 'c', which is not one of its releases/));
  test('upgrade.to must be newer than what runs', () => bad(['upgrade: { to: b', 'upgrade: { to: a'], 14, 18, /not newer than 'a'/));
  test('an unknown wire format in reads', () => bad(['- { name: b, reads: { formats: [f1] }', '- { name: b, reads: { formats: [f2] }'], 11, 41, /unknown wire format 'f2'/));
  test('missing runbook', () => bad(['runbook:\n  component: plugin\n  upgrade: { to: b, strategy: one-node-at-a-time, each-node: [stop, replace-image, start] }\n', ''], 1, 1, /the top level is missing 'runbook'/));
  test('a duplicate key', () => bad(['  wire-formats: [f1]', '  wire-formats: [f1]\n  wire-formats: [f1]'], 4, 3, /YAML syntax error: Map keys must be unique/));

  test('a rotate-keys step needs a key version to go to', () =>
    bad(['each-node: [stop, replace-image, start] }', 'each-node: [stop, replace-image, rotate-keys, start] }'], 4, 12, /keyring 'k' can reach key version 2 \(latest 1, then 1 rotate-keys run\), above its max-version 1/));

  test('a --max-faults override is checked against the room for rotations too', () => {
    const text = base
      .replace('  keyring: { name: k }', '  keyring: { name: k, max-version: 3 }')
      .replace('each-node: [stop, replace-image, start] }', 'each-node: [stop, replace-image, rotate-keys, start] }\nfaults: { budget: 1, rotation-starts: { during-maintenance: true } }');
    expect(loadScenarioText(text, 'tiny.yaml').keyrings[0].maxVersion).toBe(3);
    expect(() => loadScenarioText(text, 'tiny.yaml', { maxFaults: 2 })).toThrow(/can reach key version 4 \(latest 1, then 1 rotate-keys run, 2 rotation faults\)/);
  });

  test('the schema accepts every property the model checks, in properties and in expect.fires', () => {
    const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_FILE, 'utf8'));
    expect(schema.properties.properties.items.enum).toEqual(PROPERTY_NAMES);
    expect(schema.properties.expect.properties.fires.items.enum).toEqual(PROPERTY_NAMES);
    const text = base + 'properties: [status-encrypt-agreement, reads-served, no-key-id-reuse]\n';
    expect(loadScenarioText(text, 'tiny.yaml').properties).toEqual(['no-key-id-reuse', 'status-encrypt-agreement', 'reads-served']);
  });
});

// Scenarios that would check less than they say: each is refused with the exact message, the
// place of the offending name or value, and a fix.
describe('a scenario that would hold vacuously is refused', () => {
  const base = `scenario: uses
system:
  wire-formats: [f1, f2]
  aad-shapes: [a1, a2]
  key-states: [ks1, ks2]
  keyring: { name: k, latest: 2, max-version: 3, min-decryption-version: 2 }
  components:
    - name: plugin
      nodes: 2
      runs: r1
      releases:
        - { name: r1, reads: { formats: [f1], aad: [a1] }, writes: { format: f1, aad: a1 }, key-state: ks1 }
        - { name: r2, reads: { formats: [f1, f2], aad: [a1, a2] }, writes: { format: f2, aad: a2 }, key-state: ks2, imports-key-state: [ks1] }
  records:
    - { key-version: 2, format: f1, aad: a1, count: 10 }
runbook:
  component: plugin
  upgrade: { to: r2, strategy: one-node-at-a-time, each-node: [stop, replace-image, start, verify-ready] }
  rollback:
    when: [verification-fails]
    strategy: one-node-at-a-time
    each-node: [stop, replace-image, start]
faults:
  budget: 1
  plugin-crash: {}
  rotation-starts: {}
`;

  test('the base scenario itself is valid', () => {
    expect(loadScenarioText(base, 'uses.yaml').records).toHaveLength(1);
  });

  const refused = (edits: [string, string][], at: string, problem: string, fix: string) => {
    let text = base;
    for (const [from, to] of edits) {
      expect(text, from).toContain(from);
      text = text.replace(from, to);
    }
    let err: unknown;
    try {
      loadScenarioText(text, 'uses.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const se = err as ScenarioError;
    expect({ at: `${se.line}:${se.column}`, problem: se.problem, fix: se.fix }).toEqual({ at, problem, fix });
  };

  const record = '{ key-version: 2, format: f1, aad: a1, count: 10 }';
  const keyring = '{ name: k, latest: 2, max-version: 3, min-decryption-version: 2 }';

  test('records in a wire format no release of their component reads', () =>
    refused(
      [['[f1, f2]', '[f1, f2, f3]'], [record, '{ key-version: 2, format: f3, aad: a1, count: 10 }']],
      '15:33',
      "records[0] are in wire format 'f3', which no release of 'plugin' reads",
      "add 'f3' to reads.formats of the releases of 'plugin' that serve these records, or store them in a format they read",
    ));

  test('records with an AAD shape no release that reads their format reads', () =>
    refused(
      [['[a1, a2]', '[a1, a2, a3]'], [record, '{ key-version: 2, format: f1, aad: a3, count: 10 }']],
      '15:42',
      "records[0] have AAD shape 'a3', which no release of 'plugin' that reads 'f1' reads",
      "add 'a3' to reads.aad of the releases that read 'f1', or give the records an AAD shape they read",
    ));

  test('records under a key version below min-decryption-version', () =>
    refused(
      [[record, '{ key-version: 1, format: f1, aad: a1, count: 10 }']],
      '15:22',
      "records[0] are under key version 1, below the keyring's min-decryption-version 2: nothing can decrypt them",
      'set key-version to at least 2, or lower system.keyring.min-decryption-version',
    ));

  test('records under a trimmed key version (below min-available-version)', () =>
    refused(
      [[keyring, '{ name: k, latest: 2, max-version: 3, min-available-version: 2 }'], [record, '{ format: f1, aad: a1, count: 10 }']],
      '15:7',
      "records[0] are under key version 1, below the keyring's min-available-version 2: that version was trimmed",
      'set key-version to at least 2, or lower system.keyring.min-available-version',
    ));

  test('records under a key version the keyring does not have yet', () =>
    refused(
      [[record, '{ key-version: 3, format: f1, aad: a1, count: 10 }']],
      '15:22',
      "records[0] are under key version 3, but the keyring's latest version is 2: the keyring has no such version",
      'set key-version to at most 2, or raise system.keyring.latest',
    ));

  test('a wire format nothing uses', () =>
    refused(
      [['[f1, f2]', '[f1, f2, f3]']],
      '3:26',
      "wire format 'f3' is declared in system.wire-formats but nothing uses it: no release reads or writes it, no record is stored in it, no migrate step targets it",
      "remove it, or add 'f3' to the reads/writes of the releases that handle it",
    ));

  test('an AAD shape nothing uses', () =>
    refused(
      [['[a1, a2]', '[a1, a2, a3]']],
      '4:24',
      "AAD shape 'a3' is declared in system.aad-shapes but nothing uses it: no release reads or writes it and no record has it",
      "remove it, or add 'a3' to reads.aad / writes.aad of the releases that handle it",
    ));

  test('a key state nothing uses', () =>
    refused(
      [['[ks1, ks2]', '[ks1, ks2, ks3]']],
      '5:26',
      "key state 'ks3' is declared in system.key-states but nothing uses it: no release keeps its key versions there or imports them from there",
      'remove it, or set key-state: ks3 on the releases that use it',
    ));

  test('faults listed with a budget of 0', () =>
    refused(
      [['budget: 1', 'budget: 0']],
      '24:11',
      'faults.budget is 0, so none of the faults listed (plugin-crash, rotation-starts) can strike',
      'raise faults.budget to at least 1, or remove the faults',
    ));

  const cannotStrike: [string, [string, string][], string, string][] = [
    ['api-server-restart', [['  plugin-crash: {}', '  api-server-restart: {}']], '25:3', 'it flushes a data-key cache and no component has caches-data-keys: true'],
    ['forced-failover', [['  plugin-crash: {}', '  forced-failover: {}']], '25:3', 'it hands over an active node and no component is active-passive'],
    ['rotation-starts', [['max-version: 3', 'max-version: 2']], '26:3', "no keyring's max-version leaves room above its latest version for a new key version"],
    ['image-replace-fails', [['  plugin-crash: {}', '  image-replace-fails: {}'], ['[stop, replace-image, start, verify-ready]', '[stop, start, verify-ready]'], ['[stop, replace-image, start]', '[stop, start]']], '25:3', 'it strikes a replace-image step and the runbook has none'],
    ['config-drift', [['  plugin-crash: {}', '  config-drift: {}'], ['[stop, replace-image, start, verify-ready]', '[stop, replace-image, verify-ready]'], ['[stop, replace-image, start]', '[stop, replace-image]']], '25:3', 'it strikes a start step and the runbook has none'],
    ['migration-fails', [['  plugin-crash: {}', '  migration-fails: {}']], '25:3', 'it strikes a migrate step and the runbook has none'],
    ['rewrap-interrupted', [['  plugin-crash: {}', '  rewrap-interrupted: {}']], '25:3', 'it strikes a rewrap step and the runbook has none'],
    ['distribution-incomplete', [['  plugin-crash: {}', '  distribution-incomplete: {}']], '25:3', 'it strikes a distribute-keys step and the runbook has none'],
    [
      'plugin-crash',
      [
        ['strategy: one-node-at-a-time, each-node: [stop, replace-image, start, verify-ready]', 'stages: [{ strategy: once, steps: [stop, replace-image, start, verify-ready] }]'],
        ['    strategy: one-node-at-a-time\n    each-node: [stop, replace-image, start]', '    stages: [{ strategy: once, steps: [stop, replace-image, start] }]'],
      ],
      '24:3',
      "it crashes the node under the operator's hands and every stage runs once for the whole fleet",
    ],
  ];
  for (const [fault, edits, at, why] of cannotStrike) {
    test(`fault ${fault} where it can never strike`, () =>
      refused(edits, at, `fault '${fault}' can never strike: ${why}`, `remove '${fault}' from faults, or model what it needs`));
  }

  test('a rollback that waits for a failed check when the upgrade checks nothing', () =>
    refused(
      [['start, verify-ready]', 'start]']],
      '20:12',
      'rollback.when names verification-fails, but no step of the upgrade verifies anything, so it can never fire',
      'add a verify-* step to the upgrade, or use operator-decides',
    ));
});
