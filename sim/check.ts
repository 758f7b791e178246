// `check`: load scenarios, explore each exhaustively, judge each against its `expect` block.
// Pure apart from the scenario files it reads; the CLI and the library API both call it.
import type { CompiledScenario } from '../model/types.js';
import { Model } from '../model/model.js';
import { listScenarioFiles, loadScenarioFile } from '../model/scenario/load.js';
import { explore } from './explore.js';
import { toResult } from './outcome.js';
import { type ExploreFlags, resolveExploreOptions } from './options.js';
import type { RunResult } from './result.js';

export interface CheckOptions extends ExploreFlags {
  now?: () => number;
  onScenarioStart?: (s: CompiledScenario) => void;
  onProgress?: (p: { states: number; depth: number; frontier: number }) => void;
}

export function exploreScenario(s: CompiledScenario, opts: CheckOptions = {}): RunResult {
  const o = resolveExploreOptions(s, opts);
  s.faultBudget = o.maxFaults;
  const model = new Model(s);
  const out = explore(model, {
    maxDepth: o.maxDepth,
    maxStates: o.maxStates,
    symmetry: o.symmetry,
    stopWhenAllFound: false,
    now: opts.now,
    onProgress: opts.onProgress,
  });
  return toResult(model, out, 'explore', { ...o }, null);
}

// Every scenario is loaded (and so validated) before any is explored: a bad file stops the
// run before anything is written.
export function loadAll(paths: string[], opts: ExploreFlags = {}): CompiledScenario[] {
  const files = paths.flatMap((p) => listScenarioFiles(p));
  return files.map((f) => loadScenarioFile(f, { maxFaults: opts.maxFaults }));
}

export function check(paths: string | string[], opts: CheckOptions = {}): RunResult[] {
  const scenarios = loadAll(Array.isArray(paths) ? paths : [paths], opts);
  return scenarios.map((s) => {
    opts.onScenarioStart?.(s);
    return exploreScenario(s, opts);
  });
}

// A scenario passes when it meets its expectation, or, having none, is safe.
export function passed(r: RunResult): boolean {
  return r.expect ? r.expect.met : r.verdict === 'safe';
}
