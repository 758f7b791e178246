import { describe, expect, test } from 'vitest';
import { chaos } from '../sim/campaign.js';
import { mergeResultSets } from '../sim/results/merge.js';
import { RESULT_SET_SCHEMA, type RunResult } from '../sim/results/result.js';
import { BROKEN_BAO, explorerMinima, lengths, stripTimings } from './engine-helpers.js';

const set = (results: RunResult[]) => ({ schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe' as const, version: 'test' }, command: 'test', partial: false, results });
const findings = (r: RunResult) => r.violations.map((v) => ({ property: v.property, trace: v.trace }));

describe('chaos (seeded random walks)', () => {
  test('finds every expected violation of every broken bao variant with the default budget, as short as the explorer', async () => {
    // one campaign over the five files, on two worker threads (results do not depend on it)
    const results = await chaos(BROKEN_BAO, { workers: 2 });
    expect(results.map((r) => r.scenario.file)).toEqual(BROKEN_BAO);
    for (const r of results) {
      expect(r.engine).toBe('chaos');
      expect(r.expect?.problems, r.scenario.file).toEqual([]);
      expect(lengths(r), r.scenario.file).toEqual(explorerMinima(r.scenario.file));
      expect(r.boundsHit).toEqual(['runs 50000']);
      expect(r.verdict).toBe('unsafe');
    }
  }, 120_000);

  test('the safe upgrade: nothing found, and the verdict stays inconclusive (a campaign is no proof)', async () => {
    const [r] = await chaos('scenarios/bao-kms-provider/upgrade.yaml', { runs: 2000 });
    expect(r.violations).toEqual([]);
    expect(r.verdict).toBe('inconclusive');
    // a campaign proves nothing safe: every property that could fail here is unknown; only the
    // sometimes properties hold, as one run that finished the upgrade or started the rollback shows
    expect(r.properties.filter((p) => p.kind !== 'sometimes').every((p) => p.status === 'unknown' || p.status === 'not-applicable')).toBe(true);
    expect(r.properties.filter((p) => p.kind === 'sometimes').map((p) => [p.name, p.status])).toEqual([['upgrade-can-finish', 'holds'], ['rollback-can-start', 'holds']]);
    expect(r.properties.filter((p) => p.status === 'unknown').length).toBeGreaterThan(5);
    expect(r.expect?.met).toBe(true);
    expect(r.figures.statesPerDepth[0]).toBe(2000); // every run starts from the initial world
    expect(r.figures.runs).toBe(2000); // what replay --twice re-runs, recorded as a figure
  });

  test('the same seed gives byte-identical results for several seeds, and 2 workers give what 1 gives', async () => {
    const file = 'scenarios/bao-kms-provider/broken-rollback-after-new-wire-format.yaml';
    for (const seed of [1, 2, 99]) {
      const [a] = await chaos(file, { seed, runs: 1500 });
      const [b] = await chaos(file, { seed, runs: 1500 });
      expect(JSON.stringify(stripTimings(a))).toBe(JSON.stringify(stripTimings(b)));
    }
    const [one] = await chaos(file, { seed: 5, runs: 3000, workers: 1 });
    const [two] = await chaos(file, { seed: 5, runs: 3000, workers: 2, batch: 50 });
    expect(JSON.stringify(stripTimings(two))).toBe(JSON.stringify(stripTimings(one)));
    const [other] = await chaos(file, { seed: 6, runs: 3000 });
    expect(other.figures.transitions).not.toBe(one.figures.transitions); // the seed matters
  });

  test('a violation\'s re-run command (--run i) finds that property again in one walk', async () => {
    const file = 'scenarios/bao-kms-provider/broken-upgrade-during-rotation.yaml';
    const [r] = await chaos(file, { runs: 3000 });
    const v = r.violations[0];
    expect(v.property).toBe('no-unknown-key-id-decrypt');
    const run = v.replay!.token.run as number;
    expect(v.replay!.command).toBe(`rollsafe chaos ${file} --seed 1 --run ${run} --max-depth 80 --max-faults 2`);
    const [again] = await chaos(file, { run });
    expect(again.figures.statesPerDepth[0]).toBe(1);
    expect(findings(again)).toEqual(findings(r));
  });

  test('merging shard 1/2 and 2/2 gives the unsharded set of findings', async () => {
    const file = 'scenarios/bao-kms-provider/broken-rollback-after-new-wire-format.yaml';
    const [all] = await chaos(file, { runs: 4000 });
    const [s1] = await chaos(file, { runs: 4000, shard: { index: 0, count: 2 } });
    const [s2] = await chaos(file, { runs: 4000, shard: { index: 1, count: 2 } });
    expect(s1.figures.statesPerDepth[0] + s2.figures.statesPerDepth[0]).toBe(4000);
    expect([s1.figures.runs, s2.figures.runs]).toEqual([2000, 2000]);
    const merged = mergeResultSets([set([s1]), set([s2])], 'rollsafe merge').results;
    expect(merged).toHaveLength(1);
    expect(findings(merged[0])).toEqual(findings(all));
    expect(merged[0].figures.transitions).toBe(all.figures.transitions);
    expect(merged[0].coverage.events).toEqual(all.coverage.events);
    expect(merged[0].options.shards).toEqual(['1/2', '2/2']);
    expect(merged[0].figures.runs).toBe(4000);
  });

  // Merge used to prefer the earliest run among equally short traces; a single run prefers the
  // shortest path as found. Here shard 1/3 holds an earlier run whose raw path was longer.
  test.each(['broken-no-key-id-check.yaml', 'broken-upgrade-during-rotation.yaml'])('merging three shards of %s keeps the replay token the unsharded run picks', async (name) => {
    const file = `scenarios/bao-kms-provider/${name}`;
    const [all] = await chaos(file, { runs: 2000 });
    const shards = [];
    for (let index = 0; index < 3; index++) shards.push(set(await chaos(file, { runs: 2000, shard: { index, count: 3 } })));
    const [merged] = mergeResultSets(shards, 'rollsafe merge').results;
    expect(all.violations.length).toBeGreaterThan(0);
    expect(merged.violations.map((v) => [v.property, v.replay?.token])).toEqual(all.violations.map((v) => [v.property, v.replay?.token]));
  });
});
