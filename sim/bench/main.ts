// `npm run bench`: the explorer, the random engines and whole commands, each against a
// baseline measured in the same run: a BFS stepping the XState machine (its pure transition()),
// @xstate/graph's getShortestPaths, walks stepping the machine. Every contender runs in a
// process of its own, in turn (A B C A B C ...), ROUNDS times; figures are medians with min
// and max, and ratios are taken round by round, so a drift in the machine's speed hits both
// sides alike. The machine's load is printed beside them. Prints figures; asserts nothing.
//   npm run bench                 the figures
//   npm run bench -- --scaling    the scaling table (3-7 nodes, with and without symmetry)
//   npm run bench -- --rounds 7
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../model/package-root.js';
import type { Measured } from './contenders.js';

const ROOT = packageRoot();
const CONTENDERS = join(ROOT, 'dist/sim/bench/contenders.js');
const CLI = join(ROOT, 'dist/sim/cli/main.js');

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (xs: number[], digits = 0, unit = '') => `${fmt(median(xs), digits)}${unit} (${fmt(Math.min(...xs), digits)}-${fmt(Math.max(...xs), digits)})`;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

function contender(name: string, arg = 0): Measured {
  const r = spawnSync(process.execPath, ['--expose-gc', CONTENDERS, name, String(arg)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`bench contender ${name} ${arg} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Measured;
}

// Whole-process wall time of a rollsafe command, in ms.
function command(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`rollsafe ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

// Each round runs every contender once, in order; returns each one's list of figures.
function rounds<K extends string>(n: number, contenders: Record<K, () => number>): Record<K, number[]> {
  const out = Object.fromEntries(Object.keys(contenders).map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < n; i++) for (const k of Object.keys(contenders) as K[]) out[k].push(contenders[k]());
  return out;
}

const perSecond = (m: Measured) => (m.count / m.ms) * 1000;
const ratios = (a: number[], b: number[]) => a.map((x, i) => x / b[i]);

function scenarioFile(name: string, nodes: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollsafe-bench-'));
  const file = join(dir, `${name}-${nodes}.yaml`);
  writeFileSync(file, readFileSync(join(ROOT, 'scenarios/bao-kms-provider', `${name}.yaml`), 'utf8').replace('nodes: 3', `nodes: ${nodes}`));
  return file;
}

function figures(n: number): void {
  console.log(`\nexplorer and baselines: ${n} rounds, each contender in its own process (median, min-max)`);
  const ex = rounds(n, {
    explore5: () => perSecond(contender('explore', 5)),
    explore5w2: () => perSecond(contender('explore-workers', 5)),
    explore5sym: () => perSecond(contender('explore-symmetry', 5)),
    xstate5sym: () => perSecond(contender('xstate-bfs', 5)),
    small: () => perSecond(contender('explore-small')),
    graph: () => perSecond(contender('xstate-graph')),
    chaos: () => perSecond(contender('chaos', 20_000)),
    walk: () => perSecond(contender('xstate-walk', 3_000)),
  });
  console.log(`  explorer, 5 nodes, fault budget 3, no symmetry, one worker: ${spread(ex.explore5)} states/s`);
  console.log(`  explorer, same, --workers 2 (this machine: ${availableParallelism()} cores):        ${spread(ex.explore5w2)} states/s`);
  console.log(`  ratio --workers 2 / one worker, per round:                  ${spread(ratios(ex.explore5w2, ex.explore5), 2, 'x')}`);
  console.log(`  explorer, same, symmetry:                                  ${spread(ex.explore5sym)} states/s`);
  console.log(`  BFS stepping XState's transition(), same space (symmetry):  ${spread(ex.xstate5sym)} states/s`);
  console.log(`  ratio explorer / XState BFS, per round:                     ${spread(ratios(ex.explore5sym, ex.xstate5sym), 1, 'x')}`);
  console.log(`  ratio explorer / @xstate/graph (2 nodes, no symmetry):      ${spread(ratios(ex.small, ex.graph), 0, 'x')}`);
  console.log(`  chaos walks: ${spread(ex.chaos)} model steps/s; ratio chaos / walks stepping XState: ${spread(ratios(ex.chaos, ex.walk), 1, 'x')}`);

  console.log(`\nwhole commands: ${n} rounds, wall time of the process (median, min-max)`);
  const big = scenarioFile('broken-upgrade-during-rotation', 7);
  const cmd = rounds(n, {
    version: () => command(['--version']),
    corpus: () => command(['check', join(ROOT, 'scenarios')]),
    failFast: () => command(['check', big, '--no-symmetry', '--fail-fast']),
  });
  console.log(`  rollsafe --version:                                                   ${spread(cmd.version.map((x) => x / 1000), 3, ' s')}`);
  console.log(`  rollsafe check scenarios/ (the corpus):                               ${spread(cmd.corpus.map((x) => x / 1000), 2, ' s')}`);
  console.log(`  check --fail-fast, broken-upgrade-during-rotation, 7 nodes, no symmetry: ${spread(cmd.failFast.map((x) => x / 1000), 2, ' s')}`);
}

// One run per line: the table of how the space, time and memory grow with nodes.
function scaling(): void {
  console.log('\nscaling: bao upgrade.yaml, fault budget 3, one run each (peak RSS and bytes per state from the process itself)');
  console.log('| nodes | symmetry | states | time | states/s | peak RSS | bytes per state |');
  console.log('|---|---|---|---|---|---|---|');
  for (const symmetry of [true, false]) {
    for (let nodes = 3; nodes <= 7; nodes++) {
      const m = contender(symmetry ? 'explore-symmetry' : 'explore', nodes);
      const perState = (m.rssBytes - m.baseRssBytes) / m.count;
      console.log(`| ${nodes} | ${symmetry ? 'yes' : 'no'} | ${fmt(m.count)} | ${fmt(m.ms / 1000, 1)} s | ${fmt(perSecond(m))} | ${fmt(m.rssBytes / 2 ** 20)} MiB | ${fmt(perState)} |`);
    }
  }
}

const args = process.argv.slice(2);
const at = args.indexOf('--rounds');
const n = at >= 0 ? Number(args[at + 1]) : 5;
console.log(`rollsafe bench: node ${process.version}, ${availableParallelism()} cores, load average ${load()} at the start`);
if (args.includes('--scaling')) scaling();
else figures(n);
console.log(`\nload average ${load()} at the end`);
