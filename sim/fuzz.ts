// The property-based engine: fast-check generates command sequences (model-based testing with
// fc.commands) that drive the operator, faults and workload through the model, and checks
// every property after every step. A failure is shrunk by fast-check, then re-minimised by a
// breadth-first search (minimize.ts) when the outcome is built.
//
// fast-check stops at the first failure, so a campaign runs in rounds: round r targets the
// properties not yet violated, with its own seed derived from the campaign's. A failure's
// replay token ({seed, path, replayPath} plus the round's targets) re-runs exactly that round.
import fc from 'fast-check';
import type { Ev, Model, PropertyHit, World } from '../model/model.js';
import { liveness } from './liveness.js';
import { runbookLength } from './chaos.js';
import { WalkStats } from './walk-stats.js';

export interface FuzzOptions {
  seed: number;
  runs: number; // predicate runs over all rounds (shrinking runs not counted)
  maxDepth: number; // most commands in one sequence
  targets?: string[]; // properties to look for (default: every checked property)
  // replay one failure: run only the round with this seed, from this fast-check path
  replay?: { path: string; replayPath: string };
  shouldStop?: () => boolean; // time budget or interrupt, decided by the caller's clock
  onProgress?: (p: { runs: number; steps: number; found: number }) => void;
  // lets the event loop run (signals, progress) every so many predicate runs
  yieldEvery?: number;
}

export interface FuzzToken {
  property: string;
  seed: number;
  path: string;
  replayPath: string;
  targets: string[];
}

export interface FuzzRun {
  stats: WalkStats;
  tokens: FuzzToken[];
  runs: number;
  rounds: number;
  interrupted: boolean;
}

type Cls = 'operator' | 'rollback' | 'fault' | 'environment';

class Violated extends Error {
  constructor(readonly hit: PropertyHit) {
    super(`${hit.property}: ${hit.detail}`);
  }
}

// fast-check's model: the world a command sequence has reached.
class Walker {
  w: World;
  path: Ev[] = [];
  opSteps = 0;
  private choices: Map<Cls, Ev[]> | null = null;
  constructor(
    readonly model: Model,
    readonly targets: Set<string>,
    readonly maxDepth: number,
    readonly stats: WalkStats,
    readonly rollbackAfter: number,
  ) {
    this.w = model.initial();
    stats.visit(this.w, 0);
    this.judge(model.stateViolations(this.w));
  }

  options(cls: Cls): Ev[] {
    if (!this.choices) {
      const m = new Map<Cls, Ev[]>([['operator', []], ['rollback', []], ['fault', []], ['environment', []]]);
      for (const e of this.model.enabledEvents(this.w)) m.get(classOf(this.model, e))!.push(e);
      this.choices = m;
    }
    if (this.path.length >= this.maxDepth) return [];
    const out = this.choices.get(cls)!;
    // the operator rolls back when the plan says so, or when a verification has failed
    if (cls === 'rollback' && out.length > 0 && this.opSteps < this.rollbackAfter && !this.choices.get('operator')!.some((e) => this.model.label(e).type === 'remediate')) return [];
    return out;
  }

  take(cls: Cls, n: number, times: number): void {
    for (let i = 0; i < times && this.options(cls).length > 0; i++) this.takeOne(cls, n);
  }

  private takeOne(cls: Cls, n: number): void {
    const opts = this.options(cls);
    const e = cls === 'fault' ? weightedFault(this.model, opts, n) : opts[n % opts.length];
    this.stats.take(this.w, e);
    if (cls === 'operator') this.opSteps++;
    const next = this.model.next(this.w, e);
    this.path.push(e);
    this.stats.visit(next, this.path.length, this.w);
    const hits = [...this.model.edgeViolations(this.w, next), ...this.model.stateViolations(next)];
    this.w = next;
    this.choices = null;
    this.judge(hits);
  }

  // eventually properties are judged on the last world (see chaos.ts)
  finish(): void {
    for (const def of this.model.eventually) {
      if (!this.targets.has(def.name)) continue;
      const cost = { steps: 0 };
      const verdict = liveness(this.model, this.w, cost, { goal: (x) => this.model.reachedGoal(def, x) });
      this.stats.modelSteps += cost.steps;
      if (verdict === 'stuck') throw new Violated(this.model.stuckHit(def));
    }
  }

  private judge(hits: readonly PropertyHit[]): void {
    const hit = hits.find((h) => this.targets.has(h.property));
    if (hit) throw new Violated(hit);
  }
}

function classOf(model: Model, e: Ev): Cls {
  const { type, actor } = model.label(e);
  if (type === 'decide-rollback') return 'rollback';
  return actor === 'operator' ? 'operator' : actor === 'fault' ? 'fault' : 'environment';
}

// Faults are chosen with the scenario's weights: n is a point on [0, 65536).
function weightedFault(model: Model, opts: Ev[], n: number): Ev {
  const weight = (e: Ev) => model.s.faults.find((f) => f.name === model.label(e).type)?.weight ?? 1;
  const total = opts.reduce((a, e) => a + weight(e), 0);
  let r = ((n % 65536) / 65536) * total;
  for (const e of opts) {
    r -= weight(e);
    if (r < 0) return e;
  }
  return opts[opts.length - 1];
}

// The operator's plan: roll back after this many of its own steps (past the runbook's length:
// once the upgrade is done). Without a plan, a rollback command early in a sequence would
// almost always cut the upgrade short before it reached the dangerous late positions.
// Half the plans roll back only once the upgrade is done: the most dangerous moment.
function planArbitrary(model: Model): fc.Arbitrary<number> {
  const n = runbookLength(model);
  return fc.oneof(fc.constant(n), fc.nat(n + 1));
}

class Cmd implements fc.Command<Walker, unknown> {
  constructor(
    readonly cls: Cls,
    readonly n: number,
    readonly times = 1,
  ) {}
  check(m: Readonly<Walker>): boolean {
    return (m as Walker).options(this.cls).length > 0;
  }
  run(m: Walker): void {
    m.take(this.cls, this.n, this.times);
  }
  toString(): string {
    return `${this.cls}(${this.n}${this.times > 1 ? ` x${this.times}` : ''})`;
  }
}

// The operator moves most often, sometimes several steps in one command: fast-check's
// 'medium' sequences (up to 100 commands, half of them skipped where they cannot apply) are
// otherwise too short to get through a whole fleet and then into a rollback.
function commandArbitrary(): fc.Arbitrary<Cmd> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.tuple(fc.nat(255), fc.integer({ min: 1, max: 4 })).map(([n, k]) => new Cmd('operator', n, k)) },
    { weight: 4, arbitrary: fc.nat(65535).map((n) => new Cmd('fault', n)) },
    { weight: 4, arbitrary: fc.nat(255).map((n) => new Cmd('environment', n)) },
    // gated by the plan (Walker.options), so it can be drawn often without cutting runs short
    { weight: 4, arbitrary: fc.constant(new Cmd('rollback', 0)) },
  );
}

// A plugin in the style of fc.interruptAfterTimeLimit, but driven by the caller's clock and
// interrupt flag: the engine itself never reads the time.
function interruptWhen<Ts>(stop: () => boolean): fc.Plugin<Ts> {
  return () => ({
    decorateRun: (nested) => (value) => (stop() ? Promise.resolve(new fc.PreconditionFailure(true)) : nested(value)) as ReturnType<typeof nested>,
  });
}

// Seeds for successive rounds: distinct, deterministic, 32-bit.
export function roundSeed(seed: number, round: number): number {
  return (seed + Math.imul(round, 0x9e3779b9)) | 0;
}

export function execute(model: Model, targets: Set<string>, maxDepth: number, stats: WalkStats, plan: number, cmds: Iterable<fc.Command<Walker, unknown>>): { path: Ev[]; hit: PropertyHit | null } {
  const walker = new Walker(model, targets, maxDepth, stats, plan);
  try {
    fc.modelRun(() => ({ model: walker, real: {} }), cmds);
    walker.finish();
    return { path: walker.path, hit: null };
  } catch (e) {
    if (e instanceof Violated) return { path: walker.path, hit: e.hit };
    throw e;
  }
}

export async function fuzzModel(model: Model, o: FuzzOptions): Promise<FuzzRun> {
  const stats = new WalkStats(model);
  const checked = model.checked.map((p) => p.name);
  const targets = new Set(o.targets ?? checked);
  const stop = o.shouldStop ?? (() => false);
  const yieldEvery = o.yieldEvery ?? 64;
  const tokens: FuzzToken[] = [];
  let runs = 0;
  let rounds = 0;
  let interrupted = false;
  let sinceYield = 0;
  while (targets.size > 0 && runs < o.runs && !interrupted) {
    const seed = o.replay ? o.seed : roundSeed(o.seed, rounds);
    const roundTargets = [...targets];
    // commands that cannot run where they land are skipped, so a sequence needs room beyond the depth
    const arb = fc.commands([commandArbitrary()], { size: 'medium', maxCommands: 2 * o.maxDepth, replayPath: o.replay?.replayPath });
    const prop = fc.asyncProperty(planArbitrary(model), arb, async (plan, cmds) => {
      if (++sinceYield >= yieldEvery) {
        sinceYield = 0;
        await new Promise<void>((r) => setImmediate(r));
        o.onProgress?.({ runs: runs + 1, steps: stats.modelSteps, found: tokens.length });
      }
      const { hit } = execute(model, targets, o.maxDepth, stats, plan, cmds);
      stats.runs++;
      if (hit) throw new Violated(hit);
    });
    const details = await fc.check(prop, {
      seed,
      numRuns: o.runs - runs,
      path: o.replay?.path,
      endOnFailure: false,
      plugins: [interruptWhen<[number, Iterable<fc.Command<Walker, unknown>>]>(stop)],
    });
    rounds++;
    runs += details.numRuns;
    interrupted = details.interrupted;
    if (!details.failed || !details.counterexample) break;
    // Re-run the shrunk counterexample on a fresh walker: the path and the property come
    // from the model, not from fast-check's error text.
    const [plan, cmds] = details.counterexample as [number, Iterable<Cmd> & { toString(): string }];
    const again = execute(model, targets, o.maxDepth, new WalkStats(model), plan, cmds);
    if (!again.hit) throw new Error(`fuzz: the shrunk counterexample of round ${rounds} did not fail again: the model is not deterministic`);
    const replayPath = /replayPath="([^"]*)"/.exec(cmds.toString())?.[1] ?? '';
    stats.found({ property: again.hit.property, hit: again.hit, events: again.path, run: rounds - 1 });
    tokens.push({ property: again.hit.property, seed, path: details.counterexamplePath ?? '', replayPath, targets: roundTargets });
    targets.delete(again.hit.property);
    o.onProgress?.({ runs, steps: stats.modelSteps, found: tokens.length });
    if (o.replay) break;
  }
  return { stats, tokens, runs, rounds, interrupted };
}
