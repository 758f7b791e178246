// `rollsafe fuzz <file-or-folder...>`: fast-check command sequences, shrunk and re-minimised.
import type { Command } from 'commander';
import { fuzz } from '../campaign.js';
import { CAMPAIGN_OPTION_DOCS, OPTION_DOCS } from '../options.js';
import { PROPERTY_NAMES } from '../../model/properties.js';
import { type OutputFlags, checkOutputs, report, runCampaign } from './campaign-output.js';
import { durationArg, memoryArg } from './budget.js';
import { SARIF_FLAG_DOC } from './sarif-output.js';
import { type Exit, FLAG_MAX, UsageError, intArg } from './args.js';

interface FuzzFlags extends OutputFlags {
  seed?: number;
  runs?: number;
  time?: number;
  maxMemory?: number;
  properties?: string;
  path?: string;
  replayPath?: string;
  maxDepth?: number;
  maxFaults?: number;
}

function properties(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((p) => !PROPERTY_NAMES.includes(p));
  if (bad.length) throw new UsageError(`--properties: unknown property ${bad.join(', ')}; use names from: ${PROPERTY_NAMES.join(', ')}`);
  return list;
}

export function registerFuzz(program: Command, exit: Exit): void {
  program
    .command('fuzz')
    .description('property-based testing with fast-check: generated runbook/fault/workload sequences, every property checked after every step, failures shrunk')
    .argument('<paths...>', 'scenario files (.yaml) or folders of them')
    .option('--seed <n>', CAMPAIGN_OPTION_DOCS.seed, intArg('--seed', 0, 2_147_483_647))
    .option('--runs <n>', CAMPAIGN_OPTION_DOCS.fuzzRuns, intArg('--runs', 1, FLAG_MAX.runs))
    .option('--time <duration>', CAMPAIGN_OPTION_DOCS.time, durationArg)
    .option('--max-memory <size>', OPTION_DOCS.maxMemory, memoryArg)
    .option('--properties <list>', 'look only for these properties (comma-separated)')
    .option('--path <path>', 'replay: the fast-check path of a failure (from its replay token; needs --seed)')
    .option('--replay-path <replayPath>', 'replay: the commands\' replay path of a failure (from its replay token)')
    .option('--max-depth <n>', CAMPAIGN_OPTION_DOCS.maxDepth, intArg('--max-depth', 1, FLAG_MAX.maxDepth))
    .option('--max-faults <n>', OPTION_DOCS.maxFaults, intArg('--max-faults', 0, FLAG_MAX.maxFaults))
    .option('--json <file>', 'write the results (schema rollsafe/results@1) to this file (- for standard output)')
    .option('--junit <file>', 'write JUnit XML (one test case per scenario and property) to this file')
    .option('--sarif <file>', SARIF_FLAG_DOC)
    .option('-v, --verbose', 'print every result, not only those that fail')
    .action(async (paths: string[], flags: FuzzFlags) => {
      if ((flags.path === undefined) !== (flags.replayPath === undefined) || (flags.path !== undefined && flags.seed === undefined)) {
        throw new UsageError('to replay a fuzz failure give --seed, --path and --replay-path together, as printed in its replay token');
      }
      const outputs = checkOutputs(flags);
      const { results, interrupted } = await runCampaign('fuzz', {
        seed: flags.seed,
        runs: flags.runs,
        timeMs: flags.time,
        maxMemory: flags.maxMemory,
        properties: properties(flags.properties),
        replay: flags.path !== undefined ? { path: flags.path, replayPath: flags.replayPath! } : undefined,
        maxDepth: flags.maxDepth,
        maxFaults: flags.maxFaults,
      }, (o) => fuzz(paths, o));
      exit.code = report(results, outputs, flags, 'fuzz', process.argv.slice(2).join(' '), interrupted);
    });
}
