// Bad combinations of the key concepts (keyrings, key-version steps, snapshots, data keys):
// each is refused at compile time with its place in the file and a fix, never explored.
import { describe, expect, test } from 'vitest';
import { loadScenarioText, ScenarioError } from '../model/scenario/load.js';
import { rollsafe } from './helpers.js';

const base = `scenario: keys
system:
  wire-formats: [f1]
  keyrings:
    - { name: k, latest: 2, max-version: 3 }
  components:
    - name: api
      nodes: 2
      runs: a
      caches-data-keys: true
      releases:
        - { name: a, reads: { formats: [f1] }, writes: { format: f1 } }
  records:
    - { key-version: 2, format: f1, count: 10 }
runbook:
  component: api
  upgrade:
    stages:
      - { strategy: once, steps: [rewrap, verify-rewrapped, { disable-key-version: previous }] }
`;

function refused(edits: [string, string][]): ScenarioError {
  let text = base;
  for (const [a, b] of edits) {
    expect(text).toContain(a);
    text = text.replace(a, b);
  }
  try {
    loadScenarioText(text, 'keys.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('expected a ScenarioError');
}

describe('key concepts: bad input is refused with a place and a fix', () => {
  test('the base scenario is valid', () => {
    const s = loadScenarioText(base, 'keys.yaml');
    expect(s.keyrings.map((k) => k.name)).toEqual(['k']);
    expect(s.runbook.upgrade.stages[0].steps[2]).toMatchObject({ name: 'disable-key-version', versions: 'previous', keyring: -1 });
  });

  test('a key-version step must say which versions', () => {
    const e = refused([['{ disable-key-version: previous }', 'disable-key-version']]);
    expect([e.line, e.column]).toEqual([19, 61]);
    expect(e.problem).toBe('disable-key-version needs the key versions it acts on');
    expect(e.fix).toBe('write { disable-key-version: previous } (or latest, all-but-latest, a version number)');
  });

  test('a keyring no component uses', () => {
    const e = refused([['    - { name: k, latest: 2, max-version: 3 }', '    - { name: k, latest: 2, max-version: 3 }\n    - { name: spare }']]);
    expect([e.line, e.column]).toEqual([6, 15]);
    expect(e.problem).toBe("keyring 'spare' is used by no component");
  });

  test('keyring and keyrings together', () => {
    const e = refused([['  keyrings:', '  keyring: { name: k }\n  keyrings:']]);
    expect(e.problem).toBe('the system declares both keyring and keyrings');
  });

  test('a component naming an unknown keyring', () => {
    const e = refused([['      runs: a', '      runs: a\n      keyring: payments']]);
    expect([e.line, e.column]).toEqual([10, 16]);
    expect(e.problem).toBe("unknown keyring 'payments'");
  });

  test('per-node data keys without a cache', () => {
    const e = refused([['      caches-data-keys: true', '      data-keys: per-node']]);
    expect(e.problem).toBe("'api' has per-node data keys but caches no data keys");
    expect(e.fix).toMatch(/caches-data-keys: true/);
  });

  test('a deletion waiting period the clock never reaches', () => {
    const e = refused([
      ['max-version: 3 }', 'max-version: 3, deletion-wait-days: 7 }'],
      ['{ disable-key-version: previous }', '{ schedule-key-deletion: previous }'],
    ]);
    expect([e.line, e.column]).toEqual([5, 65]);
    expect(e.problem).toMatch(/destroyed 7 days after schedule-key-deletion, past the clock horizon of 0 days/);
    expect(e.fix).toBe('raise system.clock.horizon-days to at least 7');
  });

  test('a snapshot nothing restores', () => {
    const e = refused([['  components:', '  snapshots:\n    - { name: other, keyring: k, latest: 1 }\n  components:']]);
    expect(e.problem).toBe("snapshot 'other' is restored by no step");
  });

  test('a minimum decryption version above latest', () => {
    const e = refused([['latest: 2, max-version: 3 }', 'latest: 2, max-version: 3, min-decryption-version: 3 }']]);
    expect(e.problem).toBe('min-decryption-version 3 is above latest 2: no version could decrypt anything');
  });

  test('a key step on a keyring the stage does not use', () => {
    const e = refused([
      ['    - { name: k, latest: 2, max-version: 3 }', '    - { name: k, latest: 2, max-version: 3 }\n    - { name: other }'],
      ['    - name: api', '    - name: db\n      nodes: 1\n      runs: x\n      keyring: other\n      releases:\n        - { name: x, reads: { formats: [f1] }, writes: { format: f1 } }\n    - name: api'],
      ['{ key-version: 2, format: f1', '{ keyring: k, key-version: 2, format: f1'],
      ['[rewrap,', '[{ rotate-keys: other },'],
    ]);
    expect(e.problem).toBe("rotate-keys acts on keyring 'other', which no component of this stage uses");
  });

  test('record counts that could wrap a 32-bit count are refused, not explored', () => {
    // 21 lines of 100,000,000 records each: every line is within its own maximum
    const many = Array.from({ length: 21 }, () => '    - { key-version: 2, format: f1, count: 100000000 }').join('\n');
    const e = refused([
      ['    - { key-version: 2, format: f1, count: 10 }', many],
      ['runbook:', 'workload: { batch: 1000000 }\nrunbook:'],
      ['max-version: 3 }', 'max-version: 64 }'],
    ]);
    expect(e.problem).toBe('2,100,000,000 records plus a batch of 1,000,000 for each of up to 80 writes (one per event, max-depth 80) can pass 2,147,483,647, the most a record count holds');
    expect(e.fix).toMatch(/^lower workload.batch, the record counts or max-depth/);
  });

  test('the CLI exits 2 with file:line:column and writes nothing', () => {
    const r = rollsafe(['check', 'test/fixtures/bad/version-step-without-versions.yaml', '--json', 'test-output/never-written.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rollsafe: test/fixtures/bad/version-step-without-versions.yaml:19:61: disable-key-version needs the key versions it acts on');
    expect(r.stdout).toBe('');
  });
});
