// `rollsafe diff <base-scenario> <head-scenario> [--markdown FILE]`
import type { Command } from 'commander';
import { exploreScenario } from '../check.js';
import { loadScenarioFile } from '../../model/scenario/load.js';
import { diffExitCode, diffResults, formatDiffMarkdown, formatDiffText } from '../diff.js';
import { OPTION_DOCS } from '../options.js';
import { writeFileAtomic } from './files.js';
import { type Exit, intArg } from './program.js';
import { count } from '../words.js';

interface DiffFlags {
  markdown?: string;
  maxDepth?: number;
  maxFaults?: number;
  maxStates?: number;
  symmetry: boolean;
}

export function registerDiff(program: Command, exit: Exit): void {
  program
    .command('diff')
    .description('explore two versions of a runbook; report the unsafe states the head makes newly reachable (exit 1) and those it removes')
    .argument('<base>', 'the scenario before the change (e.g. the base branch\'s file)')
    .argument('<head>', 'the scenario after the change')
    .option('--markdown <file>', 'also write the comparison as Markdown, ready to post as a pull-request comment')
    .option('--max-depth <n>', OPTION_DOCS.maxDepth, intArg('--max-depth', 1))
    .option('--max-faults <n>', OPTION_DOCS.maxFaults, intArg('--max-faults', 0))
    .option('--max-states <n>', OPTION_DOCS.maxStates, intArg('--max-states', 1))
    .option('--no-symmetry', OPTION_DOCS.symmetry)
    .action((base: string, head: string, flags: DiffFlags) => {
      // The reproduce line in the PR comment is the exploration, not where its Markdown went.
      const argv = process.argv.slice(2).join(' ').replace(/\s--markdown(=|\s+)\S+/, '');
      exit.code = runDiff(base, head, flags, `rollsafe ${argv}`);
    });
}

function runDiff(basePath: string, headPath: string, flags: DiffFlags, command: string): number {
  // Both files are loaded (and so validated) before either is explored.
  const base = loadScenarioFile(basePath, { maxFaults: flags.maxFaults });
  const head = loadScenarioFile(headPath, { maxFaults: flags.maxFaults });
  const opts = { maxDepth: flags.maxDepth, maxFaults: flags.maxFaults, maxStates: flags.maxStates, symmetry: flags.symmetry, now: () => performance.now() };
  const progress = (label: string) =>
    process.stderr.isTTY ? (p: { states: number; depth: number }) => process.stderr.write(`\r  exploring ${label}: depth ${p.depth}, ${count(p.states, 'state')}\x1b[K`) : undefined;
  const baseResult = exploreScenario(base, { ...opts, onProgress: progress('base') });
  const headResult = exploreScenario(head, { ...opts, onProgress: progress('head') });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const d = diffResults(baseResult, headResult);
  process.stdout.write(`${formatDiffText(d)}\n`);
  if (flags.markdown) writeFileAtomic(flags.markdown, formatDiffMarkdown(d, command));
  return diffExitCode(d);
}
