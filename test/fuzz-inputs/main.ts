// `npm run fuzz-inputs [-- --scenarios N --results N --seed S --concurrency C]`: the input
// fuzzing campaign of the hardening work, at scale. Mutated corpus scenarios go through
// `rollsafe check`, damaged result files through report, merge, replay and serve; the class
// counts are printed, and the exit code is 1 when any case crashed, hung, ran away with memory,
// was refused without a place, or let markup through.
import { parseArgs } from 'node:util';
import { runResultCases } from './results.js';
import { BAD_CLASSES, runScenarioCases } from './scenarios.js';

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: '10000' },
    results: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '2' },
  },
});
const seed = Number(values.seed);
const log = (line: string) => process.stderr.write(`${line}\n`);

const t0 = Date.now();
const scenarios = await runScenarioCases({ cases: Number(values.scenarios), seed, concurrency: Number(values.concurrency), log });
const t1 = Date.now();
const results = await runResultCases({ cases: Number(values.results), seed, log });
const t2 = Date.now();

process.stdout.write(`scenarios: ${values.scenarios} cases in ${((t1 - t0) / 1000).toFixed(1)} s: ${JSON.stringify(scenarios)}\n`);
process.stdout.write(`result files: ${values.results} cases in ${((t2 - t1) / 1000).toFixed(1)} s: ${JSON.stringify(results)}\n`);
const bad = BAD_CLASSES.reduce((n, k) => n + (scenarios[k] ?? 0), 0) + ['crash', 'hang', 'unnamed', 'injected'].reduce((n, k) => n + (results[k] ?? 0), 0);
process.stdout.write(bad === 0 ? 'no crash, hang, runaway memory, unplaced refusal or injection\n' : `${bad} bad cases: see the log above for the first example of each\n`);
process.exitCode = bad === 0 ? 0 : 1;
