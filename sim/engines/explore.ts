// Exhaustive breadth-first search over canonical worlds (nodes of a component are
// interchangeable, so one representative per symmetry class is kept). Finds the shortest
// counterexample for every property, checks runbook-terminates over the explored graph, works
// out the point of no return, and says which bound, if any, cut the search short.
import { type Ev, type Model, type PropertyHit, type World, EVENT_KINDS, PHASE_NAMES } from '../../model/model.js';
import { concretePath } from './trace.js';
import { GrowBytes, GrowInt32, REFUSED_BOUND, StateStore, isAllocationFailure, pathBack, reserveRoom } from './state-store.js';
import type { NoReturnPoint } from '../results/result.js';
import type { EngineOutcome, Finding } from './outcome.js';
import { coverageOf, noReturnPoints, stuckStates } from './explore-analysis.js';
import { PositionCounts } from './position-counts.js';
import { NO_LIMITS, SERIES_MAX, type SearchLimits, runToEnd } from './limits.js';
import { type ExploredGraph, reverseAdjacency } from './explored-graph.js';
import { EDGE_INTS, type ExpandedBatch, Expander, batchSize } from './expand.js';
import { type ExplorePool, LevelBatches, startExplorePool } from './explore-pool.js';
import { DiscardBytes, DiscardInt32, FINGERPRINT_BITS, FingerprintStore, type WorldStore, collisionBound } from './fingerprint-store.js';

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
  // threads the search may use, this one included (default 1); the answer does not depend on it
  workers?: number;
  // the narrowest level other threads expand (default PARALLEL_FROM): tests set 1 to send
  // every level through the workers
  parallelFrom?: number;
  // keep a 64-bit fingerprint per world, not the world (sim/engines/fingerprint-store.ts): no
  // graph is kept, so runbook-terminates and the point of no return are not worked out
  fingerprints?: boolean;
}

// Levels narrower than this are expanded here: a batch's messages would cost more than it saves
const PARALLEL_FROM = 2048;
const NO_HITS: readonly PropertyHit[] = [];

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

  // with fingerprints, only the parent links are kept per state: the graph's lists discard.
  // A fail-fast search wants its first few thousand states, not threads to start, and a
  // fingerprint search keeps no worlds for other threads to read.
  const threads = opts.failFast || opts.fingerprints ? 1 : Math.max(1, opts.workers ?? 1);
  const exact = opts.fingerprints ? null : new StateStore(model.L.size, undefined, threads > 1);
  const store: WorldStore = exact ?? new FingerprintStore(model.L.size);
  const ints = () => (exact ? new GrowInt32() : new DiscardInt32());
  const bytes = () => (exact ? new GrowBytes() : new DiscardBytes());
  const parent = new GrowInt32();
  const via = new GrowInt32();
  const g: ExploredGraph = {
    states: 0,
    edgeStart: new Int32Array(0),
    edgeTo: ints(),
    rollbackFrom: ints(),
    rollbackTo: ints(),
    position: ints(),
    reason: ints(),
    phase: new Uint8Array(0),
    expanded: new Uint8Array(0),
    bad: new Uint8Array(0),
    badIds: ints(),
    badProperty: ints(),
    badProperties: [],
  };
  // per state: its runbook phase, whether a safety property fails there, where its edges start
  const phase = bytes();
  const isBad = bytes();
  const firstEdge = ints();
  // distinct states by phase, and the phases in the order first met (the coverage's key order)
  const phaseCounts = new Float64Array(PHASE_NAMES.length);
  const phaseOrder: number[] = [];
  // states [0, expandedBelow) have every successor added (ids go in breadth-first order), and
  // levelStarts[d] is the first id at depth d: no per-state depth or flag needs keeping
  let expandedBelow = 0;
  const levelStarts: number[] = [0];
  const findings = new Map<string, { hit: PropertyHit; path: Ev[] }>();
  const statesPerDepth: number[] = [];
  const eventCounts = new Float64Array(EVENT_KINDS.length);
  const enteredCounts = new Float64Array(PHASE_NAMES.length);
  const positions = new PositionCounts();
  const slot = ints();
  const combos = model.meetingCounts();
  let transitions = 0;
  let deepest = 0;
  const boundsHit = new Set<string>();
  let stopped = false;

  const pathTo = (id: number, extra?: Ev): Ev[] => pathBack(parent, via, id, extra);
  const markBad = (id: number, property: string) => {
    if (!exact || !safety.has(property) || isBad.a[id]) return;
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
  const addState = (w: World, from: number, e: number, depth: number): number => recordState(store.add(w), w, from, e, depth);
  // what the search keeps of a state just added to the store
  const recordState = (id: number, w: World, from: number, e: number, depth: number): number => {
    parent.push(from);
    via.push(e);
    const ph = model.phaseOf(w);
    phase.push(ph);
    if (phaseCounts[ph]++ === 0) phaseOrder.push(ph);
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

  // A step out of state `id` by event e: the counts, and the violations on the step itself.
  const step = (id: number, at: number, fromPhase: number, e: Ev, toPhase: number, hits: readonly PropertyHit[]) => {
    transitions++;
    const kind = model.kindOf(e);
    eventCounts[kind]++;
    if (toPhase !== fromPhase) enteredCounts[toPhase]++;
    positions.add(at, kind);
    for (const hit of hits) {
      markBad(id, hit.property);
      if (!findings.has(hit.property)) found(hit, pathTo(id, e));
    }
  };
  const link = (id: number, e: Ev, to: number) => {
    g.edgeTo.push(to);
    if (model.isRollbackDecision(e)) {
      g.rollbackFrom.push(id);
      g.rollbackTo.push(to);
    }
  };
  const full = () => {
    boundsHit.add(`max-states ${opts.maxStates}`);
    // some successors of this state were never added: liveness must not call it stuck
    return false;
  };
  // The one-thread expansion of state `id`; false: the state budget ended the search.
  const w = new Int32Array(model.L.size);
  const expandHere = (id: number): boolean => {
    store.read(id, w);
    const at = exact ? slot.a[id] : positions.slotOf(model.positionCode(w));
    const fromPhase = model.phaseOf(w);
    for (let j = 0; j < alphabet.length; j++) {
      const e = alphabet[j];
      if (!model.isEnabled(w, e)) continue;
      const nw = model.nextInto(w, e, next);
      step(id, at, fromPhase, e, model.phaseOf(nw), model.edgeViolations(w, nw));
      const cw = canon(nw);
      let to = store.find(cw);
      if (to < 0) {
        if (store.count >= opts.maxStates) return full();
        to = addState(cw, id, e, depth + 1);
      }
      link(id, e, to);
    }
    return true;
  };
  // The same for state `id` from a batch another thread expanded: edges [k, k + n) of it.
  const size = model.L.size;
  const added = new Int32Array(size);
  let hitAt = 0;
  const expandedThere = (id: number, b: ExpandedBatch, k: number, n: number): boolean => {
    const at = slot.a[id];
    const fromPhase = phase.a[id];
    for (let x = k; x < k + n; x++) {
      const q = x * EDGE_INTS;
      const e = alphabet[b.edges[q]];
      const hits = hitAt < b.hits.length && b.hits[hitAt][0] === x ? b.hits[hitAt++][1] : NO_HITS;
      step(id, at, fromPhase, e, b.edges[q + 1], hits);
      const h = b.edges[q + 2];
      let to = exact!.findHashed(b.worlds, h, x * size);
      if (to < 0) {
        if (store.count >= opts.maxStates) return full();
        // a new world into a buffer of its own: the store and the model take whole worlds
        for (let i = 0, from = x * size; i < size; i++) added[i] = b.worlds[from + i];
        to = recordState(exact!.addHashed(added, h), added, id, e, depth + 1);
      }
      link(id, e, to);
    }
    return true;
  };

  let pool: ExplorePool | null | undefined; // undefined: not started yet; null: none to be had
  let here: Expander | null = null;
  try {
    const depthCut = depthBound(model, opts.maxDepth);
    let stoppedEarly = opts.failFast && findings.size > 0;
    outer: while (levelStart < store.count && !stoppedEarly) {
      const levelEnd = store.count;
      levelStarts.push(levelEnd); // where the states this level adds begin
      if (depth >= depthCut.depth) {
        if (frontierMoves(model, store, levelStart, levelEnd)) boundsHit.add(depthCut.bound);
        break;
      }
      // other threads expand a level wide enough to be worth the messages, once they are up
      const wide = threads > 1 && levelEnd - levelStart >= (opts.parallelFrom ?? PARALLEL_FROM);
      if (wide && pool === undefined) pool = startExplorePool(model, opts.symmetry, threads - 1);
      const batches = wide && pool && pool.ready() ? new LevelBatches(pool, exact!, (here ??= new Expander(model, opts.symmetry)), () => exact!.arenaChunks(), levelStart, levelEnd, batchSize(levelEnd - levelStart, threads, size)) : null;
      let batch: ExpandedBatch | null = null;
      let edge = 0;
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
        firstEdge.push(g.edgeTo.n);
        let room: boolean;
        if (batches) {
          const i = (id - levelStart) % batches.size;
          if (i === 0) {
            batch = batches.take((id - levelStart) / batches.size);
            edge = 0;
            hitAt = 0;
          }
          const n = batch!.edgesOf[i];
          room = expandedThere(id, batch!, edge, n);
          edge += n;
        } else room = expandHere(id);
        if (!room) break outer;
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
    stopped = stoppedEarly;
  } finally {
    pool?.close();
  }
  const stoppedEarly = stopped;

  g.states = store.count;
  g.phase = phase.a.subarray(0, g.states);
  g.bad = isBad.a.subarray(0, g.states);

  // a fail-fast search has its verdict: graph analyses of the part explored would only mislead
  let livenessUnknown = true;
  let pointOfNoReturn: NoReturnPoint[] = [];
  if (!stoppedEarly && exact) {
    const done = analyseGraph(model, g, exact, { expandedBelow, firstEdge, levelStarts }, (name) => findings.has(name));
    if (done) {
      livenessUnknown = done.livenessUnknown;
      for (const [def, id] of done.stuck) findings.set(def.name, { hit: model.stuckHit(def), path: pathTo(id) });
      pointOfNoReturn = done.pointOfNoReturn;
    } else boundsHit.add(REFUSED_BOUND);
  }
  const coverage = coverageOf(model, { eventCounts, enteredCounts, phaseCounts, phaseOrder, positions, combos });

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
    ...(exact ? {} : { fingerprints: { bits: FINGERPRINT_BITS, collisionProbability: collisionBound(g.states, transitions), notChecked: model.eventually.map((p) => p.name) } }),
  };
}

// A state at the depth bound with a move left: the bound cut something.
function frontierMoves(model: Model, store: WorldStore, from: number, to: number): boolean {
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
