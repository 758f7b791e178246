// The property-based engine: fast-check generates command sequences (model-based testing with
// fc.commands) that drive the operator, faults and workload through the model, and checks
// every property after every step. A failure is shrunk by fast-check, then re-minimised by a
// breadth-first search (minimize.ts) when the outcome is built.
//
// fast-check stops at the first failure, so a campaign runs in rounds: round r targets the
// properties not yet violated, with its own seed derived from the campaign's. A failure's
// replay token ({seed, path, replayPath} plus the round's targets) re-runs exactly that round.
import fc from 'fast-check';
import { type Ev, type Model, type PropertyHit, type World, EVENT_KINDS } from '../../model/model.js';
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
  onProgress?: (p: { runs: number; worlds: number; steps: number; found: number }) => void;
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

// event kinds the walker treats specially (their index in EVENT_KINDS)
const K_REMEDIATE = EVENT_KINDS.indexOf('remediate');
const K_ROLLBACK = EVENT_KINDS.indexOf('decide-rollback');

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
  private choices: Ev[] | null = null;
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

  // The enabled event a command naming `target` takes here: the target itself when enabled,
  // else the enabled event of the same kind on the nearest node (then keyring), so a command
  // keeps its meaning ("stop a node", "a rotation starts") when shrinking removes the ones
  // before it. undefined: nothing of that kind can happen here.
  pick(target: Ev): Ev | undefined {
    if (this.path.length >= this.maxDepth) return undefined;
    this.choices ??= this.model.enabledEvents(this.w);
    const m = this.model;
    const kind = m.kindOf(target);
    // the operator rolls back when the plan says so, or when a verification has failed
    if (kind === K_ROLLBACK && this.opSteps < this.rollbackAfter && !this.choices.some((e) => m.kindOf(e) === K_REMEDIATE)) return undefined;
    let best: Ev | undefined;
    let bestCost = Infinity;
    for (const e of this.choices) {
      if (m.kindOf(e) !== kind) continue;
      if (e === target) return e;
      const cost = Math.abs(m.nodeOf(e) - m.nodeOf(target)) * 256 + Math.abs(m.keyringOf(e) - m.keyringOf(target));
      if (cost < bestCost) {
        best = e;
        bestCost = cost;
      }
    }
    return best;
  }

  take(target: Ev, times: number): void {
    for (let i = 0; i < times; i++) {
      const e = this.pick(target);
      if (e === undefined) return;
      this.takeOne(e);
    }
  }

  private takeOne(e: Ev): void {
    this.stats.take(this.w, e);
    if (this.model.label(e).actor === 'operator' && !this.model.isRollbackDecision(e)) this.opSteps++;
    const next = this.model.next(this.w, e);
    this.path.push(e);
    this.stats.visit(next, this.path.length, this.w);
    const hits = [...this.model.edgeViolations(this.w, next), ...this.model.stateViolations(next)];
    this.w = next;
    this.choices = null;
    this.judge(hits);
  }

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


// The operator's plan: roll back after this many of its own steps (past the runbook's length:
// once the upgrade is done). Without a plan, a rollback command early in a sequence would
// almost always cut the upgrade short before it reached the dangerous late positions.
// Half the plans roll back only once the upgrade is done: the most dangerous moment.
function planArbitrary(model: Model): fc.Arbitrary<number> {
  const n = runbookLength(model);
  return fc.oneof(fc.constant(n), fc.nat(n + 1));
}

// A command names the event it takes (kind, node, keyring: an event of the model's alphabet),
// so fast-check's shrinking keeps its meaning; see Walker.pick for where it is not enabled.
class Cmd implements fc.Command<Walker, unknown> {
  constructor(
    readonly target: Ev,
    readonly name: string,
    readonly times = 1,
  ) {}
  check(m: Readonly<Walker>): boolean {
    return (m as Walker).pick(this.target) !== undefined;
  }
  run(m: Walker): void {
    m.take(this.target, this.times);
  }
  toString(): string {
    return `${this.name}${this.times > 1 ? ` x${this.times}` : ''}`;
  }
}

function eventName(model: Model, e: Ev): string {
  const l = model.label(e);
  return [l.type, l.node, l.keyring].filter(Boolean).join('@');
}

// The operator moves most often, sometimes several steps in one command: fast-check's
// 'medium' sequences (up to 100 commands, half of them skipped where they cannot apply) are
// otherwise too short to get through a whole fleet and then into a rollback. Faults are drawn
// with the scenario's weights.
function commandArbitrary(model: Model): fc.Arbitrary<Cmd> {
  const of = (actor: string, rollback: boolean) => model.events.filter((e) => model.label(e).actor === actor && model.isRollbackDecision(e) === rollback);
  const cmd = (e: Ev, times = 1) => new Cmd(e, eventName(model, e), times);
  const operator = of('operator', false);
  const rollback = of('operator', true);
  const faults = of('fault', false);
  const environment = of('environment', false);
  const weight = (e: Ev) => model.s.faults.find((f) => f.name === model.label(e).type)?.weight ?? 1;
  const parts: fc.WeightedArbitrary<Cmd>[] = [];
  if (operator.length) parts.push({ weight: 12, arbitrary: fc.tuple(fc.constantFrom(...operator), fc.integer({ min: 1, max: 4 })).map(([e, k]) => cmd(e, k)) });
  if (faults.length) parts.push({ weight: 4, arbitrary: fc.oneof(...faults.map((e) => ({ weight: Math.max(1, Math.round(weight(e) * 100)), arbitrary: fc.constant(e) }))).map((e) => cmd(e)) });
  if (environment.length) parts.push({ weight: 4, arbitrary: fc.constantFrom(...environment).map((e) => cmd(e)) });
  // gated by the plan (Walker.pick), so it can be drawn often without cutting runs short
  if (rollback.length) parts.push({ weight: 4, arbitrary: fc.constantFrom(...rollback).map((e) => cmd(e)) });
  return fc.oneof(...parts);
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
    const arb = fc.commands([commandArbitrary(model)], { size: 'medium', maxCommands: 2 * o.maxDepth, replayPath: o.replay?.replayPath });
    const prop = fc.asyncProperty(planArbitrary(model), arb, async (plan, cmds) => {
      if (++sinceYield >= yieldEvery) {
        sinceYield = 0;
        await new Promise<void>((r) => setImmediate(r));
        o.onProgress?.({ runs: runs + 1, worlds: stats.worlds, steps: stats.modelSteps, found: tokens.length });
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
    o.onProgress?.({ runs, worlds: stats.worlds, steps: stats.modelSteps, found: tokens.length });
    if (o.replay) break;
  }
  return { stats, tokens, runs, rounds, interrupted };
}
