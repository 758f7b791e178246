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
      for (const c of cases) out[c.name] = runGolden(c);
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
      expect(runGolden(c)).toEqual(golden[c.name]);
    }, 120_000);
  }
});
