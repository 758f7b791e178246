// User-facing options for exploring a scenario, documented once (OPTION_DOCS, printed by the
// CLI's help and copied into the README) and resolved once: flag, else scenario file, else
// default.
import type { CompiledScenario } from '../model/types.js';
import { availableParallelism } from 'node:os';
import { DEFAULT_BOUNDS } from '../model/scenario/compile.js';

export interface ExploreFlags {
  maxDepth?: number;
  maxFaults?: number;
  maxStates?: number;
  symmetry?: boolean;
  failFast?: boolean;
  workers?: number;
  fingerprints?: boolean;
}

export interface ResolvedExploreOptions {
  maxDepth: number | null; // null: no depth bound (the search ends when the space does)
  maxFaults: number;
  maxStates: number;
  symmetry: boolean;
  failFast: boolean;
  workers: number; // threads the search uses, this one included; never recorded in a result
  fingerprints: boolean;
}

// One thread decides which successors are new, so past a few threads more only cost memory
// (each has its own heap and copy of the model)
const DEFAULT_WORKERS_MAX = 4;

export const OPTION_DOCS = {
  maxDepth: 'deepest trace explored, in events (scenario bounds.max-depth; default: none, the space is finite and states, memory and time bound it)',
  maxFaults: `most faults in one run (scenario faults.budget; default ${DEFAULT_BOUNDS.maxFaults})`,
  maxStates: `stop after this many distinct states (scenario bounds.max-states; default ${DEFAULT_BOUNDS.maxStates})`,
  failFast: 'stop at the first violation, with its shortest trace (breadth-first), and skip the rest of the space and the liveness and rollback analyses: a CI gate\'s verdict in the least time',
  fingerprints:
    'keep a 64-bit fingerprint per state instead of the state (TLC-style hash compaction), for spaces too large for memory: violations found are real, but the verdict is never safe (a fingerprint collision, whose probability is printed, may hide states) and runbook-terminates and the point of no return, which need the whole state graph, are not checked',
  symmetry: 'explore every node on its own instead of treating the nodes of a component as interchangeable (slower; the same verdicts)',
  workers: `threads the search uses, this one included (default: one per core, at most ${DEFAULT_WORKERS_MAX}); the answer (states, traces, result file) is the same for any number; a fail-fast or fingerprint search uses one`,
  time: 'time budget for the whole command, e.g. 90s, 10m, 1h, shared by its scenarios; a search it cuts is inconclusive and keeps what it found (default: none)',
  maxMemory: 'memory budget, e.g. 4GiB or 800MiB; a search that reaches it ends inconclusive and keeps what it found (default: half of this machine\'s memory)',
} as const;

export function resolveExploreOptions(s: CompiledScenario, flags: ExploreFlags): ResolvedExploreOptions {
  return {
    maxDepth: flags.maxDepth ?? s.bounds.fileMaxDepth,
    maxFaults: flags.maxFaults ?? s.bounds.maxFaults,
    maxStates: flags.maxStates ?? s.bounds.maxStates,
    symmetry: flags.symmetry ?? true,
    failFast: flags.failFast ?? false,
    workers: flags.workers ?? Math.min(availableParallelism(), DEFAULT_WORKERS_MAX),
    fingerprints: flags.fingerprints ?? false,
  };
}

// Options of the random engines (fuzz, chaos). A campaign is a function of the scenario, these
// options and the seed; the time budget only decides how much of it runs.
export interface CampaignFlags {
  seed?: number;
  runs?: number;
  timeMs?: number;
  maxDepth?: number;
  maxFaults?: number;
}

export interface ResolvedCampaignOptions {
  seed: number;
  runs: number | null; // null: as many as the time budget allows
  time: string | null; // the budget as given, e.g. "30s"
  maxDepth: number;
  maxFaults: number;
}

export const CAMPAIGN_DEFAULTS = { seed: 1, fuzzRuns: 10_000, chaosRuns: 50_000 } as const;

export const CAMPAIGN_OPTION_DOCS = {
  seed: `seed of the campaign; the same seed and options give the same result (default ${CAMPAIGN_DEFAULTS.seed})`,
  fuzzRuns: `generated command sequences per scenario (default ${CAMPAIGN_DEFAULTS.fuzzRuns}, or unlimited when --time is given)`,
  chaosRuns: `random walks per scenario, numbered from 0; --shard takes its share of them (default ${CAMPAIGN_DEFAULTS.chaosRuns}, or unlimited when --time is given)`,
  time: 'time budget for the whole command, e.g. 90s, 10m, 1h, shared by its scenarios; when it runs out the results found so far are written, marked partial (default: none; the run counts bound the campaign)',
  maxDepth: 'most events in one run (scenario bounds.max-depth)',
  maxFaults: 'most faults in one run (scenario faults.budget)',
  workers: 'worker threads on this machine (default 1); results do not depend on it',
  shard: 'run only shard k of n (e.g. 2/4) of the runs, for CI jobs in parallel; `rollsafe merge` combines the shards',
} as const;

export function resolveCampaignOptions(s: CompiledScenario, flags: CampaignFlags, defaultRuns: number): ResolvedCampaignOptions {
  return {
    seed: flags.seed ?? CAMPAIGN_DEFAULTS.seed,
    // an explicit time budget without a run count means "run until the time is up"
    runs: flags.runs ?? (flags.timeMs !== undefined ? null : defaultRuns),
    time: flags.timeMs !== undefined ? formatDuration(flags.timeMs) : null,
    maxDepth: flags.maxDepth ?? s.bounds.maxDepth,
    maxFaults: flags.maxFaults ?? s.bounds.maxFaults,
  };
}

// "90s", "10m", "1h30m", "1500ms" or plain seconds -> milliseconds; null when unreadable.
export function parseDuration(text: string): number | null {
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    end = re.lastIndex;
  }
  return end === text.length && end > 0 ? Math.round(total) : null;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

// The options a recorded run ran with, read back from its result (validated by the result
// schema on load), so `replay --twice` runs the engine again exactly as it ran.
export interface RecordedRun {
  engine: 'explore' | 'fuzz' | 'chaos';
  seed: number | undefined;
  runs: number; // runs the campaign did (its own bound, or what the time budget allowed)
  maxDepth: number; // Infinity: a search with no depth bound
  maxFaults: number;
  maxStates: number | undefined;
  symmetry: boolean | undefined;
  fingerprints: boolean | undefined;
  shard: { index: number; count: number } | undefined; // index from 0
  run: number | undefined;
  properties: string[] | undefined;
  replay: { path: string; replayPath: string } | undefined;
}

export function recordedRun(r: { engine: RecordedRun['engine']; seed: number | null; options: Record<string, unknown>; figures: { statesPerDepth: number[]; runs?: number } }): RecordedRun {
  const o = r.options;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const shard = typeof o.shard === 'string' ? o.shard.split('/').map(Number) : null;
  return {
    engine: r.engine,
    seed: r.seed ?? undefined,
    // results written before figures.runs existed: every walk or sequence starts at depth 0
    runs: num(o.runs) ?? r.figures.runs ?? r.figures.statesPerDepth[0] ?? 0,
    // an exhaustive search records null for "no depth bound"; a campaign always has one
    maxDepth: num(o.maxDepth) ?? (r.engine === 'explore' ? Infinity : DEFAULT_BOUNDS.maxDepth),
    maxFaults: num(o.maxFaults) ?? DEFAULT_BOUNDS.maxFaults,
    maxStates: num(o.maxStates),
    symmetry: typeof o.symmetry === 'boolean' ? o.symmetry : undefined,
    fingerprints: typeof o.fingerprints === 'boolean' ? o.fingerprints : undefined,
    shard: shard ? { index: shard[0] - 1, count: shard[1] } : undefined,
    run: num(o.run),
    properties: Array.isArray(o.properties) ? (o.properties as string[]) : undefined,
    replay: o.replay && typeof o.replay === 'object' ? (o.replay as { path: string; replayPath: string }) : undefined,
  };
}
