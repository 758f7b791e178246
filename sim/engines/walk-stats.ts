// What the random engines (fuzz, chaos) accumulate while they walk: counters for the result's
// figures and coverage, and the best raw counterexample per property. Every figure is a sum or
// a max and the best finding is a minimum under a total order, so batches can be combined in
// any order (worker threads, shards) and give the same totals.
import { type Ev, type Model, type PropertyHit, type World, EVENT_KINDS, PHASE_NAMES } from '../../model/model.js';
import { combinationList } from './explore-analysis.js';
import { type EngineOutcome, type Finding, countFault, countSteps, emptyCoverage } from './outcome.js';
import { minimizeSteps } from './minimize.js';
import { SERIES_MAX, type SearchLimits, runYielding } from './limits.js';

export interface RawFinding {
  property: string;
  hit: PropertyHit;
  events: Ev[]; // concrete, from model.initial()
  run: number; // chaos: run index; fuzz: round
}

// Plain data, so a batch's stats can cross a worker boundary with postMessage.
export interface WalkStatsData {
  runs: number;
  steps: number; // events taken by walks
  modelSteps: number; // every model.next the engine paid for, liveness checks included
  worlds: number; // worlds visited by walks (initial worlds included), not distinct
  deepest: number; // the greatest depth a walk reached
  statesPerDepth: number[];
  eventCounts: number[];
  stepCounts: [number, number][]; // runbook position code -> operator steps taken there
  faultCounts: [number, number][]; // kind * 2^24 + position code -> faults struck there
  phaseCounts: number[];
  enteredCounts: number[]; // per phase: steps that moved the runbook into it
  combos: number[];
  findings: RawFinding[];
}

const better = (a: RawFinding, b: RawFinding) => a.events.length < b.events.length || (a.events.length === b.events.length && a.run < b.run);

export class WalkStats {
  runs = 0;
  steps = 0;
  modelSteps = 0;
  worlds = 0;
  deepest = 0;
  statesPerDepth: number[] = [];
  eventCounts: number[] = new Array<number>(EVENT_KINDS.length).fill(0);
  stepCounts = new Map<number, number>();
  faultCounts = new Map<number, number>();
  phaseCounts: number[] = new Array<number>(PHASE_NAMES.length).fill(0);
  enteredCounts: number[] = new Array<number>(PHASE_NAMES.length).fill(0);
  combos: Float64Array;
  findings = new Map<string, RawFinding>();

  constructor(private readonly model: Model) {
    this.combos = model.meetingCounts();
  }

  // `from`: the world the step came from (none for a walk's initial world).
  visit(w: World, depth: number, from?: World): void {
    this.worlds++;
    if (depth > this.deepest) this.deepest = depth;
    if (from && this.model.phaseOf(from) !== this.model.phaseOf(w)) this.enteredCounts[this.model.phaseOf(w)]++;
    const d = Math.min(depth, SERIES_MAX - 1);
    this.statesPerDepth[d] = (this.statesPerDepth[d] ?? 0) + 1;
    this.phaseCounts[this.model.positionCode(w) >> 16]++;
    this.model.countMeetings(w, this.combos);
  }

  // Called before the event is applied, with the world it is applied to.
  take(w: World, e: Ev): void {
    this.steps++;
    this.modelSteps++;
    const kind = this.model.kindOf(e);
    this.eventCounts[kind]++;
    if (kind === 0) bump(this.stepCounts, this.model.positionCode(w));
    else if (this.model.isFault(e)) bump(this.faultCounts, kind * 16777216 + this.model.positionCode(w));
  }

  found(f: RawFinding): void {
    const old = this.findings.get(f.property);
    if (!old || better(f, old)) this.findings.set(f.property, f);
  }

  has(property: string): boolean {
    return this.findings.has(property);
  }

  toData(): WalkStatsData {
    return {
      runs: this.runs,
      steps: this.steps,
      modelSteps: this.modelSteps,
      worlds: this.worlds,
      deepest: this.deepest,
      statesPerDepth: this.statesPerDepth.map((x) => x ?? 0),
      eventCounts: this.eventCounts,
      stepCounts: [...this.stepCounts],
      faultCounts: [...this.faultCounts],
      phaseCounts: this.phaseCounts,
      enteredCounts: this.enteredCounts,
      combos: Array.from(this.combos),
      findings: [...this.findings.values()],
    };
  }

  add(d: WalkStatsData): void {
    this.runs += d.runs;
    this.steps += d.steps;
    this.modelSteps += d.modelSteps;
    this.worlds += d.worlds;
    this.deepest = Math.max(this.deepest, d.deepest);
    d.statesPerDepth.forEach((n, i) => (this.statesPerDepth[i] = (this.statesPerDepth[i] ?? 0) + n));
    d.eventCounts.forEach((n, i) => (this.eventCounts[i] += n));
    d.phaseCounts.forEach((n, i) => (this.phaseCounts[i] += n));
    d.enteredCounts.forEach((n, i) => (this.enteredCounts[i] += n));
    for (const [k, n] of d.stepCounts) bump(this.stepCounts, k, n);
    for (const [k, n] of d.faultCounts) bump(this.faultCounts, k, n);
    d.combos.forEach((n, i) => (this.combos[i] += n));
    for (const f of d.findings) this.found(f);
  }
}

function bump(m: Map<number, number>, k: number, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

export interface FindingNote {
  property: string;
  rawLength: number; // length of the path the engine found (after shrinking, for fuzz)
  minimal: boolean; // re-minimised by breadth-first search to the shortest possible
  run: number;
}

export interface CampaignOutcome {
  outcome: EngineOutcome;
  notes: FindingNote[];
}

// Turns accumulated stats into the common EngineOutcome. Each property's counterexample is
// re-minimised here, once, after all batches are in.
// The shortening searches honour the limits (time, interrupt, memory): one that is cut keeps
// the engine's own path, marked not minimal. They pause now and then so signals are seen.
export async function campaignOutcome(
  model: Model,
  stats: WalkStats,
  o: { boundsHit: string[]; elapsedMs: number; maxStates: number; limits?: SearchLimits },
): Promise<CampaignOutcome> {
  const findings: Finding[] = [];
  const notes: FindingNote[] = [];
  for (const raw of [...stats.findings.values()].sort((a, b) => (a.property < b.property ? -1 : 1))) {
    const shortened = await runYielding(minimizeSteps(model, raw.property, { maxStates: o.maxStates, maxDepth: raw.events.length, limits: o.limits }));
    const m = shortened && 'events' in shortened ? shortened : null;
    findings.push({ property: raw.property, hit: m ? m.hit : raw.hit, events: m ? m.events : raw.events });
    notes.push({ property: raw.property, rawLength: raw.events.length, minimal: m !== null, run: raw.run });
  }
  const coverage = emptyCoverage();
  stats.eventCounts.forEach((n, k) => {
    if (n) coverage.events[EVENT_KINDS[k]] = n;
  });
  for (const [code, n] of [...stats.stepCounts].sort((a, b) => a[0] - b[0])) countSteps(model, coverage, code, n);
  for (const [code, n] of [...stats.faultCounts].sort((a, b) => a[0] - b[0])) {
    const fault = EVENT_KINDS[Math.floor(code / 16777216)];
    countFault(model, coverage, fault, code % 16777216, n);
  }
  stats.phaseCounts.forEach((n, i) => {
    if (n) coverage.phases[PHASE_NAMES[i]] = n;
  });
  stats.enteredCounts.forEach((n, i) => {
    if (n) coverage.phasesEntered[PHASE_NAMES[i]] = n;
  });
  coverage.combinations = combinationList(model, stats.combos);
  const statesPerDepth = stats.statesPerDepth.map((x) => x ?? 0);
  return {
    outcome: {
      findings,
      states: stats.worlds,
      transitions: stats.steps,
      depth: stats.deepest,
      statesPerDepth,
      runs: stats.runs,
      elapsedMs: o.elapsedMs,
      complete: false, // a random campaign never proves safety
      boundsHit: o.boundsHit,
      stoppedEarly: false,
      livenessUnknown: true,
      coverage,
      pointOfNoReturn: [],
    },
    notes,
  };
}
