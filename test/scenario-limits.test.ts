// Every number a scenario accepts has a range, and the state encoding is correct at the top of
// each range: a scenario at the edge gets the verdict the same scenario gets in the middle,
// and one past the edge is refused (exit 2) instead of wrapping a count, a bit mask or a code.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarioText, ScenarioError } from '../model/scenario/load.js';
import { SCENARIO_SCHEMA_FILE } from '../model/scenario/parse.js';
import { ev, evKeyring, evKind, evNode } from '../model/events.js';
import { exploreScenario } from '../sim/check.js';
import { ROOT } from './helpers.js';

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

// A plugin upgrade v1 -> v2 where v2 writes the last of F wire formats (and the last of A AAD
// shapes), which v1 cannot read, with a rollback that has no guard: unsafe, whatever F and A.
function formatScenario(F: number, A: number, opts: { latest?: number; maxVersion?: number } = {}): string {
  const f = names('f', F);
  const a = names('a', A);
  const latest = opts.latest ?? 1;
  return `scenario: edges
system:
  wire-formats: [${f.join(', ')}]
  aad-shapes: [${a.join(', ')}]
  keyring: { name: k, latest: ${latest}, max-version: ${opts.maxVersion ?? latest} }
  components:
    - name: plugin
      nodes: 2
      runs: v1
      releases:
        - { name: v1, reads: { formats: [${f.slice(0, -1).join(', ') || f[0]}], aad: [${a.slice(0, -1).join(', ') || a[0]}] }, writes: { format: f0, aad: a0 } }
        - { name: v2, reads: { formats: [${f.join(', ')}], aad: [${a.join(', ')}] }, writes: { format: ${f[F - 1]}, aad: ${a[A - 1]} } }
  records:
${f.slice(0, -1).map((x) => `    - { key-version: ${latest}, format: ${x}, count: 10 }`).join('\n')}
${a.slice(1, -1).map((x) => `    - { key-version: ${latest}, format: f0, aad: ${x}, count: 10 }`).join('\n')}
runbook:
  component: plugin
  upgrade: { to: v2, strategy: one-node-at-a-time, each-node: [stop, replace-image, start] }
  rollback: { when: [operator-decides], strategy: one-node-at-a-time, each-node: [stop, replace-image, start] }
`;
}

function refusal(text: string): string {
  try {
    loadScenarioText(text, 'edges.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return `${e.line}:${e.column}: ${e.problem}`;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

function fired(text: string): string[] {
  const r = exploreScenario(loadScenarioText(text, 'edges.yaml'), { maxStates: 200_000 });
  expect(r.verdict).not.toBe('unknown');
  return r.violations.map((v) => v.property).sort();
}

describe('the schema gives every number a range', () => {
  test('every integer and number has a minimum and a maximum, every free string a length', () => {
    const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_FILE, 'utf8'));
    const open: string[] = [];
    const walk = (x: unknown, path: string) => {
      if (Array.isArray(x)) return x.forEach((v, i) => walk(v, `${path}[${i}]`));
      if (!x || typeof x !== 'object') return;
      const o = x as Record<string, unknown>;
      const types = ([] as unknown[]).concat(o.type ?? []);
      if (types.includes('integer') || types.includes('number')) {
        if (o.minimum === undefined && o.exclusiveMinimum === undefined) open.push(`${path}: no minimum`);
        if (o.maximum === undefined) open.push(`${path}: no maximum`);
      }
      if (types.includes('string') && o.maxLength === undefined && o.enum === undefined && !path.includes('nodes')) open.push(`${path}: no maxLength`);
      for (const [k, v] of Object.entries(o)) walk(v, `${path}/${k}`);
    };
    walk(schema, '');
    expect(open).toEqual([]);
  });
});

describe('numbers one past their maximum are refused with their place', () => {
  const alibaba = readFileSync(join(ROOT, 'scenarios/incidents/08b-alibaba-rollback-after-window.yaml'), 'utf8');
  const edit = (from: string, to: string) => {
    expect(alibaba).toContain(from);
    return alibaba.replace(from, to);
  };
  test('already-upgraded days-ago: 2^32 + 8 no longer wraps to day 8', () => {
    expect(refusal(edit('days-ago: 8', 'days-ago: 4294967304'))).toBe('25:33: runbook.already-upgraded.days-ago is 4294967304, but it must be <= 3650');
  });
  test('at the top of the range the verdict is the one in the middle', () => {
    const late = edit('days-ago: 8', 'days-ago: 3650').replace('rollback-window-days: 7', 'rollback-window-days: 3649');
    expect(fired(late)).toEqual(['supported-path']);
    const within = edit('days-ago: 8', 'days-ago: 3650').replace('rollback-window-days: 7', 'rollback-window-days: 3650');
    expect(fired(within)).toEqual([]);
    expect(refusal(edit('rollback-window-days: 7', 'rollback-window-days: 3651'))).toBe('18:125: system.components[0].releases[1].rollback-window-days is 3651, but it must be <= 3650');
  });
  test('fault budget, weights and bounds', () => {
    expect(refusal(`${alibaba}faults: { budget: 1001, image-replace-fails: {} }\n`)).toMatch(/^\d+:\d+: faults.budget is 1001, but it must be <= 1000$/);
    expect(refusal(`${alibaba}faults: { budget: 1, image-replace-fails: { weight: 1e308 } }\n`)).toMatch(/faults.image-replace-fails.weight is 1e\+308, but it must be <= 1000000$/);
    expect(refusal(`${alibaba}bounds: { max-depth: 10001 }\n`)).toMatch(/bounds.max-depth is 10001, but it must be <= 10000$/);
    expect(refusal(`${alibaba}bounds: { max-states: 9007199254740992 }\n`)).toMatch(/bounds.max-states is 9007199254740992, but it must be <= 1000000000$/);
  });
});

describe('bit masks, versions and counts at the top of their ranges', () => {
  test('the 30th wire format and the 31st AAD shape are as unreadable to v1 as the 2nd', () => {
    const middle = fired(formatScenario(2, 2));
    expect(middle).toContain('no-one-way-rollback');
    expect(fired(formatScenario(30, 2))).toEqual(middle);
    expect(fired(formatScenario(2, 31))).toEqual(middle);
    expect(refusal(formatScenario(31, 2))).toBe('3:17: system.wire-formats must NOT have more than 30 items');
  });

  test('key version 64 is a key version like 2', () => {
    const rotate = (text: string) => text.replace('each-node: [stop, replace-image, start] }\n  rollback', 'each-node: [stop, replace-image, start, rotate-keys, raise-min-decryption-version] }\n  rollback');
    const middle = fired(rotate(formatScenario(2, 1, { latest: 1, maxVersion: 3 })));
    expect(middle).toContain('no-unreadable-record');
    expect(fired(rotate(formatScenario(2, 1, { latest: 62, maxVersion: 64 })))).toEqual(middle);
    expect(refusal(formatScenario(2, 1, { latest: 64, maxVersion: 65 }))).toBe('5:48: system.keyring.max-version is 65, but it must be <= 64');
  });

  test('record counts up to the 32-bit edge are counted, not wrapped', () => {
    // 22 entries of one record kind: each within its own maximum, together 2,147,483,567
    const many = [...Array.from({ length: 21 }, () => 100_000_000), 47_483_567].map((n) => `    - { key-version: 1, format: f0, count: ${n} }`).join('\n');
    const text = formatScenario(2, 1).replace('    - { key-version: 1, format: f0, count: 10 }', many) + 'workload: { batch: 1 }\n';
    const s = loadScenarioText(text, 'edges.yaml');
    const r = exploreScenario(s, {});
    const v = r.violations.find((x) => x.property === 'no-one-way-rollback')!;
    expect(v.blast.recordsTotal).toBeGreaterThanOrEqual(2_147_483_567);
    // one record more and 80 writes of one could pass 2^31 - 1
    expect(refusal(text.replace('count: 47483567', 'count: 47483568'))).toBe('41:20: 2,147,483,568 records plus a batch of 1 for each of up to 80 writes (one per event, max-depth 80) can pass 2,147,483,647, the most a record count holds');
    expect(() => loadScenarioText(text, 'edges.yaml', { maxDepth: 81 })).toThrow(/for each of up to 81 writes \(one per event, max-depth 81\)/);
  });
});

describe('event codes and the world size', () => {
  test('node 250 and keyring 8 survive an event code', () => {
    const e = ev(30, 249, 7);
    expect([evKind(e), evNode(e), evKeyring(e)]).toEqual([30, 249, 7]);
  });

  const fleet = (sizes: number[]) => `scenario: fleet
system:
  wire-formats: [f]
  keyring: { name: k }
  components:
${sizes.map((n, i) => `    - { name: c${i}, nodes: ${n}, runs: a, releases: [{ name: a, reads: { formats: [f] }, writes: { format: f } }, { name: b, reads: { formats: [f] }, writes: { format: f } }] }`).join('\n')}
runbook:
  component: c0
  upgrade: { to: b, strategy: one-node-at-a-time, each-node: [replace-image] }
`;
  test('250 nodes are a fleet, 251 are refused', () => {
    expect(loadScenarioText(fleet([32, 32, 32, 32, 32, 32, 32, 26]), 'fleet.yaml').nodeCount).toBe(250);
    expect(refusal(fleet([32, 32, 32, 32, 32, 32, 32, 27]))).toBe('6:5: the system has 251 nodes; the model holds at most 250');
  });

  test('a world past 16,384 ints is refused with its size, its factors and what to lower', () => {
    const msg = refusal(formatScenario(30, 31, { latest: 1, maxVersion: 64 }));
    expect(msg).toBe('5:12: the world needs 245,796 ints per state (119,040 record kinds = 64 key versions x 31 AAD shapes x 30 wire formats x 2 releases, held live and in the backup, and 3,848 on each of 2 nodes, a cache bit per kind); the explorer holds at most 16,384');
  });

  test('depends-on that goes round in a cycle is refused, naming the cycle', () => {
    const text = fleet([1, 1, 1]).replace('{ name: c0, nodes: 1,', '{ name: c0, depends-on: [c2], nodes: 1,').replace('{ name: c1, nodes: 1,', '{ name: c1, depends-on: [c0], nodes: 1,').replace('{ name: c2, nodes: 1,', '{ name: c2, depends-on: [c1], nodes: 1,');
    expect(refusal(text)).toBe('7:32: depends-on goes round in a cycle: c0 -> c2 -> c1 -> c0');
  });
});
