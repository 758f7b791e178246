// `rollsafe check <file-or-folder...>`
import type { Command } from 'commander';
import { check, passed } from '../check.js';
import { OPTION_DOCS } from '../options.js';
import { RESULT_SET_SCHEMA, type ResultSet, type RunResult } from '../result.js';
import { VERSION } from '../version.js';
import { toJUnit } from '../junit.js';
import { writeFileAtomic } from './files.js';
import { formatResult, formatTable } from './format.js';
import { type Exit, intArg } from './program.js';
import { count } from '../words.js';

interface CheckFlags {
  json?: string;
  junit?: string;
  maxDepth?: number;
  maxFaults?: number;
  maxStates?: number;
  symmetry: boolean;
  verbose?: boolean;
}

export function registerCheck(program: Command, exit: Exit): void {
  program
    .command('check')
    .description('explore every interleaving of each scenario\'s runbook with its faults; compare with its expect block')
    .argument('<paths...>', 'scenario files (.yaml) or folders of them')
    .option('--json <file>', 'write the results (schema rollsafe/results@1) to this file')
    .option('--junit <file>', 'write JUnit XML (one test case per scenario and property) to this file')
    .option('--max-depth <n>', OPTION_DOCS.maxDepth, intArg('--max-depth', 1))
    .option('--max-faults <n>', OPTION_DOCS.maxFaults, intArg('--max-faults', 0))
    .option('--max-states <n>', OPTION_DOCS.maxStates, intArg('--max-states', 1))
    .option('--no-symmetry', OPTION_DOCS.symmetry)
    .option('-v, --verbose', 'print every violation trace, not only those of scenarios that fail')
    .action((paths: string[], flags: CheckFlags) => {
      exit.code = runCheck(paths, flags, process.argv.slice(2).join(' '));
    });
}

function runCheck(paths: string[], flags: CheckFlags, command: string): number {
  const progress = process.stderr.isTTY
    ? (p: { states: number; depth: number }) => process.stderr.write(`\r  exploring: depth ${p.depth}, ${count(p.states, 'state')}\x1b[K`)
    : undefined;
  const results: RunResult[] = check(paths, {
    maxDepth: flags.maxDepth,
    maxFaults: flags.maxFaults,
    maxStates: flags.maxStates,
    symmetry: flags.symmetry,
    now: () => performance.now(),
    onProgress: progress,
  });
  if (progress) process.stderr.write('\r\x1b[K');
  const single = results.length === 1;
  if (!single) {
    process.stdout.write(`${formatTable(results)}\n`);
  }
  for (const r of results) {
    if (single || flags.verbose || !passed(r)) process.stdout.write(`\n${formatResult(r)}\n`);
  }
  const failed = results.filter((r) => !passed(r)).length;
  process.stdout.write(`\n${results.length - failed} passed, ${failed} failed\n`);
  if (flags.json) {
    const set: ResultSet = { schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: VERSION }, command: `rollsafe ${command}`, partial: false, results };
    writeFileAtomic(flags.json, `${JSON.stringify(set, null, 2)}\n`);
  }
  if (flags.junit) writeFileAtomic(flags.junit, toJUnit(results, { name: 'rollsafe check', resultFile: flags.json }));
  return failed > 0 ? 1 : 0;
}
