// Exhaustive breadth-first search over canonical worlds (nodes of a component are
// interchangeable, so one representative per symmetry class is kept). Finds the shortest
// counterexample for every property, checks runbook-terminates over the explored graph, works
// out the point of no return, and says which bound, if any, cut the search short.
import { type Ev, type Model, type PropertyHit, type World, EVENT_KINDS, PHASE_NAMES } from '../../model/model.js';
import { concretePath } from './trace.js';
import { GrowBytes, GrowInt32, REFUSED_BOUND, StateStore, isAllocationFailure, pathBack, reserveRoom } from './state-store.js';
import type { Coverage, NoReturnPoint } from '../results/result.js';
import { type EngineOutcome, type Finding, emptyCoverage } from './outcome.js';
import { combinationList, noReturnPoints, stuckStates } from './explore-analysis.js';
import { PositionCounts } from './position-counts.js';
import { NO_LIMITS, SERIES_MAX, type SearchLimits, runToEnd } from './limits.js';
import { type ExploredGraph, reverseAdjacency } from './explored-graph.js';

export interface ExploreOptions {
  maxDepth: number; // Infinity: the search ends when the space does
  maxStates: number;
  symmetry: boolean;
  // stop at the first violation: breadth-first, it has the shortest trace there is for its
  // property; the rest of the space, the liveness and rollback analyses are left out
  failFast: boolean;
  // the first violation of each property, as it is found (the verdict is unsafe from the first)
  onViolation?: (property: string, steps: number, states: number) => void;
  // injected clock (ms); engines never read the wall clock themselves
  now?: () => number;
  onProgress?: (p: { states: number; transitions: number; depth: number; found: number }) => void;
  // time budget, interrupt and memory budget; a cut search is inconclusive, with what it found
  limits?: SearchLimits;
}

export function explore(model: Model, opts: ExploreOptions): EngineOutcome {
  return runToEnd(exploreSteps(model, opts));
}

// The search as a generator that pauses every few thousand states, so that a caller on the
// event loop (the CLI) can let its signal handlers and progress display run in between; the
// pauses change nothing in what is explored.
export function* exploreSteps(model: Model, opts: ExploreOptions): Generator<void, EngineOutcome> {
  const now = opts.now ?? (() => 0);
  const limits = opts.limits ?? NO_LIMITS;
  const t0 = now();
  const safety = new Set(model.checked.filter((p) => p.category === 'safety').map((p) => p.name));

  const store = new StateStore(model.L.size);
  const parent = new GrowInt32();
  const via = new GrowInt32();
  const g: ExploredGraph = {
    states: 0,
    edgeStart: new Int32Array(0),
    edgeTo: new GrowInt32(),
    rollbackFrom: new GrowInt32(),
    rollbackTo: new GrowInt32(),
    position: new GrowInt32(),
    reason: new GrowInt32(),
    phase: new Uint8Array(0),
    expanded: new Uint8Array(0),
    bad: new Uint8Array(0),
    badIds: new GrowInt32(),
    badProperty: new GrowInt32(),
    badProperties: [],
  };
  // per state: its runbook phase, whether a safety property fails there, where its edges start
  const phase = new GrowBytes();
  const isBad = new GrowBytes();
  const firstEdge = new GrowInt32();
  // states [0, expandedBelow) have every successor added (ids go in breadth-first order), and
  // levelStarts[d] is the first id at depth d: no per-state depth or flag needs keeping
  let expandedBelow = 0;
  const levelStarts: number[] = [0];
  const findings = new Map<string, { hit: PropertyHit; path: Ev[] }>();
  const statesPerDepth: number[] = [];
  const eventCounts = new Float64Array(EVENT_KINDS.length);
  const enteredCounts = new Float64Array(PHASE_NAMES.length);
  const positions = new PositionCounts();
  const slot = new GrowInt32();
  const combos = model.meetingCounts();
  let transitions = 0;
  let deepest = 0;
  const boundsHit = new Set<string>();

  const pathTo = (id: number, extra?: Ev): Ev[] => pathBack(parent, via, id, extra);
  const markBad = (id: number, property: string) => {
    if (!safety.has(property) || isBad.a[id]) return;
    isBad.a[id] = 1;
    let k = g.badProperties.indexOf(property);
    if (k < 0) k = g.badProperties.push(property) - 1;
    g.badIds.push(id);
    g.badProperty.push(k);
  };
  // Every growable array gets its room before a state is expanded, so a search that reaches
  // the memory budget (or the machine's) ends between two states, with everything consistent.
  const growing = [parent, via, phase, isBad, firstEdge, g.position, slot, g.reason, g.edgeTo, g.rollbackFrom, g.rollbackTo, g.badIds, g.badProperty];
  const reserve = (n: number) => reserveRoom([store, ...growing], n, limits);
  const addState = (w: World, from: number, e: number, depth: number): number => {
    const id = store.add(w);
    parent.push(from);
    via.push(e);
    phase.push(model.phaseOf(w));
    const code = model.positionCode(w);
    g.position.push(code);
    slot.push(positions.slotOf(code));
    if (depth > deepest) deepest = depth;
    g.reason.push(model.reasonOf(w));
    isBad.push(0);
    const d = Math.min(depth, SERIES_MAX - 1);
    statesPerDepth[d] = (statesPerDepth[d] ?? 0) + 1;
    model.countMeetings(w, combos);
    for (const hit of model.stateViolations(w)) {
      markBad(id, hit.property);
      if (!findings.has(hit.property)) found(hit, pathTo(id));
    }
    return id;
  };
  const found = (hit: PropertyHit, path: Ev[]) => {
    findings.set(hit.property, { hit, path });
    opts.onViolation?.(hit.property, path.length, store.count);
  };

  const next = new Int32Array(model.L.size);
  const sorted = new Int32Array(model.L.size);
  const canon = (w: World) => (opts.symmetry ? model.canonicalInto(w, sorted) : w);
  if (reserve(1)) throw new RangeError('rollsafe: not even one world fits in memory');
  addState(canon(model.initial()), -1, 0, 0);
  let sinceCheck = 0;
  let untilReserve = 0;
  let checks = 0;
  const alphabet = model.events;
  // ids are handed out in BFS order, so [levelStart, levelEnd) is the current frontier
  let levelStart = 0;
  let depth = 0;

  const depthCut = depthBound(model, opts.maxDepth);
  let stoppedEarly = opts.failFast && findings.size > 0;
  outer: while (levelStart < store.count && !stoppedEarly) {
    const levelEnd = store.count;
    levelStarts.push(levelEnd); // where the states this level adds begin
    if (depth >= depthCut.depth) {
      if (frontierMoves(model, store, levelStart, levelEnd)) boundsHit.add(depthCut.bound);
      break;
    }
    const w = new Int32Array(model.L.size);
    for (let id = levelStart; id < levelEnd; id++) {
      // the limits are asked every few states; a big world makes each state slow, hence 64
      if (++sinceCheck >= 64) {
        sinceCheck = 0;
        const cut = limits.check();
        if (cut) {
          boundsHit.add(cut);
          break outer;
        }
        if (++checks % 16 === 0) {
          opts.onProgress?.({ states: store.count, transitions, depth, found: findings.size });
          yield;
        }
      }
      // room for the next 64 expansions at once: each adds at most one state and one edge per event
      if (--untilReserve <= 0) {
        const cut = reserve(64 * alphabet.length);
        if (cut) {
          boundsHit.add(cut);
          break outer;
        }
        untilReserve = 64;
      }
      store.read(id, w);
      firstEdge.push(g.edgeTo.n);
      const at = slot.a[id];
      for (let j = 0; j < alphabet.length; j++) {
        const e = alphabet[j];
        if (!model.isEnabled(w, e)) continue;
        const nw = model.nextInto(w, e, next);
        transitions++;
        const kind = model.kindOf(e);
        eventCounts[kind]++;
        const toPhase = model.phaseOf(nw);
        if (toPhase !== model.phaseOf(w)) enteredCounts[toPhase]++;
        positions.add(at, kind);
        for (const hit of model.edgeViolations(w, nw)) {
          markBad(id, hit.property);
          if (!findings.has(hit.property)) found(hit, pathTo(id, e));
        }
        const cw = canon(nw);
        let to = store.find(cw);
        if (to < 0) {
          if (store.count >= opts.maxStates) {
            boundsHit.add(`max-states ${opts.maxStates}`);
            // some successors of this state were never added: liveness must not call it stuck
            break outer;
          }
          to = addState(cw, id, e, depth + 1);
        }
        g.edgeTo.push(to);
        if (model.isRollbackDecision(e)) {
          g.rollbackFrom.push(id);
          g.rollbackTo.push(to);
        }
      }
      expandedBelow = id + 1;
      if (opts.failFast && findings.size > 0) {
        stoppedEarly = true;
        break outer;
      }
    }
    levelStart = levelEnd;
    depth++;
    opts.onProgress?.({ states: store.count, transitions, depth, found: findings.size });
  }

  g.states = store.count;
  g.phase = phase.a.subarray(0, g.states);
  g.bad = isBad.a.subarray(0, g.states);

  // a fail-fast search has its verdict: graph analyses of the part explored would only mislead
  let livenessUnknown = true;
  let pointOfNoReturn: NoReturnPoint[] = [];
  if (!stoppedEarly) {
    const done = analyseGraph(model, g, store, { expandedBelow, firstEdge, levelStarts }, (name) => findings.has(name));
    if (done) {
      livenessUnknown = done.livenessUnknown;
      for (const [def, id] of done.stuck) findings.set(def.name, { hit: model.stuckHit(def), path: pathTo(id) });
      pointOfNoReturn = done.pointOfNoReturn;
    } else boundsHit.add(REFUSED_BOUND);
  }
  const coverage = coverageOf(model, g, { eventCounts, enteredCounts, positions, combos });

  const elapsedMs = now() - t0;
  const result: Finding[] = [];
  for (const [property, f] of findings) result.push({ property, hit: f.hit, events: opts.symmetry ? concretePath(model, f.path) : f.path });
  return {
    findings: result,
    states: g.states,
    transitions,
    depth: deepest,
    statesPerDepth,
    elapsedMs,
    complete: boundsHit.size === 0 && !stoppedEarly,
    boundsHit: [...boundsHit],
    stoppedEarly,
    livenessUnknown,
    coverage,
    pointOfNoReturn,
  };
}

// A state at the depth bound with a move left: the bound cut something.
function frontierMoves(model: Model, store: StateStore, from: number, to: number): boolean {
  for (let id = from; id < to; id++) if (model.enabledEvents(store.copy(id)).length > 0) return true;
  return false;
}

// Liveness and the point of no return, over the graph the search kept. They need memory of
// their own (the reverse graph): a search that ended because the system refused an allocation
// may find none left, and then keeps its findings without them (null).
function analyseGraph(
  model: Model,
  g: ExploredGraph,
  store: StateStore,
  bfs: { expandedBelow: number; firstEdge: GrowInt32; levelStarts: number[] },
  found: (property: string) => boolean,
): { livenessUnknown: boolean; stuck: ReturnType<typeof stuckStates>['stuck']; pointOfNoReturn: NoReturnPoint[] } | null {
  // ids are breadth-first: a state's depth is the level whose id range holds it
  const { levelStarts } = bfs;
  const depthOf = (id: number) => {
    let lo = 0;
    let hi = levelStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (levelStarts[mid] <= id) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  try {
    g.expanded = new Uint8Array(g.states).fill(1, 0, bfs.expandedBelow);
    g.edgeStart = new Int32Array(g.states + 1).fill(g.edgeTo.n);
    g.edgeStart.set(bfs.firstEdge.a.subarray(0, bfs.firstEdge.n));
    const rev = reverseAdjacency(g);
    const { stuck, livenessUnknown } = stuckStates(model, g, rev, (i) => store.view(i), depthOf, found);
    return { livenessUnknown, stuck, pointOfNoReturn: noReturnPoints(model, g, rev) };
  } catch (e) {
    if (!isAllocationFailure(e)) throw e;
    return null;
  }
}

function coverageOf(
  model: Model,
  g: ExploredGraph,
  counts: { eventCounts: Float64Array; enteredCounts: Float64Array; positions: PositionCounts; combos: ReturnType<Model['meetingCounts']> },
): Coverage {
  const coverage = emptyCoverage();
  EVENT_KINDS.forEach((name, k) => {
    if (counts.eventCounts[k]) coverage.events[name] = counts.eventCounts[k];
  });
  counts.positions.fill(model, coverage);
  counts.enteredCounts.forEach((count, phase) => {
    if (count) coverage.phasesEntered[PHASE_NAMES[phase]] = count;
  });
  for (let i = 0; i < g.states; i++) coverage.phases[PHASE_NAMES[g.phase[i]]] = (coverage.phases[PHASE_NAMES[g.phase[i]]] ?? 0) + 1;
  coverage.combinations = combinationList(model, counts.combos);
  return coverage;
}

// The depth the search may not pass, and the bound it names then: the user's max-depth, or,
// with none, the depth past which a record count could outgrow its slot (never reached by a
// scenario within the schema's ranges and a runbook of sane length).
// The text is made only when the bound is hit: toLocaleString's first call sets up the locale
// data (about 10 ms), which a search that never gets there should not pay.
function depthBound(model: Model, maxDepth: number): { depth: number; readonly bound: string } {
  if (maxDepth <= model.countSafeDepth) return { depth: maxDepth, bound: `max-depth ${maxDepth}` };
  const depth = model.countSafeDepth;
  return {
    depth,
    get bound() {
      return `record counts: a run deeper than ${depth.toLocaleString('en-US')} events could pass 2,147,483,647 records in one slot`;
    },
  };
}
