// `rollsafe merge <results...>`: one result file from several (shards, campaigns).
import type { Command } from 'commander';
import { campaignPassed } from '../campaign.js';
import { passed } from '../check.js';
import { toJUnit } from '../results/junit.js';
import { mergeResultSets, readResultSet } from '../results/merge.js';
import { dirname, relative, resolve } from 'node:path';
import { checkOutput, scenarioRootFor, writeOutput } from '../results/output.js';
import { formatTable } from '../results/text.js';
import { type Exit } from './args.js';
import { SARIF_FLAG_DOC, writeSarif } from './sarif-output.js';

import { count } from '../results/words.js';

interface MergeFlags {
  json?: string;
  junit?: string;
  sarif?: string;
}

export function registerMerge(program: Command, exit: Exit): void {
  program
    .command('merge')
    .description('combine result files (e.g. the shards of a chaos campaign): counts add up, each property keeps its shortest trace')
    .argument('<results...>', 'result files written by --json')
    .option('--json <file>', 'write the merged results here (default, or -: print them as JSON on standard output)')
    .option('--junit <file>', 'write JUnit XML for the merged results')
    .option('--sarif <file>', SARIF_FLAG_DOC)
    .action((files: string[], flags: MergeFlags) => {
      const json = checkOutput('--json', flags.json ?? '-');
      const junit = checkOutput('--junit', flags.junit);
      const sarif = checkOutput('--sarif', flags.sarif);
      const sets = files.map(readResultSet);
      const merged = mergeResultSets(sets, `rollsafe ${process.argv.slice(2).join(' ')}`);
      // the scenarios are where the first input that says so ran
      const i = sets.findIndex((s) => s.scenarioRoot !== undefined);
      if (i >= 0) merged.scenarioRoot = scenarioRootFor(json, resolve(dirname(files[i]), sets[i].scenarioRoot!));
      // each scenario path starts where the first result file naming it says its run started
      const roots = new Map<string, string>();
      sets.forEach((set, k) => {
        for (const r of set.results) if (!roots.has(r.scenario.file)) roots.set(r.scenario.file, set.scenarioRoot === undefined ? process.cwd() : resolve(dirname(files[k]), set.scenarioRoot));
      });
      const rootOf = (file: string) => roots.get(file) ?? process.cwd();
      const ok = (r: (typeof merged.results)[number]) => (r.engine === 'explore' ? passed(r) : campaignPassed(r));
      writeOutput(json!, `${JSON.stringify(merged, null, 2)}\n`);
      if (json!.path !== null) process.stdout.write(`${formatTable(merged.results)}\n\nmerged ${count(files.length, 'file')} into ${json!.shown}${merged.partial ? ' (partial)' : ''}\n`);
      if (junit) writeOutput(junit, toJUnit(merged.results, { name: 'rollsafe merge', resultFile: json!.path ?? undefined, fileOf: (f) => relative(process.cwd(), resolve(rootOf(f), f)) }));
      if (sarif) writeSarif(sarif, merged.results, { category: 'merge', rootOf: (r) => rootOf(r.scenario.file) });
      exit.code = merged.results.every(ok) ? 0 : 1;
    });
}
