// `rollsafe merge <results...>`: one result file from several (shards, campaigns).
import type { Command } from 'commander';
import { campaignPassed } from '../campaign.js';
import { passed } from '../check.js';
import { toJUnit } from '../junit.js';
import { mergeResultSets } from '../merge.js';
import { writeFileAtomic } from './files.js';
import { formatTable } from './format.js';
import { type Exit } from './program.js';
import { readResultFile } from './replay-command.js';
import { count } from '../words.js';

interface MergeFlags {
  json?: string;
  junit?: string;
}

export function registerMerge(program: Command, exit: Exit): void {
  program
    .command('merge')
    .description('combine result files (e.g. the shards of a chaos campaign): counts add up, each property keeps its shortest trace')
    .argument('<results...>', 'result files written by --json')
    .option('--json <file>', 'write the merged results here (default: print them as JSON on stdout)')
    .option('--junit <file>', 'write JUnit XML for the merged results')
    .action((files: string[], flags: MergeFlags) => {
      const sets = files.map(readResultFile);
      const merged = mergeResultSets(sets, `rollsafe ${process.argv.slice(2).join(' ')}`);
      const ok = (r: (typeof merged.results)[number]) => (r.engine === 'explore' ? passed(r) : campaignPassed(r));
      if (flags.json) {
        writeFileAtomic(flags.json, `${JSON.stringify(merged, null, 2)}\n`);
        process.stdout.write(`${formatTable(merged.results)}\n\nmerged ${count(files.length, 'file')} into ${flags.json}${merged.partial ? ' (partial)' : ''}\n`);
      } else process.stdout.write(`${JSON.stringify(merged, null, 2)}\n`);
      if (flags.junit) writeFileAtomic(flags.junit, toJUnit(merged.results, { name: 'rollsafe merge', resultFile: flags.json }));
      exit.code = merged.results.every(ok) ? 0 : 1;
    });
}
