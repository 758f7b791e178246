import { describe, expect, test } from 'vitest';
import { fuzz } from '../sim/campaign.js';
import { minimize } from '../sim/engines/minimize.js';
import { Model } from '../model/model.js';
import { loadScenarioFile } from '../model/scenario/load.js';
import { BROKEN_BAO, explorerMinima, lengths, stripTimings } from './engine-helpers.js';

describe('fuzz (fast-check)', () => {
  test.each(BROKEN_BAO)('finds every expected violation of %s with the default budget, as short as the explorer', async (file) => {
    const [r] = await fuzz(file);
    expect(r.engine).toBe('fuzz');
    expect(r.expect?.problems).toEqual([]);
    expect(r.expect?.met).toBe(true);
    expect(lengths(r)).toEqual(explorerMinima(file));
    for (const v of r.violations) {
      expect(v.replay?.minimal).toBe(true);
      expect(v.replay?.command).toMatch(new RegExp(`^rollsafe fuzz ${file} --seed -?\\d+ --path \\S+ --replay-path \\S+ --properties \\S+`));
    }
  }, 60_000);

  test("the no-key-id-check variant: key-id-agreement in exactly 8 steps, replayable from its token", async () => {
    const file = 'scenarios/bao-kms-provider/broken-no-key-id-check.yaml';
    const [r] = await fuzz(file, { runs: 2000 });
    const v = r.violations.find((x) => x.property === 'key-id-agreement')!;
    expect(v.trace.length - 1).toBe(8);
    const t = v.replay!.token as { seed: number; path: string; replayPath: string; properties: string[] };
    // the token re-runs only that counterexample (and shrinks it again)
    const [again] = await fuzz(file, { seed: t.seed, replay: { path: t.path, replayPath: t.replayPath }, properties: t.properties });
    expect(again.violations.map((x) => x.property)).toEqual(['key-id-agreement']);
    expect(again.violations[0].trace).toEqual(v.trace);
    expect(again.boundsHit).toEqual(['replay of one failure']);
    expect(again.figures.statesPerDepth[0]).toBeLessThan(200); // one run plus shrinking, not a campaign
  });

  test('the same seed gives byte-identical results (timings excluded), for several seeds', async () => {
    const file = 'scenarios/bao-kms-provider/broken-upgrade-during-rotation.yaml';
    for (const seed of [1, 7, 123456]) {
      const [a] = await fuzz(file, { seed, runs: 300 });
      const [b] = await fuzz(file, { seed, runs: 300 });
      expect(JSON.stringify(stripTimings(a))).toBe(JSON.stringify(stripTimings(b)));
      expect(a.seed).toBe(seed);
    }
  });

  test('a run that explores nothing is never reported as safe', async () => {
    const [r] = await fuzz('scenarios/bao-kms-provider/upgrade.yaml', { runs: 50, now: () => 0, signal: { aborted: true } });
    expect(r.verdict).toBe('inconclusive');
    expect(r.figures.transitions).toBe(0);
    expect(r.boundsHit).toEqual(['interrupted']);
    expect(r.expect?.met).toBe(false);
    expect(r.expect?.problems).toContain('the campaign took no steps (time budget too short?)');
  });
});

describe('minimize (breadth-first re-minimisation)', () => {
  test('finds the explorer\'s shortest trace for each property of the rollback-after-rotation variant', () => {
    const file = 'scenarios/bao-kms-provider/broken-rollback-after-rotation.yaml';
    const model = new Model(loadScenarioFile(file));
    const want = explorerMinima(file);
    expect([...want.keys()].sort()).toEqual(['no-one-way-rollback', 'no-unknown-key-id-decrypt', 'runbook-terminates']);
    for (const [property, n] of want) {
      const m = minimize(model, property, { maxStates: 1_000_000, maxDepth: 80 });
      expect(m?.events.length, property).toBe(n);
      // nothing shorter exists: bounded below the minimum, the search comes back empty
      expect(minimize(model, property, { maxStates: 1_000_000, maxDepth: n - 1 })).toBeNull();
    }
  });
});

describe('library API (what `import { check, fuzz, chaos } from "rollsafe"` gives)', () => {
  test('check, fuzz and chaos return RunResult objects a user can pin in their own tests', async () => {
    const api = await import('../sim/index.js');
    const file = 'scenarios/bao-kms-provider/broken-all-nodes-at-once.yaml';
    const [c] = api.check(file);
    const [f] = await api.fuzz(file, { runs: 200 });
    const [x] = await api.chaos(file, { runs: 200 });
    for (const r of [c, f, x]) {
      expect(r.schema).toBe('rollsafe/result@1');
      expect(r.violations.map((v) => [v.property, v.trace.length - 1])).toEqual([['availability', 3]]);
    }
    expect([c.engine, f.engine, x.engine]).toEqual(['explore', 'fuzz', 'chaos']);
    expect(api.passed(c)).toBe(true);
    expect(api.campaignPassed(f) && api.campaignPassed(x)).toBe(true);
  });
});
