// User-facing options for exploring a scenario, documented once (OPTION_DOCS, printed by the
// CLI's help and copied into the README) and resolved once: flag, else scenario file, else
// default.
import type { CompiledScenario } from '../model/types.js';
import { DEFAULT_BOUNDS } from '../model/scenario/compile.js';

export interface ExploreFlags {
  maxDepth?: number;
  maxFaults?: number;
  maxStates?: number;
  symmetry?: boolean;
}

export interface ResolvedExploreOptions {
  maxDepth: number;
  maxFaults: number;
  maxStates: number;
  symmetry: boolean;
}

export const OPTION_DOCS = {
  maxDepth: `deepest trace explored, in events (scenario bounds.max-depth; default ${DEFAULT_BOUNDS.maxDepth})`,
  maxFaults: `most faults in one run (scenario faults.budget; default ${DEFAULT_BOUNDS.maxFaults})`,
  maxStates: `stop after this many distinct states (scenario bounds.max-states; default ${DEFAULT_BOUNDS.maxStates})`,
  symmetry: 'treat nodes of one component as interchangeable (default on; --no-symmetry to turn off)',
} as const;

export function resolveExploreOptions(s: CompiledScenario, flags: ExploreFlags): ResolvedExploreOptions {
  return {
    maxDepth: flags.maxDepth ?? s.bounds.maxDepth,
    maxFaults: flags.maxFaults ?? s.faultBudget,
    maxStates: flags.maxStates ?? s.bounds.maxStates,
    symmetry: flags.symmetry ?? true,
  };
}
