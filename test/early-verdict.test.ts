// Verdicts as early as they are known, and no depth bound the space does not need: the bao
// runbook's full search needs 11N+8 steps, so a fixed default of 80 made 7 nodes inconclusive.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { RunResult } from '../sim/results/result.js';
import { ROOT, rollsafe } from './helpers.js';

const OUT = join(ROOT, 'test-output/early-verdict');
const BAO = join(ROOT, 'scenarios/bao-kms-provider');
const scaled = (name: string, nodes: number, edit = (t: string) => t) => {
  const f = join(OUT, `${name}-${nodes}.yaml`);
  writeFileSync(f, edit(readFileSync(join(BAO, `${name}.yaml`), 'utf8').replace('nodes: 3', `nodes: ${nodes}`)));
  return f;
};
const only = (json: string) => JSON.parse(readFileSync(json, 'utf8')).results[0] as RunResult;

beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});

describe('check --fail-fast', () => {
  test('7 nodes without symmetry: the 8-step counterexample after a few thousand states, not the 12M-state space', () => {
    const json = join(OUT, 'ff.json');
    const r = rollsafe(['check', scaled('broken-upgrade-during-rotation', 7), '--no-symmetry', '--fail-fast', '--json', json]);
    expect(r.code).toBe(0); // the scenario expects unsafe: met by its first violation
    expect(r.stdout).toContain('bound hit: fail-fast: stopped at the first violation');
    const res = only(json);
    expect(res.verdict).toBe('unsafe');
    expect(res.complete).toBe(false);
    expect(res.options).toMatchObject({ failFast: true, symmetry: false, maxDepth: null });
    expect(res.violations.map((v) => [v.property, v.trace.length - 1])).toEqual([['no-unknown-key-id-decrypt', 8]]);
    expect(res.figures.states).toBeLessThan(10_000);
    // nothing else is claimed: the rest is unknown, and no analysis of a part of the graph is shown
    expect(res.properties.filter((p) => p.kind !== 'sometimes' && p.status === 'holds')).toEqual([]);
    expect(res.pointOfNoReturn).toEqual([]);
    expect(res.expect).toMatchObject({ met: true, problems: [] });
  });

  test('a safe scenario is explored whole, as without it', () => {
    const a = join(OUT, 'safe-ff.json');
    const b = join(OUT, 'safe.json');
    expect(rollsafe(['check', join(BAO, 'upgrade.yaml'), '--fail-fast', '--json', a]).code).toBe(0);
    expect(rollsafe(['check', join(BAO, 'upgrade.yaml'), '--json', b]).code).toBe(0);
    const [x, y] = [only(a), only(b)];
    expect(x.verdict).toBe('safe');
    expect([x.figures.states, x.figures.transitions, x.boundsHit]).toEqual([y.figures.states, y.figures.transitions, y.boundsHit]);
    expect(x.pointOfNoReturn).toEqual(y.pointOfNoReturn);
  });
});

test('without --fail-fast, a search that runs on says the verdict as soon as it is known, then reports in full', () => {
  const json = join(OUT, 'early.json');
  const r = rollsafe(['check', scaled('broken-upgrade-during-rotation', 4), '--no-symmetry', '--json', json]);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/broken-upgrade-during-rotation-4\.yaml: unsafe: no-unknown-key-id-decrypt \(shortest trace 8 steps, found among the first [\d,]+ states\); exploring on for the full report/);
  const res = only(json);
  expect(res.complete).toBe(true);
  expect(res.boundsHit).toEqual([]);
  expect(res.figures.states).toBeGreaterThan(100_000);
});

describe('depth bounds', () => {
  test('7 nodes: no default depth bound, the whole space (depth 85) is explored and safe', () => {
    const json = join(OUT, 'deep.json');
    const file = scaled('upgrade', 7);
    expect(rollsafe(['check', file, '--json', json]).code).toBe(0);
    const res = only(json);
    expect([res.verdict, res.complete, res.boundsHit, res.figures.depth]).toEqual(['safe', true, [], 85]);
    expect(res.options.maxDepth).toBeNull();
    // an explicit bound still cuts, and says so
    const cut = join(OUT, 'cut.json');
    expect(rollsafe(['check', file, '--max-depth', '80', '--json', cut]).code).toBe(1);
    expect(only(cut)).toMatchObject({ verdict: 'inconclusive', boundsHit: ['max-depth 80'] });
  });

  test('with no depth bound, a run deep enough for a record count to outgrow its slot is cut there, never wrapped', () => {
    // 2,065,983,647 records: 81 batches of a million more fit in a 32-bit count, 82 do not
    const records = `${'    - { key-version: 1, format: envelope-v1, aad: annotations-v1, count: 100000000 }\n'.repeat(20)}    - { key-version: 1, format: envelope-v1, aad: annotations-v1, count: 65983647 }\n`;
    const file = scaled('upgrade', 7, (t) => t.replace(/ {4}- \{ key-version: 1, format: envelope-v1, aad: annotations-v1, count: 1200 \}\n/, records).replace('batch: 50', 'batch: 1000000'));
    const json = join(OUT, 'counts.json');
    const r = rollsafe(['check', file, '--json', json]);
    expect(r.code).toBe(1);
    const res = only(json);
    expect(res.verdict).toBe('inconclusive');
    expect(res.boundsHit).toEqual(['record counts: a run deeper than 81 events could pass 2,147,483,647 records in one slot']);
    expect(r.stderr).not.toContain('internal error');
  });
});
