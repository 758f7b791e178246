// The chaos engine: many seeded random walks through the model. A walk is the operator working
// through the runbook while faults and workload strike at random, with the scenario's fault
// weights. As in FoundationDB's "buggify", each run arms only a random subset of the faults
// and turns their rate up or down, and armed faults are several times likelier while a runbook
// step is under way (a node half-upgraded, a rollback in progress) than before or after it:
// that is where they hurt. Run i is a pure function of (scenario, options, seed, i), so any
// run can be re-run alone, and a campaign split over workers or shards finds the same things.
import seedrandom from 'seedrandom';
import type { Ev, Model, PropertyHit, World } from '../../model/model.js';
import { liveness } from './liveness.js';
import { WalkStats, type WalkStatsData } from './walk-stats.js';

export interface ChaosConfig {
  seed: number;
  maxDepth: number;
}

// How much likelier an armed fault is while the runbook is under way, and how much likelier
// faults and environment events (a rotation completing) are while a node is out of service
// between its stop and its start: the moments where they hurt most.
export const BUGGIFY_RUNBOOK = 1.5;
export const BUGGIFY_NODE_DOWN = 3;
// Chance per step that a walk stops once the runbook has ended (later steps still matter: a
// cache flush after a rollback can expose an unreadable record).
const STOP_AFTER_END = 0.15;

const enum Cls {
  Step,
  Remediate,
  Rollback,
  Fault,
  Write,
  Environment,
}

interface Alphabet {
  cls: Cls[];
  faultWeight: number[]; // the scenario's weight for fault events, 0 for the others
  faultIndex: number[]; // index of the fault in scenario.faults, -1 for other events
  upgradeSteps: number; // operator steps of an undisturbed upgrade
  rollbackIdx: number; // the operator's decision to roll back, in model.events (-1: none)
  // scratch buffers reused by every walk of this model (their contents never outlive a step)
  enabledIdx: Int32Array;
  weights: Float64Array;
  stepOn: Uint8Array;
  since: Int32Array;
  duration: Int32Array;
}

const alphabets = new WeakMap<Model, Alphabet>();
function alphabetOf(model: Model): Alphabet {
  let a = alphabets.get(model);
  if (a) return a;
  const cls: Cls[] = [];
  const faultWeight: number[] = [];
  const faultIndex: number[] = [];
  for (const e of model.events) {
    const type = model.label(e).type;
    const spec = model.s.faults.findIndex((f) => f.name === type);
    faultIndex.push(model.isFault(e) ? spec : -1);
    faultWeight.push(spec >= 0 ? model.s.faults[spec].weight : 0);
    cls.push(
      type === 'step' ? Cls.Step
      : type === 'remediate' ? Cls.Remediate
      : type === 'decide-rollback' ? Cls.Rollback
      : model.isFault(e) ? Cls.Fault
      : type === 'write' ? Cls.Write
      : Cls.Environment,
    );
  }
  const n = model.events.length;
  a = {
    cls,
    faultWeight,
    faultIndex,
    upgradeSteps: runbookLength(model),
    rollbackIdx: cls.indexOf(Cls.Rollback),
    enabledIdx: new Int32Array(n),
    weights: new Float64Array(n),
    stepOn: new Uint8Array(n),
    since: new Int32Array(n),
    duration: new Int32Array(n),
  };
  alphabets.set(model, a);
  return a;
}

// How many operator steps the runbook takes when nothing goes wrong: the operator takes the
// first enabled step until the runbook ends. Sizes rollback plans for any runbook.
export function runbookLength(model: Model): number {
  let w = model.initial();
  let n = 0;
  while (!model.isEnded(w) && n < model.s.bounds.maxDepth) {
    const i = model.events.findIndex((e) => model.label(e).type === 'step' && model.isEnabled(w, e));
    if (i < 0) break;
    w = model.next(w, model.events[i]);
    n++;
  }
  return Math.max(1, n);
}

// Per-run knobs drawn from the run's own generator ("swarm testing": different runs stress
// different mixes), and rates that switch regime at random moments during the run: many bugs
// need a quiet stretch followed by a busy one (an operator who moves fast through one node and
// slowly through the next, writes that start only after a rollback has begun).
interface Profile {
  // per stretch of the run (0: before the runbook starts, 1: while it runs, 2: after it
  // ended), per scenario fault: whether that fault can strike then
  armed: boolean[][];
  // The operator's own decision to roll back is a plan, not a coin flipped at every step: at
  // a per-step rate any rollback would come early, and late rollbacks (after the whole fleet
  // runs the new release, the dangerous ones) would almost never be tried. The plan is "after
  // this many runbook steps", or (0) "a few events after the upgrade is done", or never (-1).
  rollbackAfter: number;
  delay: number; // events between the end of the upgrade and a rollback planned for then
}

const RATES = [
  [0.5, 1.5, 4], // operator
  [0, 0.2, 1], // writes, per node
  [0.05, 0.3, 1], // faults (times the scenario's weight)
] as const;
const REGIME_SWITCH = 0.15; // chance per step that one rate changes
const OPERATOR = 0;
const WRITES = 1;
const FAULTS = 2;

// Processes in flight (a key rotation, a backend outage) last a random number of events once
// they can end, drawn from a wide range: their end then falls anywhere in the runbook with
// similar odds, instead of almost always within the next few steps as a per-step rate gives.
function drawDuration(a: Alphabet, rng: () => number): number {
  return rng() < 0.5 ? Math.floor(rng() * 4) : Math.floor(rng() * (a.upgradeSteps * 1.5 + 1));
}

function drawRate(which: number, rng: () => number): number {
  return RATES[which][Math.floor(rng() * 3)];
}

function profile(model: Model, a: Alphabet, rng: () => number): Profile {
  const armed = [0, 1, 2].map(() => model.s.faults.map(() => rng() < 0.4));
  const plan = rng();
  const rollbackAfter = plan < 0.3 ? -1 : plan < 0.65 ? 0 : 1 + Math.floor(rng() * a.upgradeSteps);
  const delay = Math.floor(rng() * 8);
  return { armed, rollbackAfter, delay };
}

export function runRng(seed: number, run: number): () => number {
  return seedrandom.alea(`${seed}:${run}`);
}

// One walk in progress: made once per walk, then only its fields change from step to step.
interface Walk {
  run: number;
  rng: () => number;
  profile: Profile;
  rate: number[]; // per row of RATES: the rate of the current regime
  w: World;
  spare: World; // two buffers in turn: the hot loop allocates no worlds
  planned: boolean; // the profile's rollback is still to come
  opSteps: number; // runbook steps the operator has taken
  endedAt: number; // depth at which the runbook last ended (-1: it is not ended)
  nodeDown: boolean; // the operator stopped a node and has not started it yet
  totalWeight: number; // of the events weighed for this step
  path: Ev[];
  seen: string[]; // properties already found in this run
}

// One walk. Findings go into stats (first hit per property in this run).
// `stop` (a budget or an interrupt) is asked every 65,536 steps: a walk thousands of steps
// long must not hold a Ctrl-C or a time budget hostage.
export function chaosWalk(model: Model, cfg: ChaosConfig, run: number, stats: WalkStats, stop?: () => boolean): void {
  const a = alphabetOf(model);
  const walk = startWalk(model, a, cfg, run, stats);
  for (let depth = 0; depth < cfg.maxDepth; depth++) {
    if ((depth & 0xffff) === 0xffff && stop?.()) break;
    const i = chooseEvent(model, a, walk, depth);
    if (i < 0) break;
    takeEvent(model, a, walk, stats, i, depth);
    if (stopsAfterEnd(model, a, walk)) break;
  }
  judgeEventually(model, walk, stats);
  stats.runs++;
}

function startWalk(model: Model, a: Alphabet, cfg: ChaosConfig, run: number, stats: WalkStats): Walk {
  const rng = runRng(cfg.seed, run);
  const p = profile(model, a, rng);
  a.since.fill(-1); // depth at which an in-flight process could first end
  const w = model.initial();
  const walk: Walk = {
    run,
    rng,
    profile: p,
    rate: RATES.map((_, i) => drawRate(i, rng)),
    w,
    spare: new Int32Array(w.length),
    planned: p.rollbackAfter >= 0,
    opSteps: 0,
    endedAt: -1,
    nodeDown: false,
    totalWeight: 0,
    path: [],
    seen: [],
  };
  stats.visit(w, 0);
  for (const hit of model.stateViolations(w)) record(walk, stats, hit.property, hit);
  return walk;
}

function record(walk: Walk, stats: WalkStats, property: string, hit: PropertyHit): void {
  if (walk.seen.includes(property)) return;
  walk.seen.push(property);
  stats.found({ property, hit, events: walk.path.slice(), run: walk.run });
}

// The event this step takes (its index in model.events), drawn by weight among the enabled
// ones; -1 when none is.
function chooseEvent(model: Model, a: Alphabet, walk: Walk, depth: number): number {
  const { rng, rate } = walk;
  if (rng() < REGIME_SWITCH) {
    const which = Math.floor(rng() * RATES.length);
    rate[which] = drawRate(which, rng);
  }
  const ended = model.isEnded(walk.w);
  if (!ended) walk.endedAt = -1;
  else if (walk.endedAt < 0) walk.endedAt = depth;
  const n = weighEvents(model, a, walk, depth, ended);
  if (n === 0) return -1;
  const { weights } = a;
  let r = rng() * walk.totalWeight;
  let pick = 0;
  while (pick < n - 1 && r >= weights[pick]) r -= weights[pick++];
  return a.enabledIdx[pick];
}

// Fills a.enabledIdx and a.weights with the events that can be taken now and their weights,
// and returns how many there are (their sum in walk.totalWeight).
function weighEvents(model: Model, a: Alphabet, walk: Walk, depth: number, ended: boolean): number {
  const { enabledIdx, weights, stepOn, since, duration } = a;
  const { w, rate, profile: p, planned, opSteps, endedAt, nodeDown } = walk;
  const events = model.events;
  const stretch = opSteps === 0 ? 0 : ended ? 2 : 1;
  const boost = nodeDown ? BUGGIFY_NODE_DOWN : opSteps > 0 && !ended ? BUGGIFY_RUNBOOK : 1;
  let n = 0;
  let total = 0;
  let steps = 0;
  for (let i = 0; i < events.length; i++) {
    stepOn[i] = a.cls[i] === Cls.Step && model.isEnabled(w, events[i]) ? 1 : 0;
    steps += stepOn[i];
  }
  let remediable = false;
  for (let i = 0; i < events.length; i++) {
    let wt: number;
    switch (a.cls[i]) {
      case Cls.Step:
        wt = steps > 0 ? rate[OPERATOR] / steps : 0;
        break;
      case Cls.Remediate:
        wt = rate[OPERATOR];
        remediable = model.isEnabled(w, events[i]);
        break;
      case Cls.Rollback:
        // planned, or the runbook's answer to a failed verification (as likely as remediating)
        wt = !planned ? 0
          : p.rollbackAfter > 0 && opSteps >= p.rollbackAfter ? 16
          : p.rollbackAfter === 0 && ended && depth - endedAt >= p.delay ? 16
          : 0;
        if (wt === 0 && remediable) wt = rate[OPERATOR];
        break;
      case Cls.Fault:
        wt = p.armed[stretch][a.faultIndex[i]] ? a.faultWeight[i] * rate[FAULTS] * boost : 0;
        break;
      case Cls.Write:
        wt = rate[WRITES];
        break;
      default:
        if (!model.isEnabled(w, events[i])) {
          since[i] = -1;
          continue;
        }
        if (since[i] < 0) {
          since[i] = depth;
          duration[i] = drawDuration(a, walk.rng);
        }
        wt = depth - since[i] >= duration[i] ? 16 : 0;
    }
    if (wt <= 0 || (a.cls[i] === Cls.Step ? stepOn[i] === 0 : !model.isEnabled(w, events[i]))) continue;
    enabledIdx[n] = i;
    weights[n] = wt;
    total += wt;
    n++;
  }
  walk.totalWeight = total;
  return n;
}

// Takes event i: the operator's progress, then the step itself, and the properties it breaks
// on the way (edge) or in the world it leads to (state).
function takeEvent(model: Model, a: Alphabet, walk: Walk, stats: WalkStats, i: number, depth: number): void {
  const e = model.events[i];
  const w = walk.w;
  const cls = a.cls[i];
  if (cls === Cls.Step) {
    const step = model.stepName(w, e);
    if (step === 'stop') walk.nodeDown = true;
    else if (step === 'start') walk.nodeDown = false;
    walk.opSteps++;
  } else if (cls === Cls.Rollback) {
    walk.planned = false;
    walk.nodeDown = false;
  }
  stats.take(w, e);
  const nw = model.nextInto(w, e, walk.spare);
  walk.path.push(e);
  for (const hit of model.edgeViolations(w, nw)) record(walk, stats, hit.property, hit);
  stats.visit(nw, depth + 1, w);
  for (const hit of model.stateViolations(nw)) record(walk, stats, hit.property, hit);
  walk.spare = w;
  walk.w = nw;
}

// Once the runbook has ended, a walk stops with some chance per step, unless the profile's
// rollback for after the upgrade has not had its turn yet.
function stopsAfterEnd(model: Model, a: Alphabet, walk: Walk): boolean {
  if (!model.isEnded(walk.w)) return false;
  walk.nodeDown = false;
  const waiting = walk.planned && walk.profile.rollbackAfter === 0 && a.rollbackIdx >= 0 && model.isEnabled(walk.w, model.events[a.rollbackIdx]);
  return !waiting && walk.rng() < STOP_AFTER_END;
}

// eventually properties: the set of worlds that cannot reach the goal is closed under every
// event, so judging the walk's last world is enough
function judgeEventually(model: Model, walk: Walk, stats: WalkStats): void {
  for (const def of model.eventually) {
    if (walk.seen.includes(def.name)) continue;
    const cost = { steps: 0 };
    if (liveness(model, walk.w, cost, { goal: (x) => model.reachedGoal(def, x) }) === 'stuck') record(walk, stats, def.name, model.stuckHit(def));
    stats.modelSteps += cost.steps;
  }
}

export function chaosBatch(model: Model, cfg: ChaosConfig, runs: number[], stop?: () => boolean): WalkStatsData {
  const stats = new WalkStats(model);
  for (const r of runs) {
    if (stop?.()) break;
    chaosWalk(model, cfg, r, stats, stop);
  }
  return stats.toData();
}

// The run indices a shard owns, in order: k, k+n, k+2n, ... below `runs` (unbounded: null).
export function* shardRuns(shard: { index: number; count: number }, runs: number | null): Generator<number> {
  for (let i = shard.index; runs === null || i < runs; i += shard.count) yield i;
}
