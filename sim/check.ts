// `check`: load scenarios, explore each exhaustively, judge each against its `expect` block.
// Pure apart from the scenario files it reads; the CLI and the library API both call it.
import type { CompiledScenario } from '../model/types.js';
import { Model } from '../model/model.js';
import { listScenarioFiles, loadScenarioFile } from '../model/scenario/load.js';
import { exploreSteps } from './engines/explore.js';
import { toResult } from './engines/outcome.js';
import { type ExploreFlags, resolveExploreOptions } from './options.js';
import type { RunResult } from './results/result.js';
import { CommandBudget, type SearchLimits, runToEnd, runYielding } from './engines/limits.js';
import type { EngineOutcome } from './engines/outcome.js';
import type { Progress } from './progress.js';

export interface CheckOptions extends ExploreFlags {
  parallelFrom?: number; // tests only: the narrowest level worker threads expand
  now?: () => number;
  onScenarioStart?: (s: CompiledScenario, index: number, count: number) => void;
  onProgress?: (p: Progress) => void;
  // the first violation of each property as the search finds it: from the first the verdict is
  // unsafe, whatever the rest of the search adds
  onViolation?: (v: { scenario: string; index: number; property: string; steps: number; states: number }) => void;
  // budgets of the whole command (the CLI's --time and --max-memory) and its interrupt flag
  timeMs?: number | null;
  time?: string | null; // the time budget as the user wrote it
  maxMemory?: number | null; // bytes
  memoryUsed?: () => number;
  heapFull?: () => boolean;
  interrupted?: () => boolean;
}

export function* exploreScenarioSteps(s: CompiledScenario, opts: CheckOptions, limits?: SearchLimits, at = { index: 0, count: 1 }): Generator<void, RunResult> {
  const o = resolveExploreOptions(s, opts);
  const model = new Model(s, { maxFaults: o.maxFaults });
  const t0 = opts.now ? opts.now() : null;
  const out: EngineOutcome = yield* exploreSteps(model, {
    maxDepth: o.maxDepth ?? Infinity,
    maxStates: o.maxStates,
    symmetry: o.symmetry,
    failFast: o.failFast,
    workers: o.workers,
    parallelFrom: opts.parallelFrom,
    fingerprints: o.fingerprints,
    onViolation: opts.onViolation ? (property, steps, states) => opts.onViolation!({ scenario: s.file, index: at.index, property, steps, states }) : undefined,
    now: opts.now,
    onProgress: opts.onProgress
      ? (p) => opts.onProgress!({ engine: 'explore', scenario: s.file, ...at, states: p.states, steps: p.transitions, depth: p.depth, runs: 0, totalRuns: null, found: p.found, elapsedMs: t0 === null ? 0 : opts.now!() - t0, budgetMs: opts.timeMs ?? null })
      : undefined,
    limits,
  });
  // how many threads ran it is not part of what was checked: results are equal for any number
  const { workers: _workers, ...recorded } = o;
  return toResult(model, out, 'explore', recorded, null);
}

export function exploreScenario(s: CompiledScenario, opts: CheckOptions = {}, limits?: SearchLimits, at?: { index: number; count: number }): RunResult {
  return runToEnd(exploreScenarioSteps(s, opts, limits, at));
}

// As exploreScenario, giving the event loop a turn now and then (signals, progress).
export function exploreScenarioAsync(s: CompiledScenario, opts: CheckOptions = {}, limits?: SearchLimits, at?: { index: number; count: number }): Promise<RunResult> {
  return runYielding(exploreScenarioSteps(s, opts, limits, at));
}

export function commandBudget(opts: CheckOptions): CommandBudget {
  return new CommandBudget({ now: opts.now, ms: opts.timeMs, time: opts.time, interrupted: opts.interrupted, memoryUsed: opts.memoryUsed, maxMemory: opts.maxMemory, heapFull: opts.heapFull });
}

// Every scenario is loaded (and so validated) before any is explored: a bad file stops the
// run before anything is written.
export function loadAll(paths: string[], opts: ExploreFlags = {}): CompiledScenario[] {
  const files = paths.flatMap((p) => listScenarioFiles(p));
  return files.map((f) => loadScenarioFile(f, { maxFaults: opts.maxFaults, maxDepth: opts.maxDepth }));
}

export function check(paths: string | string[], opts: CheckOptions = {}): RunResult[] {
  const scenarios = loadAll(Array.isArray(paths) ? paths : [paths], opts);
  const budget = commandBudget(opts);
  return scenarios.map((s, i) => {
    opts.onScenarioStart?.(s, i, scenarios.length);
    return exploreScenario(s, opts, budget.limitsFor(scenarios.length - i), { index: i, count: scenarios.length });
  });
}

// check for a caller on the event loop. After an interrupt, the scenarios not yet explored
// still get a result: inconclusive, cut at once, so the result set names every file.
export async function checkAsync(paths: string | string[], opts: CheckOptions = {}): Promise<RunResult[]> {
  const scenarios = loadAll(Array.isArray(paths) ? paths : [paths], opts);
  const budget = commandBudget(opts);
  const out: RunResult[] = [];
  for (let i = 0; i < scenarios.length; i++) {
    opts.onScenarioStart?.(scenarios[i], i, scenarios.length);
    out.push(await exploreScenarioAsync(scenarios[i], opts, budget.limitsFor(scenarios.length - i), { index: i, count: scenarios.length }));
  }
  return out;
}

export { passed } from './results/verdict.js';
