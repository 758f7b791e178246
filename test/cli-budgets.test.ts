// Budgets, signals and outputs on the command line (issue 9, items 3-6 and 9): every command
// that writes a result writes it, marked partial, when a budget or a signal cuts the run; an
// output that cannot be written is refused before the run; nothing is left half-written.
import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ResultSet } from '../sim/results/result.js';
import { tempDir } from './helpers/corpus.js';
import { ROOT, cliEnv } from './helpers.js';

const MAIN = join(ROOT, 'dist/sim/cli/main.js');
const cli = (args: string[], cwd = ROOT) => spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', env: cliEnv() });
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as ResultSet;
const BAO = 'scenarios/bao-kms-provider';
const UPGRADE = `${BAO}/upgrade.yaml`;

// the bao upgrade with more nodes: a space far larger than any budget below
function bigScenario(dir: string, nodes: number, name = 'upgrade'): string {
  const f = join(dir, `${name}-${nodes}.yaml`);
  writeFileSync(f, readFileSync(join(ROOT, BAO, `${name}.yaml`), 'utf8').replace('nodes: 3', `nodes: ${nodes}`));
  return f;
}

// Starts a command, sends `signal` after `afterMs`, and collects what it leaves.
async function interrupted(args: string[], signal: NodeJS.Signals, afterMs: number) {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: cliEnv() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // listened for from the start: a run that ends before the signal must fail the test, not hang it
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const early = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), afterMs))]);
  if (early) throw new Error(`the command ended before the ${signal} could be sent: make its search larger`);
  const t0 = Date.now();
  child.kill(signal);
  const code = await exited;
  return { code, stdout, stderr, afterSignalMs: Date.now() - t0 };
}

describe('budgets and signals', () => {
  test('check --time cuts the search: inconclusive, the bound named, partial, never safe', () => {
    const dir = tempDir('budget-time');
    const big = bigScenario(dir, 7);
    const t0 = Date.now();
    const r = cli(['check', big, '--no-symmetry', '--time', '2s', '--json', join(dir, 'r.json')]);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('bound hit: time 2s');
    expect(r.stdout).toContain('(partial: cut by the time or memory budget, or an interrupt)');
    const set = read(join(dir, 'r.json'));
    expect(set.partial).toBe(true);
    expect(set.results[0].verdict).toBe('inconclusive');
    expect(set.results[0].boundsHit).toEqual(['time 2s']);
  }, 60_000);

  test('check --max-memory ends the search inconclusive with a result, not an allocation crash', () => {
    const dir = tempDir('budget-mem');
    const big = bigScenario(dir, 7);
    const r = cli(['check', big, '--no-symmetry', '--max-memory', '160MiB', '--json', join(dir, 'r.json')]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('bound hit: max-memory 160 MiB');
    const set = read(join(dir, 'r.json'));
    expect(set.partial).toBe(true);
    expect(set.results[0].verdict).toBe('inconclusive');
    expect(set.results[0].figures.states).toBeGreaterThan(1000);
  }, 60_000);

  test('an allocation the system refuses (ulimit -v) ends the search with its findings, not with exit 3', () => {
    const dir = tempDir('budget-ulimit');
    const big = bigScenario(dir, 7, 'broken-upgrade-during-rotation');
    const r = spawnSync('bash', ['-c', `ulimit -v 1400000; exec "${process.execPath}" "${MAIN}" check "${big}" --no-symmetry --max-states 100000000 --json "${join(dir, 'r.json')}"`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).not.toContain('Array buffer allocation failed');
    expect(r.status).toBe(0); // the scenario expects unsafe, and unsafe it is
    const res = read(join(dir, 'r.json')).results[0];
    expect(res.boundsHit.join()).toMatch(/memory/);
    // the violation is shallow: found before memory ran out, and kept
    expect(res.verdict).toBe('unsafe');
    expect(res.violations.map((v) => v.property)).toContain('no-unknown-key-id-decrypt');
  }, 120_000);

  test('SIGINT during check writes every scenario\'s result, partial, and exits 130', async () => {
    const dir = tempDir('sig-check');
    const out = join(dir, 'r.json');
    // a 20-node scenario after the corpus keeps the run going past the signal (it takes 5 s
    // alone at 16 nodes here, with symmetry and two threads)
    const big = bigScenario(dir, 20);
    const r = await interrupted(['check', 'scenarios', big, '--json', out, '--junit', join(dir, 'r.xml')], 'SIGINT', 2500);
    expect(r.afterSignalMs).toBeLessThan(10_000);
    expect(r.stderr).toContain('rollsafe: interrupted: ending the search under way, then writing what was found');
    expect(r.code).toBe(130);
    const set = read(out);
    expect(set.partial).toBe(true);
    expect(set.results.length).toBe(readdirSync(join(ROOT, 'scenarios'), { recursive: true }).filter((f) => String(f).endsWith('.yaml')).length + 1);
    const cut = set.results.filter((x) => x.boundsHit.includes('interrupted'));
    expect(cut.length).toBeGreaterThan(0);
    for (const x of cut) expect(x.verdict).not.toBe('safe');
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toContain('<testsuites name="rollsafe check"');
  }, 60_000);

  test('SIGTERM during diff writes the comparison so far and exits 143', async () => {
    const dir = tempDir('sig-diff');
    const big = bigScenario(dir, 7);
    const r = await interrupted(['diff', UPGRADE, big, '--no-symmetry', '--markdown', join(dir, 'd.md'), '--json', join(dir, 'd.json')], 'SIGTERM', 2500);
    expect(r.code).toBe(143);
    expect(r.stderr).toContain('rollsafe: terminated:');
    expect(readFileSync(join(dir, 'd.md'), 'utf8')).toContain('interrupted');
    const set = read(join(dir, 'd.json'));
    expect(set.partial).toBe(true);
    expect(set.results).toHaveLength(2);
    expect(set.results[1].boundsHit).toContain('interrupted');
  }, 60_000);

  test('SIGTERM during chaos writes the partial JSON and exits 143', async () => {
    const dir = tempDir('sig-chaos');
    const r = await interrupted(['chaos', BAO, '--time', '60s', '--json', join(dir, 'r.json')], 'SIGTERM', 3000);
    expect(r.afterSignalMs).toBeLessThan(10_000);
    expect(r.code).toBe(143);
    const set = read(join(dir, 'r.json'));
    expect(set.partial).toBe(true);
    expect(set.results.some((x) => x.boundsHit.includes('interrupted'))).toBe(true);
  }, 60_000);

  test('SIGINT during replay --twice of a huge recorded campaign ends it, exit 130', async () => {
    const dir = tempDir('sig-replay');
    const out = join(dir, 'r.json');
    expect(cli(['chaos', UPGRADE, '--runs', '10', '--json', out]).status).toBe(0);
    const set = read(out);
    set.results[0].options.runs = 50_000_000; // as a damaged or hostile file may say
    writeFileSync(out, JSON.stringify(set));
    const r = await interrupted(['replay', out, '--twice'], 'SIGINT', 2500);
    expect(r.afterSignalMs).toBeLessThan(10_000);
    expect(r.code).toBe(130);
    expect(r.stdout).toContain('re-run twice: not finished (interrupted)');
  }, 60_000);

  test('chaos honours --time through the shortening of its traces, and keeps per-depth series small', () => {
    const dir = tempDir('budget-chaos');
    const big = bigScenario(dir, 8, 'broken-rollback-after-new-wire-format');
    const t0 = Date.now();
    const r = cli(['chaos', big, '--time', '3s', '--json', join(dir, 'r.json')]);
    // before: the shortening search ran about 8 s past a 4 s budget on this scenario
    expect(Date.now() - t0).toBeLessThan(8_000);
    expect(r.status).toBe(0);
    expect(read(join(dir, 'r.json')).results[0].boundsHit).toEqual(['time 3s']);
    // a runbook that never ends: walks run to --max-depth, the series stays at 1,000 entries
    const deep = cli(['chaos', `${BAO}/broken-rollback-after-rotation.yaml`, '--time', '2s', '--max-depth', '10000', '--json', join(dir, 'd.json')]);
    expect(deep.stderr).toBe('');
    const res = read(join(dir, 'd.json')).results[0];
    expect(res.figures.depth).toBe(10_000);
    expect(res.figures.statesPerDepth).toHaveLength(1000);
    expect(res.figures.statesPerDepth.reduce((a, b) => a + b, 0)).toBe(res.figures.states);
    expect(cli(['chaos', UPGRADE, '--max-depth', '10000000']).stderr).toContain('--max-depth must be a whole number from 1 to 10,000, got "10000000"');
  }, 60_000);
});

describe('outputs', () => {
  test('an output that cannot be written is refused before the run, exit 2, naming it and why', () => {
    const dir = tempDir('out-bad');
    mkdirSync(join(dir, 'folder'));
    spawnSync('mkfifo', [join(dir, 'fifo')]);
    const cases: [string[], RegExp][] = [
      [['--json', ''], /--json was given an empty file name; pass a file path, or --json - for standard output/],
      [['--json', join(dir, 'folder')], /--json .*folder: it is a folder, not a file rollsafe can replace/],
      [['--json', join(dir, 'fifo')], /--json .*fifo: it is a FIFO \(named pipe\), not a file rollsafe can replace/],
      [['--junit', join(ROOT, UPGRADE, 'x.xml')], /--junit .*upgrade\.yaml\/x\.xml: .*upgrade\.yaml is a file, not a folder/],
      [['--json', '/proc/rollsafe-no/r.json'], /--json \/proc\/rollsafe-no\/r\.json: cannot write there: /],
    ];
    for (const [flags, message] of cases) {
      const r = cli(['check', UPGRADE, ...flags]);
      expect(r.status, flags.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe(''); // nothing was explored
      expect(r.stderr).not.toContain('internal error');
    }
    expect(readdirSync(dir).sort()).toEqual(['fifo', 'folder']);
  }, 60_000);

  test('--json - writes the result set to standard output and the human text to standard error', () => {
    const r = cli(['check', UPGRADE, '--json', '-']);
    expect(r.status).toBe(0);
    const set = JSON.parse(r.stdout) as ResultSet;
    expect(set.results[0].verdict).toBe('safe');
    expect(r.stderr).toContain('\n1 safe (as expected)\n');
  }, 60_000);

  test('a full disk is reported with the file and the reason, exit 2, nothing left behind', () => {
    const r = spawnSync('bash', ['-c', `exec "${process.execPath}" "${MAIN}" check ${UPGRADE} --json - > /dev/full`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('rollsafe: cannot write --json to standard output: no space left on the device (ENOSPC)');
    const dir = tempDir('out-full');
    expect(cli(['check', UPGRADE, '--json', join(dir, 'r.json')]).status).toBe(0);
    const m = spawnSync('bash', ['-c', `exec "${process.execPath}" "${MAIN}" merge "${join(dir, 'r.json')}" > /dev/full`], { cwd: ROOT, encoding: 'utf8' });
    expect(m.stderr).toContain('rollsafe: cannot write --json to standard output: no space left on the device (ENOSPC)');
    expect(m.status).toBe(2);
    expect(readdirSync(dir)).toEqual(['r.json']);
  }, 60_000);

  test('--json onto a symlink replaces the file it points to and keeps the link', () => {
    const dir = tempDir('out-link');
    writeFileSync(join(dir, 'target.json'), '{}');
    symlinkSync('target.json', join(dir, 'link.json'));
    const r = cli(['check', UPGRADE, '--json', join(dir, 'link.json')]);
    expect(r.status).toBe(0);
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(read(join(dir, 'target.json')).results[0].verdict).toBe('safe');
    expect(readdirSync(dir).sort()).toEqual(['link.json', 'target.json']);
  }, 60_000);
});

describe('replay and merge', () => {
  test('replay finds the scenarios from another folder through the recorded scenarioRoot', () => {
    const dir = tempDir('replay-elsewhere');
    const out = join(dir, 'deep', 'r.json');
    expect(cli(['check', `${BAO}/broken-no-key-id-check.yaml`, '--json', out]).status).toBe(0);
    expect(read(out).scenarioRoot).toBeDefined();
    const r = cli(['replay', out], dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('violation 1 (scenarios/bao-kms-provider/broken-no-key-id-check.yaml, explore): ok: reproduced key-id-agreement in 8 steps');
    // without the record, it says where to run it from
    const bare = read(out);
    delete bare.scenarioRoot;
    writeFileSync(join(dir, 'bare.json'), JSON.stringify(bare));
    const b = cli(['replay', join(dir, 'bare.json')], dir);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain('bare.json: results[0].scenario.file names "scenarios/bao-kms-provider/broken-no-key-id-check.yaml", which does not load: no such file from here');
    expect(b.stderr).toContain('and the file does not record where its run started; restore the file, or run replay from the folder the run started in');
  }, 60_000);

  test('--no-symmetry\'s help says what the flag does', () => {
    const r = cli(['check', '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('--no-symmetry explore every node on its own instead of treating the nodes of a component as interchangeable');
  });
});
