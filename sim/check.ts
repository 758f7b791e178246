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

export interface CheckOptions extends ExploreFlags {
  now?: () => number;
  onScenarioStart?: (s: CompiledScenario, index: number, count: number) => void;
  onProgress?: (p: { states: number; depth: number; frontier: number }) => void;
  // budgets of the whole command (the CLI's --time and --max-memory) and its interrupt flag
  timeMs?: number | null;
  time?: string | null; // the time budget as the user wrote it
  maxMemory?: number | null; // bytes
  memoryUsed?: () => number;
  heapFull?: () => boolean;
  interrupted?: () => boolean;
}

function* exploreScenarioSteps(s: CompiledScenario, opts: CheckOptions, limits?: SearchLimits): Generator<void, RunResult> {
  const o = resolveExploreOptions(s, opts);
  const model = new Model(s, { maxFaults: o.maxFaults });
  const out: EngineOutcome = yield* exploreSteps(model, {
    maxDepth: o.maxDepth,
    maxStates: o.maxStates,
    symmetry: o.symmetry,
    stopWhenAllFound: false,
    now: opts.now,
    onProgress: opts.onProgress,
    limits,
  });
  return toResult(model, out, 'explore', { ...o }, null);
}

export function exploreScenario(s: CompiledScenario, opts: CheckOptions = {}, limits?: SearchLimits): RunResult {
  return runToEnd(exploreScenarioSteps(s, opts, limits));
}

// As exploreScenario, giving the event loop a turn now and then (signals, progress).
export function exploreScenarioAsync(s: CompiledScenario, opts: CheckOptions = {}, limits?: SearchLimits): Promise<RunResult> {
  return runYielding(exploreScenarioSteps(s, opts, limits));
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
    return exploreScenario(s, opts, budget.limitsFor(scenarios.length - i));
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
    out.push(await exploreScenarioAsync(scenarios[i], opts, budget.limitsFor(scenarios.length - i)));
  }
  return out;
}

export { passed } from './results/verdict.js';
