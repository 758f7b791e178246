// `rollsafe graph <scenario> [--format mermaid|dot|svg|xstate] [-o FILE] [--explored]`
import { type Command, InvalidArgumentError } from 'commander';
import { loadScenarioFile } from '../../model/scenario/load.js';
import { runbookMachineConfig } from '../../model/machine.js';
import { Model } from '../../model/model.js';
import { exploredGraph, machineGraph } from '../results/graph.js';
import { toDot, toMermaid } from '../results/graph-render.js';
import { checkOutput, writeOutput } from '../results/output.js';
import { positionGraph } from '../engines/position-graph.js';
import { type Exit, FLAG_MAX, UsageError, intArg } from './args.js';

export const GRAPH_FORMATS = ['mermaid', 'dot', 'svg', 'xstate'] as const;
type Format = (typeof GRAPH_FORMATS)[number];

interface GraphFlags {
  format: Format;
  output: string;
  explored?: boolean;
  maxStates: number;
  maxDepth?: number;
  maxFaults?: number;
  symmetry: boolean;
}

function formatArg(v: string): Format {
  if (!(GRAPH_FORMATS as readonly string[]).includes(v)) throw new InvalidArgumentError(`--format must be one of: ${GRAPH_FORMATS.join(', ')}`);
  return v as Format;
}

// The explored graph's size is the runbook's; the search behind it is what this bounds.
const EXPLORED_MAX_STATES = 200_000;

export function registerGraph(program: Command, exit: Exit): void {
  program
    .command('graph')
    .description('draw the runbook as a state machine (phases, stages, steps, rollback edges with their triggers and guards), from the XState machine the engines are proven equal to')
    .argument('<scenario>', 'a scenario file (.yaml)')
    .option('--format <format>', `${GRAPH_FORMATS.join(', ')} (xstate: the machine config, loadable by Stately's tools)`, formatArg, 'mermaid')
    .option('-o, --output <file>', 'write here (- for standard output)', '-')
    .option('--explored', 'draw the explored state graph instead, one state per runbook position, violating ones marked')
    .option('--max-states <n>', `--explored: stop the search after this many distinct states (default ${EXPLORED_MAX_STATES.toLocaleString('en-US')})`, intArg('--max-states', 1, FLAG_MAX.maxStates), EXPLORED_MAX_STATES)
    .option('--max-depth <n>', '--explored: deepest run explored (default: the scenario\'s bounds.max-depth)', intArg('--max-depth', 1, FLAG_MAX.maxDepth))
    .option('--max-faults <n>', '--explored: most faults in one run (default: the scenario\'s faults.budget)', intArg('--max-faults', 0, FLAG_MAX.maxFaults))
    .option('--no-symmetry', '--explored: explore every node on its own')
    .action(async (file: string, flags: GraphFlags) => {
      if (flags.explored && flags.format === 'xstate') throw new UsageError('--explored draws what a search reached; --format xstate writes the machine itself: use --format mermaid, dot or svg with --explored');
      const out = checkOutput('--output', flags.output)!;
      const s = loadScenarioFile(file, { maxFaults: flags.maxFaults, maxDepth: flags.maxDepth });
      const config = runbookMachineConfig(s);
      if (flags.format === 'xstate') {
        writeOutput(out, xstateModule(file, JSON.stringify(config, null, 2)));
        exit.code = 0;
        return;
      }
      const graph = flags.explored
        ? exploredGraph(config, s, positionGraph(new Model(s), { maxStates: flags.maxStates, maxDepth: s.bounds.maxDepth, symmetry: flags.symmetry }))
        : machineGraph(config, s);
      const text = flags.format === 'mermaid' ? toMermaid(graph) : flags.format === 'dot' ? toDot(graph) : await toSvg(toDot(graph));
      writeOutput(out, text);
      exit.code = 0;
    });
}

// A module Stately's editor and VS Code extension import as is; `enabled` and `apply` are the
// guard and update of model/events.ts, named here as the machine names them.
function xstateModule(file: string, json: string): string {
  return [
    `// The runbook machine of ${file.replace(/[\r\n]/g, ' ')}, as rollsafe builds it (model/machine-config.ts).`,
    '// Guards and actions are referred to by name: `enabled` is the event\'s guard, `apply` its update',
    '// (model/events.ts); a guard with params { to } also asks that the update lead to that state.',
    "import { createMachine } from 'xstate';",
    '',
    `export const machine = createMachine(${json});`,
    '',
  ].join('\n');
}

// Graphviz in WebAssembly, loaded only here: the other formats never pay for it.
async function toSvg(dot: string): Promise<string> {
  const { instance } = await import('@viz-js/viz');
  const viz = await instance();
  const r = viz.render(dot, { format: 'svg' });
  if (r.status !== 'success') throw new Error(`Graphviz could not render the graph: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.output;
}
