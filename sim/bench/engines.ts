// Benchmark of the random engines: model steps per second per core for chaos and fuzz, and the
// speed-up of two chaos workers over one: `node dist/sim/bench/engines.js` (npm run bench times
// chaos against walks stepping XState; this adds fuzz and the workers);
// prints ratios against the targets, never asserts timings. The clock is read here, at the edge.
import { availableParallelism } from 'node:os';
import { Model } from '../../model/model.js';
import { loadScenarioFile } from '../../model/scenario/load.js';
import { chaos } from '../campaign.js';
import { chaosBatch } from '../engines/chaos.js';
import { fuzzModel } from '../engines/fuzz.js';

const SCENARIO = 'scenarios/bao-kms-provider/upgrade.yaml';
const TARGET_STEPS = 300_000;
const TARGET_SPEEDUP = 1.8;

const k = (x: number) => `${Math.round(x / 1000).toLocaleString('en-US')}k`;

export async function benchEngines(scenario = SCENARIO): Promise<{ lines: string[]; chaosRate: number; fuzzRate: number }> {
  const now = () => performance.now();
  const lines: string[] = [`random engines on ${scenario} (one process, ${availableParallelism()} cores available)`];
  const model = new Model(loadScenarioFile(scenario));

  chaosBatch(model, { seed: 0, maxDepth: model.s.bounds.maxDepth }, Array.from({ length: 500 }, (_, i) => i)); // warm-up
  let t = now();
  const d = chaosBatch(model, { seed: 1, maxDepth: model.s.bounds.maxDepth }, Array.from({ length: 20_000 }, (_, i) => i));
  const chaosRate = d.modelSteps / ((now() - t) / 1000);
  lines.push(`  chaos: ${k(chaosRate)} model steps/s on one core (${(chaosRate / TARGET_STEPS).toFixed(2)}x the ${k(TARGET_STEPS)} target), ${(d.steps / d.runs).toFixed(1)} steps per walk`);

  t = now();
  const f = await fuzzModel(model, { seed: 1, runs: 3000, maxDepth: model.s.bounds.maxDepth, yieldEvery: 1_000_000 });
  const fuzzRate = f.stats.modelSteps / ((now() - t) / 1000);
  lines.push(`  fuzz:  ${k(fuzzRate)} model steps/s on one core (${(fuzzRate / TARGET_STEPS).toFixed(2)}x the target; fast-check generation and shrinking included)`);

  const runs = 100_000;
  const time = async (workers: number) => {
    const t0 = now();
    await chaos(scenario, { runs, workers, seed: 3 });
    return now() - t0;
  };
  const one = await time(1);
  const two = await time(2);
  const speedup = one / two;
  lines.push(`  chaos workers: ${runs.toLocaleString('en-US')} walks in ${(one / 1000).toFixed(2)} s on 1 worker, ${(two / 1000).toFixed(2)} s on 2: speed-up ${speedup.toFixed(2)}x (target ${TARGET_SPEEDUP}x)`);
  return { lines, chaosRate, fuzzRate };
}

// `node dist/sim/bench/engines.js` runs this benchmark alone.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'))) {
  benchEngines().then((r) => process.stdout.write(`${r.lines.join('\n')}\n`));
}
