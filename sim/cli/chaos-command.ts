// `rollsafe chaos <file-or-folder...>`: seeded random walks with the scenario's fault weights.
import { type Command, InvalidArgumentError } from 'commander';
import { chaos } from '../campaign.js';
import { CAMPAIGN_OPTION_DOCS, OPTION_DOCS } from '../options.js';
import { type OutputFlags, checkOutputs, report, runCampaign } from './campaign-output.js';
import { durationArg, memoryArg } from './budget.js';
import { SARIF_FLAG_DOC } from './sarif-output.js';
import { type Exit, FLAG_MAX, intArg } from './args.js';

interface ChaosFlags extends OutputFlags {
  seed?: number;
  runs?: number;
  time?: number;
  maxMemory?: number;
  workers?: number;
  shard?: { index: number; count: number };
  run?: number;
  maxDepth?: number;
  maxFaults?: number;
}

function shardArg(v: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) {
    throw new InvalidArgumentError(`--shard must be k/n with 1 <= k <= n (e.g. 2/4), got '${v}'`);
  }
  return { index: Number(m[1]) - 1, count: Number(m[2]) };
}

export function registerChaos(program: Command, exit: Exit): void {
  program
    .command('chaos')
    .description('seeded random walks: the runbook with faults and workload striking at random, many runs, on a time budget')
    .argument('<paths...>', 'scenario files (.yaml) or folders of them')
    .option('--seed <n>', CAMPAIGN_OPTION_DOCS.seed, intArg('--seed', 0, 2_147_483_647))
    .option('--runs <n>', CAMPAIGN_OPTION_DOCS.chaosRuns, intArg('--runs', 1, FLAG_MAX.runs))
    .option('--time <duration>', CAMPAIGN_OPTION_DOCS.time, durationArg)
    .option('--max-memory <size>', OPTION_DOCS.maxMemory, memoryArg)
    .option('--workers <n>', CAMPAIGN_OPTION_DOCS.workers, intArg('--workers', 1, FLAG_MAX.workers))
    .option('--shard <k/n>', CAMPAIGN_OPTION_DOCS.shard, shardArg)
    .option('--run <i>', 'run only walk number i (what a violation\'s re-run command does)', intArg('--run', 0, FLAG_MAX.runs))
    .option('--max-depth <n>', CAMPAIGN_OPTION_DOCS.maxDepth, intArg('--max-depth', 1, FLAG_MAX.maxDepth))
    .option('--max-faults <n>', OPTION_DOCS.maxFaults, intArg('--max-faults', 0, FLAG_MAX.maxFaults))
    .option('--json <file>', 'write the results (schema rollsafe/results@1) to this file (- for standard output)')
    .option('--junit <file>', 'write JUnit XML (one test case per scenario and property) to this file')
    .option('--sarif <file>', SARIF_FLAG_DOC)
    .option('-v, --verbose', 'print every result, not only those that fail')
    .action(async (paths: string[], flags: ChaosFlags) => {
      const outputs = checkOutputs(flags);
      const { results, interrupted } = await runCampaign('chaos', {
        seed: flags.seed,
        runs: flags.runs,
        timeMs: flags.time,
        maxMemory: flags.maxMemory,
        workers: flags.workers,
        shard: flags.shard,
        run: flags.run,
        maxDepth: flags.maxDepth,
        maxFaults: flags.maxFaults,
      }, (o) => chaos(paths, o));
      exit.code = report(results, outputs, flags, 'chaos', process.argv.slice(2).join(' '), interrupted);
    });
}
