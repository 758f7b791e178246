// Explorer states per second of this build against another build of rollsafe (a git worktree
// of an earlier commit, built with tsc), on the same scenario: bao-kms-provider upgrade.yaml
// with 5 nodes, fault budget 3 and no backend outage (a scenario that uses none of the key
// model's concepts, so both builds explore the same states). Runs alternate, A B A B ..., and
// each figure is the best of 3 searches in one process, so JIT warm-up is paid alike.
//   node dist/sim/bench/compare-builds.js <other-repo-root> [pairs]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../model/package-root.js';

async function measure(root: string): Promise<{ states: number; statesPerSecond: number }> {
  const { loadScenarioText } = await import(join(root, 'dist/model/scenario/load.js'));
  const { Model } = await import(join(root, 'dist/model/model.js'));
  // builds from before sim/ had a folder per role keep the explorer at dist/sim/explore.js
  const built = [join(root, 'dist/sim/engines/explore.js'), join(root, 'dist/sim/explore.js')].find((f) => existsSync(f))!;
  const { explore } = await import(built);
  const text = readFileSync(join(root, 'scenarios/bao-kms-provider/upgrade.yaml'), 'utf8').replace('nodes: 3', 'nodes: 5').replace('budget: 2', 'budget: 3').replace('  backend-outage: {}\n', '');
  const s = loadScenarioText(text, 'bao5');
  let best = Infinity;
  let states = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    states = explore(new Model(s), { maxDepth: 500, maxStates: 5e7, symmetry: true, stopWhenAllFound: false, failFast: false }).states; // older builds read the first flag
    best = Math.min(best, performance.now() - t0);
  }
  return { states, statesPerSecond: Math.round((states / best) * 1000) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const [other, pairsArg, child] = process.argv.slice(2);
  if (child === '--child') {
    process.stdout.write(JSON.stringify(await measure(other)));
    return;
  }
  if (!other) throw new Error('usage: node dist/sim/bench/compare-builds.js <other-repo-root> [pairs]');
  const pairs = Number(pairsArg ?? 5);
  const run = (root: string) => JSON.parse(spawnSync(process.execPath, [process.argv[1], root, '0', '--child'], { encoding: 'utf8' }).stdout) as { states: number; statesPerSecond: number };
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const x = run(packageRoot());
    const y = run(other);
    if (x.states !== y.states) console.log(`state counts differ: ${x.states} here, ${y.states} there`);
    a.push(x.statesPerSecond);
    b.push(y.statesPerSecond);
    console.log(`pair ${i + 1}: this build ${x.statesPerSecond.toLocaleString('en-US')} states/s, other ${y.statesPerSecond.toLocaleString('en-US')} states/s, ratio ${(x.statesPerSecond / y.statesPerSecond).toFixed(2)}`);
  }
  const ratios = a.map((x, i) => x / b[i]);
  const fmt = (xs: number[]) => `median ${median(xs).toLocaleString('en-US')} (min ${Math.min(...xs).toLocaleString('en-US')}, max ${Math.max(...xs).toLocaleString('en-US')})`;
  console.log(`this build: ${fmt(a)} states/s`);
  console.log(`other:      ${fmt(b)} states/s`);
  console.log(`ratio this/other per pair: median ${median(ratios).toFixed(2)} (min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)})`);
}

await main();
