// What every command's --help says after its options: examples to copy, what its exit codes
// mean, and where its documentation is (a file in the installed package: it opens offline).
import { join } from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../../model/package-root.js';

interface Help {
  examples: [string, string][]; // command, what it does
  exits: [string, string][];
  docs: [string, string]; // file under the package root, section
}

const BAD_INPUT: [string, string] = ['2', 'bad input or usage: the message names the file, line:column and the fix; no output file is half written'];
const SIGNALS: [string, string] = ['130/143', 'interrupted by Ctrl-C / SIGTERM, after writing what was found (marked partial)'];

export const COMMAND_HELP: Record<string, Help> = {
  check: {
    examples: [
      ['rollsafe check runbooks/upgrade.yaml', 'one runbook: its verdict, what its expect block said, every violation as a trace'],
      ['rollsafe check scenarios/ --json out/all.json --junit out/all.xml', 'a folder of runbooks: one table, the results as JSON and JUnit'],
      ['rollsafe check runbook.yaml --max-depth 40 --time 10m', 'a tighter bound and a time budget (a cut search is inconclusive, never safe)'],
      ['rollsafe check runbooks/ --fail-fast --sarif out/check.sarif', 'a CI gate: each search stops at its first violation (the shortest trace), with code-scanning annotations'],
      ['rollsafe check big-fleet.yaml --no-symmetry --workers 2', 'a large space on two threads: the same states, traces and result file as one'],
      ['rollsafe check big.yaml --no-symmetry --fingerprints', 'a space too large for memory: 64-bit fingerprints per state (TLC-style); violations are real, the verdict never safe'],
    ],
    exits: [
      ['0', 'every scenario as its expect block says (or, with none, safe); with --fingerprints only an expected violation, never safe'],
      ['1', 'a violation, or an expectation not met'],
      BAD_INPUT,
      SIGNALS,
    ],
    docs: ['README.md', 'Check a runbook'],
  },
  fuzz: {
    examples: [
      ['rollsafe fuzz runbooks/upgrade.yaml --runs 2000', 'model-based runs; a failure is shrunk and printed with its replay token'],
      ['rollsafe fuzz runbook.yaml --seed 42 --json out/fuzz.json', 'a fixed seed, the results as JSON'],
    ],
    exits: [['0', 'no violation found (a random campaign proves nothing safe)'], ['1', 'a violation, or an expectation not met'], BAD_INPUT, SIGNALS],
    docs: ['docs/engines.md', 'Reproducing a failure'],
  },
  chaos: {
    examples: [
      ['rollsafe chaos scenarios/ --time 5m --workers 2', 'random walks with the scenarios\' fault weights for five minutes'],
      ['rollsafe chaos runbooks/ --seed 7 --shard 2/4 --json out/chaos-2.json', 'one shard of four, for a CI matrix job'],
    ],
    exits: [['0', 'no violation found (a random campaign proves nothing safe)'], ['1', 'a violation, or an expectation not met'], BAD_INPUT, SIGNALS],
    docs: ['docs/ci.md', '2. The chaos campaign, sharded'],
  },
  replay: {
    examples: [
      ['rollsafe replay out/all.json --violation 3', 'the third violation of the file, step by step, in words'],
      ['rollsafe replay out/chaos.json --twice', 'every violation, then the whole recorded run twice, to check it is deterministic'],
    ],
    exits: [['0', 'every replayed trace reaches the same states and violation'], ['1', 'a trace no longer replays as recorded'], BAD_INPUT, SIGNALS],
    docs: ['docs/engines.md', 'Reproducing a failure'],
  },
  merge: {
    examples: [['rollsafe merge out/chaos-*.json --json rollsafe.json --junit rollsafe.xml', 'the shards of a campaign as one result file']],
    exits: [['0', 'no violation in the merged results'], ['1', 'a violation, or an expectation not met'], BAD_INPUT],
    docs: ['docs/ci.md', '3. Merge, JUnit and the HTML report'],
  },
  report: {
    examples: [
      ['rollsafe report out/all.json -o report.html', 'one self-contained page: index with filters, a section per run'],
      ['rollsafe report out/ -o report.html', 'every result file in a folder'],
    ],
    exits: [['0', 'the page was written'], BAD_INPUT],
    docs: ['docs/ci.md', '3. Merge, JUnit and the HTML report'],
  },
  serve: {
    examples: [
      ['rollsafe serve out/', 'browse the result files on http://127.0.0.1:4780/, sort, filter and diff them'],
      ['rollsafe serve out/ --port 0', 'on a free port (printed)'],
    ],
    exits: [['0', 'stopped by Ctrl-C or SIGTERM'], ['2', 'no such folder, or the port cannot be had']],
    docs: ['docs/ci.md', 'Browsing results locally'],
  },
  diff: {
    examples: [
      ['rollsafe diff main:runbooks/upgrade.yaml runbooks/upgrade.yaml', 'the base branch\'s version (read with git show) against the working copy'],
      ['rollsafe diff old.yaml new.yaml --markdown comment.md --report-url "$RUN_URL"', 'a pull-request comment that links to the full report'],
    ],
    exits: [['0', 'nothing newly unsafe'], ['1', 'the head makes an unsafe state newly reachable, or its search was cut by a bound or kept fingerprints (--fingerprints: no proof)'], BAD_INPUT, SIGNALS],
    docs: ['docs/ci.md', '1. The runbook diff'],
  },
  graph: {
    examples: [
      ['rollsafe graph runbooks/upgrade.yaml', 'the runbook as a Mermaid state diagram (phases, stages, steps, rollback edges with triggers and guards)'],
      ['rollsafe graph runbooks/upgrade.yaml --format svg -o runbook.svg', 'drawn offline by Graphviz (WebAssembly)'],
      ['rollsafe graph runbooks/upgrade.yaml --explored --format dot', 'the explored state graph, one state per runbook position, violating ones marked'],
    ],
    exits: [['0', 'the diagram was written'], BAD_INPUT],
    docs: ['README.md', 'The other commands'],
  },
  suggest: {
    examples: [
      ['rollsafe suggest runbooks/upgrade.yaml', 'the smallest runbook edits that make it safe, each as a patch of the file, checked'],
      ['rollsafe suggest runbooks/upgrade.yaml --pick 1 --apply fixed.yaml', 'write the first suggestion as a new file, then rollsafe check fixed.yaml'],
      ['rollsafe suggest runbooks/upgrade.yaml --max-edits 3 --time 5m', 'larger edit sets, within a time budget'],
    ],
    exits: [['0', 'a fix was found, or there is nothing to fix'], ['1', 'no edit set of the allowed size makes it safe (what was tried is printed)'], BAD_INPUT, SIGNALS],
    docs: ['docs/suggest.md', 'What a suggestion is'],
  },
  init: {
    examples: [
      ['rollsafe init runbooks/upgrade.yaml', 'a commented starter scenario (a plugin rolling upgrade) that check passes'],
      ['rollsafe init runbooks/db.yaml --template expand-contract-database', 'another template: see the list in the README'],
    ],
    exits: [['0', 'the file was written'], ['2', 'an unknown template, or the file exists (pass --force to replace it)']],
    docs: ['docs/scenario-format.md', 'The scenario format'],
  },
};

export function helpText(h: Help, root = packageRoot()): string {
  const width = Math.max(...h.exits.map(([c]) => c.length));
  return [
    '',
    'Examples:',
    ...h.examples.flatMap(([cmd, what]) => [`  $ ${cmd}`, `      ${what}`]),
    '',
    'Exit codes:',
    ...h.exits.map(([c, what]) => `  ${c.padEnd(width)}  ${what}`),
    '',
    `Docs: ${join(root, h.docs[0])} ("${h.docs[1]}")`,
  ].join('\n');
}

// Every command gets its text, and a command without one fails the build's tests, not a user.
export function addCommandHelp(program: Command): void {
  for (const c of program.commands) {
    const h = COMMAND_HELP[c.name()];
    if (!h) throw new Error(`sim/cli/help.ts has no help for the command '${c.name()}'`);
    c.addHelpText('after', () => helpText(h));
  }
}
