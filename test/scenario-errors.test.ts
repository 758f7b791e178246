// Malformed scenarios: each is rejected with file:line:column, what is wrong and a fix, exit 2.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadScenarioText, ScenarioError } from '../model/scenario/load.js';
import { SCENARIO_SCHEMA_FILE } from '../model/scenario/parse.js';
import { PROPERTY_NAMES } from '../model/properties.js';
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
