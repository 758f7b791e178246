// The explorer's answers, pinned: every corpus scenario and three larger spaces without
// symmetry give the same verdict, counts, traces and result (timings aside) as when the
// fixture was written. Regenerate only for a change that means to alter them:
//   ROLLSAFE_WRITE_GOLDEN=1 npx vitest run test/golden.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { type Golden, goldenCases, runGolden } from './helpers/golden.js';
import { ROOT } from './helpers.js';

const FILE = join(ROOT, 'test/fixtures/golden-results.json');
const cases = goldenCases();

describe('explorer answers are unchanged', () => {
  if (process.env.ROLLSAFE_WRITE_GOLDEN) {
    test('write the fixture', () => {
      const out: Record<string, Golden> = {};
      for (const c of cases) out[c.name] = runGolden(c, { workers: 1 });
      writeFileSync(FILE, `${JSON.stringify(out, null, 1)}\n`);
    }, 600_000);
    return;
  }
  const golden = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, Golden>;
  test('the fixture names every case', () => {
    expect(Object.keys(golden).sort()).toEqual(cases.map((c) => c.name).sort());
  });
  for (const c of cases) {
    test(c.name, () => {
      expect(runGolden(c, { workers: 1 })).toEqual(golden[c.name]);
    }, 120_000);
  }
});

// Every level through two worker threads (a level of one state too): the same answers.
describe('with worker threads', () => {
  if (process.env.ROLLSAFE_WRITE_GOLDEN) return;
  const golden = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, Golden>;
  for (const c of cases) {
    test(`${c.name}, 3 threads`, () => {
      expect(runGolden(c, { workers: 3, parallelFrom: 1 })).toEqual(golden[c.name]);
    }, 120_000);
  }
});

// A search cut by its state budget in the middle of a level ends on the same state, with the
// same counts and traces, however many threads expanded the level.
describe('a cut search with worker threads', () => {
  test('max-states in the middle of a level', async () => {
    const { baoWith } = await import('./helpers.js');
    const { exploreScenario } = await import('../sim/check.js');
    const { goldenOf } = await import('./helpers/golden.js');
    const s = baoWith('broken-upgrade-during-rotation', [['nodes: 3', 'nodes: 4']]);
    const one = goldenOf(exploreScenario(s, { symmetry: false, maxStates: 5_000, workers: 1 }));
    const three = goldenOf(exploreScenario(s, { symmetry: false, maxStates: 5_000, workers: 3, parallelFrom: 1 }));
    expect(one.states).toBe(5_000);
    expect(one.verdict).toBe('unsafe');
    expect(three).toEqual(one);
  }, 60_000);
});
