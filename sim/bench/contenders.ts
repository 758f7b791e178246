// What `npm run bench` times, each measured in a process of its own (so no contender inherits
// another's heap or JIT state) and printed as one JSON line: `node dist/sim/bench/contenders.js
// <name> [arg]`. The parent (main.ts) runs them in turn, A B C A B C ..., and takes medians.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getShortestPaths } from '@xstate/graph';
import seedrandom from 'seedrandom';
import { Model } from '../../model/model.js';
import { createRunbookMachine, machineStepper, toEvent } from '../../model/machine.js';
import { loadScenarioText } from '../../model/scenario/load.js';
import { packageRoot } from '../../model/package-root.js';
import type { CompiledScenario } from '../../model/types.js';
import { explore } from '../engines/explore.js';
import { chaosBatch } from '../engines/chaos.js';
import { xstateBfs } from './xstate-bfs.js';

export const BENCH_SCENARIO = 'scenarios/bao-kms-provider/upgrade.yaml';

// The bao upgrade with N nodes and fault budget B; without the backend outage when asked, the
// space the C model checker comparison used.
export function variant(nodes: number, budget: number, name = 'upgrade'): CompiledScenario {
  const file = `scenarios/bao-kms-provider/${name}.yaml`;
  const text = readFileSync(join(packageRoot(), file), 'utf8')
    .replace('nodes: 3', `nodes: ${nodes}`)
    .replace('budget: 2', `budget: ${budget}`);
  return loadScenarioText(text, `${file} (nodes ${nodes}, fault budget ${budget})`);
}

export interface Measured {
  count: number; // states (or steps, for walks)
  ms: number;
  rssBytes: number; // peak resident set of this process
  baseRssBytes: number; // resident set before the measured work (modules loaded, scenario compiled)
}

function timed(count: () => number): Measured {
  if (global.gc) global.gc();
  const baseRssBytes = process.memoryUsage.rss();
  const t0 = performance.now();
  const n = count();
  const ms = performance.now() - t0;
  return { count: n, ms, rssBytes: process.resourceUsage().maxRSS * 1024, baseRssBytes };
}

const exploreStates = (s: CompiledScenario, symmetry: boolean, workers = 1, fingerprints = false) => explore(new Model(s), { maxDepth: Infinity, maxStates: 1e9, symmetry, failFast: false, workers, fingerprints }).states;

export const CONTENDERS: Record<string, (arg: number) => Measured> = {
  // the explorer on N nodes, without and with symmetry reduction
  explore: (n) => timed(() => exploreStates(variant(n, 3), false)),
  // the same with a second thread expanding the wide levels (the main thread deduplicates)
  'explore-workers': (n) => timed(() => exploreStates(variant(n, 3), false, 2)),
  'explore-symmetry': (n) => timed(() => exploreStates(variant(n, 3), true)),
  // the explorer keeping 64-bit fingerprints, not states (check --fingerprints), no symmetry
  'explore-fingerprints': (n) => timed(() => exploreStates(variant(n, 3), false, 1, true)),
  // the same space, with symmetry, by a BFS stepping the XState machine's pure transition()
  'xstate-bfs': (n) => timed(() => xstateBfs(variant(n, 3), { symmetry: true }).keys.size),
  // a space @xstate/graph can finish (it has no symmetry reduction), and the explorer on it
  'explore-small': () => timed(() => exploreStates(variant(2, 1), false)),
  'xstate-graph': () => {
    const s = variant(2, 1);
    const model = new Model(s);
    const machine = createRunbookMachine(s);
    const events = model.events.map(toEvent);
    return timed(() => getShortestPaths(machine, { events, serializeState: (snap) => model.key((snap as { context: { world: Int32Array } }).context.world) }).length);
  },
  // random walks: the chaos engine's, and the same walks stepping the XState machine
  chaos: (walks) => {
    const model = new Model(variant(3, 2));
    return timed(() => chaosBatch(model, { seed: 1, maxDepth: model.s.bounds.maxDepth }, Array.from({ length: walks }, (_, i) => i)).modelSteps);
  },
  'xstate-walk': (walks) => timed(() => xstateRandomWalk(variant(3, 2), walks)),
};

// Random walks that step the machine itself: what a chaos engine without the fast path costs.
function xstateRandomWalk(s: CompiledScenario, walks: number): number {
  const model = new Model(s);
  const stepper = machineStepper(createRunbookMachine(s));
  const events = model.events.map(toEvent);
  const rng = seedrandom('bench');
  let steps = 0;
  for (let i = 0; i < walks; i++) {
    let snap = stepper.initial();
    for (let d = 0; d < s.bounds.maxDepth; d++) {
      const enabled = events.filter((e) => stepper.can(snap, e));
      if (enabled.length === 0) break;
      snap = stepper.step(snap, enabled[Math.floor(rng() * enabled.length)]);
      steps++;
    }
  }
  return steps;
}

const [name, arg] = process.argv.slice(2);
if (process.argv[1]?.endsWith('contenders.js') && name) {
  const run = CONTENDERS[name];
  if (!run) throw new Error(`unknown contender ${name}: one of ${Object.keys(CONTENDERS).join(', ')}`);
  process.stdout.write(`${JSON.stringify(run(Number(arg ?? 0)))}\n`);
}
