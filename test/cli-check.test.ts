// rollsafe check as a user runs it: exit codes, what it prints, what it writes.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ROOT, rollsafe } from './helpers.js';

const OUT = join(ROOT, 'test-output/cli-check');
beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});

describe('rollsafe check', () => {
  test('the bao corpus meets every expectation: exit 0, a table, a JSON result set', () => {
    const json = join(OUT, 'bao.json');
    const r = rollsafe(['check', 'scenarios/bao-kms-provider', '--json', json]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok\s+scenarios\/bao-kms-provider\/upgrade\.yaml\s+safe\s+safe\s+-/m);
    expect(r.stdout).toMatch(/^ok\s+scenarios\/bao-kms-provider\/broken-all-nodes-at-once\.yaml\s+unsafe\s+unsafe\s+availability/m);
    // the folder's six scenarios and, in findings/, what the seed runbook meets without its freeze
    expect(r.stdout).toMatch(/^ok\s+scenarios\/bao-kms-provider\/findings\/rotation-during-maintenance\.yaml\s+unsafe\s+unsafe\s+no-unknown-key-id-decrypt, runbook-terminates/m);
    expect(r.stdout).toContain('\n6 unsafe (as expected), 1 safe (as expected)\n');
    const set = JSON.parse(readFileSync(json, 'utf8'));
    expect(set.schema).toBe('rollsafe/results@1');
    expect(set.partial).toBe(false);
    expect(set.results.map((x: { scenario: { name: string } }) => x.scenario.name)).toContain('bao-kms-provider-upgrade');
  });

  test('one file prints each violation as a numbered trace with blast radius', () => {
    const r = rollsafe(['check', 'scenarios/bao-kms-provider/broken-upgrade-during-rotation.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1. no-unknown-key-id-decrypt [safety]: control-plane-1 cannot decrypt key v2 envelope-v1/annotations-v1 (written by v0.4.2)');
    expect(r.stdout).toContain('blast radius: 50 of 1,250 records unreadable on control-plane-1');
    expect(r.stdout).toContain('shortest trace (8 steps):');
    expect(r.stdout).toMatch(/  1\. fault\s+rotation-starts\s+key rotation started/);
    expect(r.stdout).toMatch(/  3\. operator\s+doctor \(picks control-plane-1\)\s+runbook at upgrading: control-plane-1: stop\n/);
    // the write lands, and the API servers of the nodes that can read it cache its data key
    expect(r.stdout).toMatch(
      /  8\. environment write on control-plane-2\s+records \+50 key v2 envelope-v1\/annotations-v1 by v0\.4\.2; control-plane-2, control-plane-3: cache filled with key v2 envelope-v1\/annotations-v1 by v0\.4\.2  <- violation/,
    );
  });

  test('the blast radius counts what the property harms: nodes for availability, nothing for a stuck runbook', () => {
    const down = rollsafe(['check', 'scenarios/bao-kms-provider/broken-all-nodes-at-once.yaml']);
    expect(down.stdout).toContain('blast radius: no node serving: control-plane-1, control-plane-2, control-plane-3 down; 1,200 of 1,200 records out of reach');
    expect(down.stdout).not.toContain('records unreadable');
    const stuck = rollsafe(['check', 'scenarios/bao-kms-provider/broken-rollback-after-rotation.yaml']);
    expect(stuck.stdout).toMatch(/runbook-terminates \[liveness\]: from this state no sequence of steps ends the runbook\n.*\n     blast radius: the runbook can no longer end; no record is harmed by that alone/);
  });

  test('a broken runbook without an expect block fails: exit 1', () => {
    const src = readFileSync(join(ROOT, 'scenarios/bao-kms-provider/broken-all-nodes-at-once.yaml'), 'utf8');
    const file = join(OUT, 'no-expect.yaml');
    writeFileSync(file, src.replace(/expect:[\s\S]*$/, ''));
    const r = rollsafe(['check', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL /m);
    expect(r.stdout).toContain('\n1 unsafe (FAIL: no expect block)\n');
  });

  test('a search cut by --max-depth is inconclusive, never safe', () => {
    const json = join(OUT, 'shallow.json');
    const r = rollsafe(['check', 'scenarios/bao-kms-provider/upgrade.yaml', '--max-depth', '5', '--json', json]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('bound hit: max-depth 5');
    expect(r.stdout).toContain('expectation not met: the search was cut by a bound before it could show the scenario safe');
    const res = JSON.parse(readFileSync(json, 'utf8')).results[0];
    expect(res.verdict).toBe('inconclusive');
    expect(res.complete).toBe(false);
    // nothing is shown safe; a sometimes property holds on one example, if the cut search has one
    const mustHold = res.properties.filter((p: { kind: string }) => p.kind !== 'sometimes');
    expect(new Set(mustHold.map((p: { status: string }) => p.status))).toEqual(new Set(['unknown', 'not-applicable']));
    // within 5 steps a rollback can start but no upgrade finish: one example, or no verdict
    const sometimes = res.properties.filter((p: { kind: string }) => p.kind === 'sometimes').map((p: { name: string; status: string }) => [p.name, p.status]);
    expect(sometimes).toEqual([['upgrade-can-finish', 'unknown'], ['rollback-can-start', 'holds']]);
  });

  test('--max-faults 0 removes the faults the rollback-after-rotation variant needs', () => {
    const r = rollsafe(['check', 'scenarios/bao-kms-provider/broken-rollback-after-rotation.yaml', '--max-faults', '0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('expected no-one-way-rollback to fire; it did not');
  });

  test('usage errors exit 2 and write nothing', () => {
    const json = join(OUT, 'usage.json');
    const bad = rollsafe(['check', 'scenarios/bao-kms-provider', '--max-depth', 'deep', '--json', json]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-depth must be a whole number from 1 to 10,000, got "deep"');
    expect(existsSync(json)).toBe(false);
    const missing = rollsafe(['check', 'scenarios/nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('rollsafe: scenarios/nope: no such file or folder\n  fix: check the path');
    expect(rollsafe(['frobnicate']).code).toBe(2);
  });

  test('the same run twice gives the same result, timings aside', () => {
    const a = join(OUT, 'a.json');
    const b = join(OUT, 'b.json');
    rollsafe(['check', 'scenarios/bao-kms-provider/broken-rollback-after-rotation.yaml', '--json', a]);
    rollsafe(['check', 'scenarios/bao-kms-provider/broken-rollback-after-rotation.yaml', '--json', b]);
    const strip = (f: string) =>
      readFileSync(f, 'utf8')
        .replace(/"(elapsedMs|statesPerSecond)": \d+/g, '"$1": 0')
        .replace(/"command": "[^"]*"/, '"command": ""');
    expect(strip(a)).toBe(strip(b));
  });
});
