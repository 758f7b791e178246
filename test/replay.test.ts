import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { Model } from '../model/model.js';
import { loadScenarioFile } from '../model/scenario/load.js';
import { check } from '../sim/check.js';
import { chaos } from '../sim/campaign.js';
import { replayViolation } from '../sim/replay.js';
import { RESULT_SET_SCHEMA, type RunResult, type Violation } from '../sim/results/result.js';
import { tempDir } from './helpers/corpus.js';

const cli = (args: string[]) => spawnSync(process.execPath, ['dist/sim/cli/main.js', ...args], { encoding: 'utf8' });
const modelOf = (r: RunResult) => new Model(loadScenarioFile(r.scenario.file));

let corpus: RunResult[];
beforeAll(() => {
  corpus = check('scenarios');
});

describe('replay', () => {
  test('reproduces every violation in the corpus, step by step', () => {
    const all = corpus.flatMap((r) => r.violations.map((v) => ({ r, v })));
    expect(all.length).toBeGreaterThan(30);
    for (const { r, v } of all) {
      const out = replayViolation(modelOf(r), v);
      expect(out.message, `${r.scenario.file} ${v.property}`).toMatch(/^reproduced /);
      expect(out.ok).toBe(true);
      expect(out.steps).toBe(v.trace.length - 1);
      expect(out.hit?.detail).toBe(v.detail);
    }
  });

  test('reproduces chaos findings too', async () => {
    const [r] = await chaos('scenarios/bao-kms-provider/broken-rollback-after-new-wire-format.yaml', { runs: 3000 });
    expect(r.violations.length).toBe(2);
    for (const v of r.violations) expect(replayViolation(modelOf(r), v).ok).toBe(true);
  });

  test('a tampered world is rejected, naming the step and the field that diverged', () => {
    const r = corpus.find((x) => x.scenario.file.endsWith('bao-kms-provider/broken-no-key-id-check.yaml'))!;
    const v: Violation = structuredClone(r.violations[0]);
    const i = 3;
    const real = v.trace[i].world.nodes[1].status;
    const fake = real === 'failed' ? 'running' : 'failed';
    v.trace[i].world.nodes[1].status = fake;
    const e = v.trace[i].event!;
    const out = replayViolation(modelOf(r), v);
    expect(out.ok).toBe(false);
    expect(out.divergedAt).toBe(i);
    expect(out.message).toBe(`step 3: after ${e.type}${e.node ? ` on ${e.node}` : ''} the world differs from the recording: nodes[1].status: recorded "${fake}", replayed "${real}"`);
  });

  test('a tampered event is rejected: an event that cannot happen there, or one the scenario does not know', () => {
    const r = corpus.find((x) => x.scenario.file.endsWith('bao-kms-provider/broken-all-nodes-at-once.yaml'))!;
    const v: Violation = structuredClone(r.violations[0]);
    v.trace[2].event = { type: 'rotation-completes', actor: 'environment' };
    expect(replayViolation(modelOf(r), v).message).toBe('step 2: event rotation-completes cannot happen here: it is not enabled in the world after step 1');
    v.trace[2].event = { type: 'step', node: 'control-plane-9', actor: 'operator' };
    expect(replayViolation(modelOf(r), v).message).toBe('step 2: event step on control-plane-9 is not an event of this scenario (unknown type or node)');
  });

  test('CLI: exit 0 when every violation replays, 1 naming the step for a tampered trace, 2 for a file that is not a result', () => {
    const dir = tempDir('replay');
    const results = corpus.filter((x) => x.scenario.file.startsWith('scenarios/bao-kms-provider/'));
    const set = { schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: 't' }, command: 'rollsafe check', partial: false, results };
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(set));
    const ok = cli(['replay', good]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const n = results.reduce((a, r) => a + r.violations.length, 0);
    expect(ok.stdout.match(/^violation \d+ .*: ok: reproduced /gm)?.length).toBe(n);

    const bad = structuredClone(set);
    bad.results[0].violations[0].trace[2].world.backend = 'down';
    const badFile = join(dir, 'bad.json');
    writeFileSync(badFile, JSON.stringify(bad));
    const one = cli(['replay', badFile, '--violation', '1']);
    expect(one.status).toBe(1);
    expect(one.stdout).toContain('DIVERGED: step 2: ');
    expect(one.stdout).toContain('the world differs from the recording: backend: recorded "down", replayed "up"');

    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{"schema": "something-else"}');
    const two = cli(['replay', junk]);
    expect(two.status).toBe(2);
    // the same loader and words as report, merge and serve (sim/results/result-file.ts)
    expect(two.stderr).toContain(`${junk}: "schema" is "something-else", expected "rollsafe/results@1" or "rollsafe/result@1"; pass a file written by`);
    const missing = cli(['replay', join(dir, 'nope.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.json: no such file; check the path: pass a file written by `rollsafe check --json FILE` (or chaos/fuzz/merge --json)');
    const range = cli(['replay', good, '--violation', String(n + 1)]);
    expect(range.status).toBe(2);
    expect(range.stderr).toContain(`--violation ${n + 1}: ${good} holds ${n} violations; pick 1..${n}`);
  });
});
