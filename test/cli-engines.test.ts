// The built CLI (dist/, compiled by `npm test` before vitest runs), as CI would call it.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ResultSet } from '../sim/results/result.js';
import { tempDir } from './helpers/corpus.js';
import { stripTimings } from './engine-helpers.js';
import { cliEnv } from './helpers.js';

const MAIN = 'dist/sim/cli/main.js';
const cli = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: cliEnv() });
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as ResultSet;
const findings = (s: ResultSet) => s.results.map((r) => ({ file: r.scenario.file, v: r.violations.map((v) => ({ p: v.property, trace: v.trace })) }));
const WIRE = 'scenarios/bao-kms-provider/broken-rollback-after-new-wire-format.yaml';

describe('rollsafe chaos / fuzz / merge on the command line', () => {
  test('the same command writes byte-identical JSON (timings excluded); --workers 2 gives the results of --workers 1', () => {
    const dir = tempDir('cli-det');
    const args = ['chaos', WIRE, 'scenarios/bao-kms-provider/upgrade.yaml', '--seed', '42', '--runs', '2000', '-v'];
    const a = cli([...args, '--json', join(dir, 'a.json')]);
    const b = cli([...args, '--json', join(dir, 'b.json')]);
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    const ja = read(join(dir, 'a.json'));
    const jb = read(join(dir, 'b.json'));
    expect(JSON.stringify(stripTimings({ ...ja, command: '' }))).toBe(JSON.stringify(stripTimings({ ...jb, command: '' })));
    const w = cli([...args, '--workers', '2', '--json', join(dir, 'w.json')]);
    expect(w.status).toBe(0);
    expect(JSON.stringify(stripTimings(read(join(dir, 'w.json')).results))).toBe(JSON.stringify(stripTimings(ja.results)));
    expect(ja.partial).toBe(false);
    expect(a.stdout).toContain('\n1 unsafe (as expected), 1 inconclusive (as expected)\n');
    expect(a.stdout).toMatch(/re-run: rollsafe chaos scenarios\/bao-kms-provider\/broken-rollback-after-new-wire-format\.yaml --seed 42 --run \d+ --max-depth 80 --max-faults 2/);
  }, 60_000);

  test('merge of --shard 1/2 and --shard 2/2 equals the unsharded run\'s findings', () => {
    const dir = tempDir('cli-shard');
    const base = ['chaos', 'scenarios/bao-kms-provider/broken-upgrade-during-rotation.yaml', WIRE, '--runs', '3000'];
    expect(cli([...base, '--json', join(dir, 'all.json')]).status).toBe(0);
    expect(cli([...base, '--shard', '1/2', '--json', join(dir, 's1.json')]).status).toBe(0);
    expect(cli([...base, '--shard', '2/2', '--json', join(dir, 's2.json')]).status).toBe(0);
    const m = cli(['merge', join(dir, 's1.json'), join(dir, 's2.json'), '--json', join(dir, 'm.json'), '--junit', join(dir, 'm.xml')]);
    expect(m.stderr).toBe('');
    expect(m.status).toBe(0);
    const merged = read(join(dir, 'm.json'));
    const all = read(join(dir, 'all.json'));
    expect(findings(merged)).toEqual(findings(all));
    expect(merged.results.map((r) => r.figures.transitions)).toEqual(all.results.map((r) => r.figures.transitions));
    expect(readFileSync(join(dir, 'm.xml'), 'utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="rollsafe merge" tests="\d+" failures="0"/);
  }, 60_000);

  test('SIGINT during `chaos --time 60s` leaves a valid partial result with the counterexamples found so far', async () => {
    const dir = tempDir('cli-int');
    const out = join(dir, 'r.json');
    const child = spawn(process.execPath, [MAIN, 'chaos', 'scenarios/bao-kms-provider', '--time', '60s', '--json', out, '--junit', join(dir, 'r.xml')], { env: cliEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 4000));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(stderr).toContain('rollsafe: interrupted: finishing the walks under way');
    expect(code).toBe(130);
    const set = read(out);
    expect(set.schema).toBe('rollsafe/results@1');
    expect(set.partial).toBe(true);
    expect(set.results).toHaveLength(7); // the six bao scenarios and findings/rotation-during-maintenance
    expect(set.results.some((r) => r.boundsHit.includes('interrupted'))).toBe(true);
    // the first scenario (every node at once) is caught within its first runs
    const first = set.results[0];
    expect(first.scenario.file).toBe('scenarios/bao-kms-provider/broken-all-nodes-at-once.yaml');
    expect(first.violations.map((v) => [v.property, v.trace.length - 1])).toEqual([['availability', 3]]);
    expect(stdout).toContain('(partial: cut by the time or memory budget, or an interrupt)');
  }, 60_000);

  test('fuzz prints a replay token and a command that replays the failure', () => {
    const file = 'scenarios/bao-kms-provider/broken-no-key-id-check.yaml';
    const r = cli(['fuzz', file, '--runs', '1000']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/replay token: \{"seed":-?\d+,"path":"[\d:]+","replayPath":"[^"]*","properties":\[[^\]]+\]\}/);
    const cmd = /re-run: (rollsafe fuzz .*)$/m.exec(r.stdout)![1];
    const args = cmd.split(' ').slice(1).map((a) => a.replace(/^'(.*)'$/, '$1'));
    const again = cli(args);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('bound hit: replay of one failure');
    expect(again.stdout).toMatch(/key-id-agreement \[safety\]/);
    expect(again.stdout).toContain('shortest trace (8 steps)');
  }, 60_000);

  test('bad flags exit 2 and say what to write', () => {
    const shard = cli(['chaos', WIRE, '--shard', '3/2']);
    expect(shard.status).toBe(2);
    expect(shard.stderr).toContain("--shard must be k/n with 1 <= k <= n (e.g. 2/4), got '3/2'");
    const time = cli(['fuzz', WIRE, '--time', 'soon']);
    expect(time.status).toBe(2);
    expect(time.stderr).toContain("--time must be a duration such as 90s, 10m or 1h, got 'soon'");
    const token = cli(['fuzz', WIRE, '--path', '1:2']);
    expect(token.status).toBe(2);
    expect(token.stderr).toContain('give --seed, --path and --replay-path together');
    const prop = cli(['fuzz', WIRE, '--properties', 'no-such-thing']);
    expect(prop.status).toBe(2);
    expect(prop.stderr).toContain('--properties: unknown property no-such-thing');
  });
});
