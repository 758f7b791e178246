// Random campaigns over scenario files: the library's `fuzz` and `chaos`. Loads scenarios,
// shares the time budget between them, runs the engine, and turns its outcome into the common
// RunResult, with a replay command on every violation. The clock and the interrupt flag are
// injected (the CLI passes performance.now and its SIGINT handler); without a clock there is no
// time budget, only run counts.
import type { CompiledScenario } from '../model/types.js';
import { Model } from '../model/model.js';
import { loadAll, passed } from './check.js';
import { type ChaosConfig, shardRuns } from './engines/chaos.js';
import { type BatchRunner, inThreadRunner, startWorkerPool } from './engines/chaos-pool.js';
import type { FuzzToken } from './engines/fuzz.js';
import { CAMPAIGN_DEFAULTS, type CampaignFlags, type ResolvedCampaignOptions, formatDuration, resolveCampaignOptions } from './options.js';
import { toResult } from './engines/outcome.js';
import type { RunResult } from './results/result.js';
import { WalkStats, campaignOutcome, type FindingNote } from './engines/walk-stats.js';
import { CommandBudget } from './engines/limits.js';
import type { Progress } from './progress.js';

// kept for callers of the library that named it: campaigns report the one Progress shape
export type CampaignProgress = Progress;

export interface CampaignOptions extends CampaignFlags {
  now?: () => number;
  signal?: { readonly aborted: boolean };
  maxMemory?: number | null; // bytes; with memoryUsed, ends a campaign (and its shortening) that reaches it
  memoryUsed?: () => number;
  heapFull?: () => boolean;
  onScenarioStart?: (s: CompiledScenario, index: number, count: number) => void;
  onProgress?: (p: CampaignProgress) => void;
}

export interface ChaosCampaignOptions extends CampaignOptions {
  workers?: number;
  shard?: { index: number; count: number }; // index from 0
  run?: number; // run only this run index (what a violation's replay command does)
  batch?: number; // runs per batch handed to a worker
}

export interface FuzzCampaignOptions extends CampaignOptions {
  properties?: string[]; // look only for these
  replay?: { path: string; replayPath: string }; // with seed: re-run one fast-check failure
}

// A time or memory budget or an interrupt cut the campaign: the result holds what was found.
export { INTERRUPTED, isCut as isPartial } from './engines/limits.js';

// With a time budget, the walks of a scenario get this share of its time; the rest is kept
// for shortening the traces they found (which also stops at the budget).
const WALK_SHARE = 0.8;

// A campaign passes when it met its scenario's expectation, or, with none, found nothing
// after running at all: the one rule of check.ts, which knows random engines prove nothing.
export const campaignPassed = passed;

const q = (s: string) => (/^[\w./:=,@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function bounds(o: ResolvedCampaignOptions): string {
  return `--max-depth ${o.maxDepth} --max-faults ${o.maxFaults}`;
}

function attachReplay(r: RunResult, cmd: (property: string) => { command: string; token: Record<string, unknown> } | null, notes: FindingNote[]): void {
  for (const v of r.violations) {
    const rp = cmd(v.property);
    const note = notes.find((n) => n.property === v.property);
    if (rp) v.replay = { ...rp, foundLength: note?.rawLength ?? v.trace.length - 1, minimal: note?.minimal ?? false };
  }
}

async function forEachScenario(paths: string | string[], opts: CampaignOptions, body: (s: CompiledScenario, i: number, n: number, budget: CommandBudget) => Promise<RunResult>): Promise<RunResult[]> {
  const scenarios = loadAll(Array.isArray(paths) ? paths : [paths], opts);
  // no time budget unless asked for: the default run counts bound a campaign, per scenario
  const ms = opts.timeMs ?? null;
  const budget = new CommandBudget({
    now: opts.now,
    ms,
    time: ms !== null ? formatDuration(ms) : null,
    interrupted: () => opts.signal?.aborted ?? false,
    memoryUsed: opts.memoryUsed,
    maxMemory: opts.maxMemory,
    heapFull: opts.heapFull,
  });
  const out: RunResult[] = [];
  for (let i = 0; i < scenarios.length; i++) {
    opts.onScenarioStart?.(scenarios[i], i, scenarios.length);
    out.push(await body(scenarios[i], i, scenarios.length, budget));
  }
  return out;
}

export function chaos(paths: string | string[], opts: ChaosCampaignOptions = {}): Promise<RunResult[]> {
  return forEachScenario(paths, opts, (s, i, n, budget) => chaosScenario(s, opts, budget, i, n));
}

async function chaosScenario(s: CompiledScenario, opts: ChaosCampaignOptions, budget: CommandBudget, index: number, count: number): Promise<RunResult> {
  const o = resolveCampaignOptions(s, opts, CAMPAIGN_DEFAULTS.chaosRuns);
  const model = new Model(s, { maxFaults: o.maxFaults });
  const shard = opts.shard ?? { index: 0, count: 1 };
  const cfg: ChaosConfig = { seed: o.seed, maxDepth: o.maxDepth };
  const runs = opts.run !== undefined ? [opts.run][Symbol.iterator]() : shardRuns(shard, o.runs);
  const total = opts.run !== undefined ? 1 : o.runs === null ? null : Math.ceil(Math.max(0, o.runs - shard.index) / shard.count);
  const workers = Math.max(1, opts.workers ?? 1);
  const walkLimits = budget.limitsFor(count - index, WALK_SHARE);
  const stop = () => walkLimits.check();
  const runner: BatchRunner = workers > 1 ? startWorkerPool(s, { maxFaults: o.maxFaults }, cfg, workers) : inThreadRunner(model, cfg, () => stop() !== null);
  // workers cannot see the clock or a signal: this thread watches and tells them
  const watch = setInterval(() => {
    if (stop()) runner.stop();
  }, 50);
  const stats = new WalkStats(model);
  const t0 = budget.elapsed();
  let stopped: string | null = null;
  const batchSize = opts.batch ?? (workers > 1 ? 1024 : 128);
  const lane = async () => {
    for (;;) {
      if (stopped || (stopped = stop())) return;
      const batch: number[] = [];
      for (let r = runs.next(); !r.done; r = batch.length < batchSize ? runs.next() : { done: true, value: undefined }) {
        batch.push(r.value);
        if (batch.length >= batchSize) break;
      }
      if (batch.length === 0) return;
      stats.add(await runner.run(batch));
      opts.onProgress?.({ engine: 'chaos', scenario: s.file, index, count, states: stats.worlds, steps: stats.modelSteps, depth: null, runs: stats.runs, totalRuns: total, found: stats.findings.size, elapsedMs: budget.elapsed(), budgetMs: budget.ms });
    }
  };
  try {
    await Promise.all(Array.from({ length: runner.lanes }, lane));
  } finally {
    clearInterval(watch);
    await runner.close();
  }
  const boundsHit = stopped ? [stopped] : [opts.run !== undefined ? `run ${opts.run} only` : `runs ${o.runs}`];
  const { outcome, notes } = await campaignOutcome(model, stats, { boundsHit, elapsedMs: budget.elapsed() - t0, maxStates: s.bounds.maxStates, limits: budget.finishingLimits(count - index) });
  const options: Record<string, unknown> = { ...o, ...(shard.count > 1 ? { shard: `${shard.index + 1}/${shard.count}` } : {}), ...(opts.run !== undefined ? { run: opts.run } : {}) };
  const r = toResult(model, outcome, 'chaos', options, o.seed);
  attachReplay(r, (p) => {
    const note = notes.find((x) => x.property === p);
    if (!note) return null;
    return { command: `rollsafe chaos ${q(s.file)} --seed ${o.seed} --run ${note.run} ${bounds(o)}`, token: { seed: o.seed, run: note.run } };
  }, notes);
  return r;
}

export function fuzz(paths: string | string[], opts: FuzzCampaignOptions = {}): Promise<RunResult[]> {
  return forEachScenario(paths, opts, (s, i, n, budget) => fuzzScenario(s, opts, budget, i, n));
}

async function fuzzScenario(s: CompiledScenario, opts: FuzzCampaignOptions, budget: CommandBudget, index: number, count: number): Promise<RunResult> {
  const o = resolveCampaignOptions(s, opts, CAMPAIGN_DEFAULTS.fuzzRuns);
  const model = new Model(s, { maxFaults: o.maxFaults });
  const walkLimits = budget.limitsFor(count - index, WALK_SHARE);
  const stop = () => walkLimits.check();
  let stopped: string | null = null;
  const t0 = budget.elapsed();
  const runsCap = o.runs ?? Number.MAX_SAFE_INTEGER;
  // fast-check is loaded by the runs that use it, not by every command's start-up
  const { fuzzModel } = await import('./engines/fuzz.js');
  const run = await fuzzModel(model, {
    seed: o.seed,
    runs: runsCap,
    maxDepth: o.maxDepth,
    targets: opts.properties,
    replay: opts.replay,
    shouldStop: () => (stopped ??= stop()) !== null,
    onProgress: (p) => opts.onProgress?.({ engine: 'fuzz', scenario: s.file, index, count, states: p.worlds, steps: p.steps, depth: null, runs: p.runs, totalRuns: o.runs, found: p.found, elapsedMs: budget.elapsed(), budgetMs: budget.ms }),
  });
  const boundsHit =
    stopped ? [stopped]
    : opts.replay ? ['replay of one failure']
    : run.runs >= runsCap ? [`runs ${o.runs}`]
    : [];
  const { outcome, notes } = await campaignOutcome(model, run.stats, { boundsHit, elapsedMs: budget.elapsed() - t0, maxStates: s.bounds.maxStates, limits: budget.finishingLimits(count - index) });
  const options: Record<string, unknown> = { ...o, ...(opts.properties ? { properties: opts.properties } : {}), ...(opts.replay ? { replay: opts.replay } : {}) };
  const r = toResult(model, outcome, 'fuzz', options, o.seed);
  attachReplay(r, (p) => {
    const t: FuzzToken | undefined = run.tokens.find((x) => x.property === p);
    if (!t) return null;
    const command = `rollsafe fuzz ${q(s.file)} --seed ${t.seed} --path ${q(t.path)} --replay-path ${q(t.replayPath)} --properties ${t.targets.join(',')} ${bounds(o)}`;
    return { command, token: { seed: t.seed, path: t.path, replayPath: t.replayPath, properties: t.targets } };
  }, notes);
  return r;
}
