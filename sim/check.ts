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

// A scenario passes when it meets its expectation, or, having none, is safe (the exhaustive
// engine) or found nothing after running at all (a random campaign, which cannot prove safety).
export function passed(r: RunResult): boolean {
  if (r.expect) return r.expect.met;
  return r.engine === 'explore' ? r.verdict === 'safe' : r.violations.length === 0 && r.figures.transitions > 0;
}
