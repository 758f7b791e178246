// The minimal-set search: edit sets of size 1, then 2, ..., each checked for safety, keeping
// only sets no smaller safe set is part of. Most sets are unsafe, and cheaply shown so:
//  - a set is the original's data with the edits applied, validated and compiled, never read
//    back from YAML (reading is most of a load); a set that yields a scenario seen before is
//    skipped;
//  - a counterexample found for one set is replayed on the next ones first (the set's own
//    members' counterexamples, then the most recent ones that worked): if its events can still
//    happen and still reach a violation, that is a violation of this set too, found in
//    microseconds;
//  - otherwise the explorer's first-violation search (failFast) gives the verdict: it stops at
//    the first violation, and when there is none it has explored the whole space and run every
//    analysis of a full check (liveness, vacuity), so a safe set is never explored twice.
// No clock here: what may end the search early reaches it as injected limits.
import { Model, type World } from '../../model/model.js';
import { compileScenario } from '../../model/scenario/compile.js';
import { type ParsedScenario, ScenarioError } from '../../model/scenario/parse.js';
import { scenarioValidator } from '../../model/scenario/validator.js';
import type { CompiledScenario } from '../../model/types.js';
import type { CheckOptions } from '../check.js';
import { type ResolvedExploreOptions, resolveExploreOptions } from '../options.js';
import { exploreSteps } from '../engines/explore.js';
import { type EngineOutcome, toResult } from '../engines/outcome.js';
import { NO_LIMITS, type SearchLimits, isCut } from '../engines/limits.js';
import { liveness } from '../engines/liveness.js';
import type { EditKind, RunResult, SuggestSearch, SuggestionClass } from '../results/result.js';
import type { Edit } from './catalog.js';
import { type Op, applyToData } from './ops.js';
import { canonical } from './render.js';

const validate = await scenarioValidator();

/* eslint-disable @typescript-eslint/no-explicit-any */
type Raw = any;
type Label = { type: string; node?: string; keyring?: string };
// a counterexample: its events, and whether it ends where the runbook can no longer end
interface Cex {
  events: Label[];
  stuck: boolean;
}
// states a replayed stuck counterexample may search to show its last state still stuck
const STUCK_LIMIT = 5_000;

export const MAX_EDITS_LIMIT = 3;

export interface SearchOptions {
  maxEdits: number;
  explore: CheckOptions; // bounds, fault budget and clock of every exploration (failFast is the search's)
  overrides: { maxFaults?: number; maxDepth?: number };
  limits?: SearchLimits;
  onProgress?: (p: SearchProgress) => void;
}

export interface SearchProgress {
  size: number;
  sets: number; // tried so far, all sizes
  found: number;
}

export interface FoundSet {
  edits: Edit[]; // catalog order
  cls: SuggestionClass;
  lost: string[]; // sometimes properties the original reached and this set no longer does
  result: RunResult; // the full check
}

// Which edit kinds can bear on a property: the search tries those first, near the places the
// counterexamples pass through. Order only: every set is tried unless a budget ends the search.
const RELATED: Record<string, EditKind[]> = {
  'no-unknown-key-id-decrypt': ['before-you-start', 'rollback-guard', 'verify-step', 'stop-first', 'migrate-step', 'restore', 'strategy', 'move-stage', 'freeze-rotations', 'assume-no-fault'],
  'no-one-way-rollback': ['rollback-guard', 'restore', 'rollback-trigger', 'backup', 'migrate-step'],
  'no-unreadable-record': ['backup', 'restore', 'rollback-guard', 'verify-step', 'move-stage', 'assume-no-fault'],
  'no-premature-retirement': ['verify-step', 'move-stage', 'before-you-start', 'assume-no-fault'],
  'no-key-id-reuse': ['move-stage', 'verify-step', 'before-you-start'],
  'status-encrypt-agreement': ['before-you-start', 'freeze-rotations', 'verify-step', 'assume-no-fault'],
  'key-id-agreement': ['verify-step', 'before-you-start', 'assume-no-fault'],
  'supported-path': ['before-you-start', 'rollback-guard', 'upgrade-to-newest'],
  'upgrade-order': ['move-stage', 'strategy'],
  'compatible-releases': ['include-components', 'move-stage'],
  'no-mixed-release-writers': ['stop-first', 'strategy', 'move-stage', 'migrate-step'],
  'no-failover-to-older': ['strategy', 'move-stage'],
  'runbook-terminates': ['rollback-guard', 'verify-step', 'rollback-trigger', 'assume-no-fault'],
  availability: ['strategy', 'stop-first'],
  'reads-served': ['strategy', 'before-you-start', 'assume-no-fault'],
};

// 0: a kind that bears on a property that fired, at a place a counterexample passes through;
// 1: such a kind elsewhere; 2: the rest.
function closeness(edits: Edit[], original: RunResult): number[] {
  const kinds = new Set(original.violations.flatMap((v) => RELATED[v.property] ?? []));
  const places = new Set<string>();
  for (const v of original.violations) {
    for (const t of v.trace) {
      const at = t.event?.at;
      if (at && at.stageIndex !== null) places.add(`${at.phase === 'rolling-back' ? 'rollback' : 'upgrade'}:${at.stageIndex}`);
    }
  }
  return edits.map((e) => (!kinds.has(e.kind) ? 2 : e.near === null || places.has(e.near) ? 0 : 1));
}

// Every k-subset of `order`, those with the smallest closeness sum first, each group in
// lexicographic order of `order`: no list of all sets is ever built.
function* subsets(order: number[], score: number[], k: number): Generator<number[]> {
  const pick: number[] = [];
  function* walk(from: number, budget: number): Generator<number[]> {
    if (pick.length === k) {
      if (budget === 0) yield pick.slice();
      return;
    }
    for (let i = from; i < order.length; i++) {
      const s = score[order[i]];
      if (s > budget) continue;
      pick.push(order[i]);
      yield* walk(i + 1, budget - s);
      pick.pop();
    }
  }
  for (let sum = 0; sum <= 2 * k; sum++) yield* walk(0, sum);
}

// The edits change the runbook and the faults, never the system: a set's data shares the rest
// with the original (copying a large system on every set was most of the search's time).
function withEdits(base: Raw, ops: Op[]): Raw {
  const data = { ...base };
  for (const root of new Set(ops.map((o) => o.path[0] as string))) data[root] = structuredClone(base[root]);
  applyToData(data, ops);
  return data;
}

// Compiling adds the format a failed migration leaves to the list it reads the formats from:
// that list, and only it, is the compile's own.
function forCompile(data: Raw): Raw {
  const sys = data.system;
  return sys && Array.isArray(sys['wire-formats']) ? { ...data, system: { ...sys, 'wire-formats': [...sys['wire-formats']] } } : structuredClone(data);
}

function compileData(data: Raw, file: string, overrides: SearchOptions['overrides']): CompiledScenario | null {
  if (!validate(data)) return null;
  const parsed: ParsedScenario = {
    file,
    data,
    place: () => ({ line: 0, column: 0 }),
    fail: (_path, problem, fix): never => {
      throw new ScenarioError(file, 0, 0, problem, fix);
    },
  };
  try {
    return compileScenario(parsed, overrides);
  } catch (e) {
    if (e instanceof ScenarioError) return null;
    throw e;
  }
}

// Whether the counterexample's events can all happen on this model and reach a violation of
// a property checked on states or steps, or (a liveness counterexample) end in a state from
// which the runbook can no longer end. Any state it reaches is reachable, so what fails there
// fails in the explorer's search too: the set is unsafe.
function refutes(model: Model, start: World, cex: Cex): boolean {
  let w = start;
  for (const l of cex.events) {
    const e = model.parseEvent(l);
    if (e === null || !model.isEnabled(w, e)) return false;
    const next = model.next(w, e);
    if (model.edgeViolations(w, next).length > 0 || model.stateViolations(next).length > 0) return true;
    w = next;
  }
  const end = w;
  return cex.stuck && model.eventually.some((def) => liveness(model, end, { steps: 0 }, { limit: STUCK_LIMIT, goal: (x) => model.reachedGoal(def, x) }) === 'stuck');
}

const cexOf = (r: RunResult): Cex[] =>
  r.violations.map((v) => ({ events: v.trace.slice(1).map((t) => ({ type: t.event!.type, node: t.event!.node, keyring: t.event!.keyring })), stuck: v.category === 'liveness' }));

const reachedSometimes = (r: RunResult) => new Set(r.properties.filter((p) => p.kind === 'sometimes' && p.status === 'holds').map((p) => p.name));

const POOL = 24;

export function* searchSets(base: Raw, file: string, edits: Edit[], original: RunResult, opts: SearchOptions): Generator<void, { found: FoundSet[]; search: SuggestSearch }> {
  const limits = opts.limits ?? NO_LIMITS;
  const catalog: Partial<Record<EditKind, number>> = {};
  for (const e of edits) catalog[e.kind] = (catalog[e.kind] ?? 0) + 1;
  const search: SuggestSearch = { maxEdits: opts.maxEdits, candidates: edits.length, catalog, sets: 0, setsBySize: [], invalid: 0, duplicate: 0, refuted: 0, unsafe: 0, inconclusive: 0, fullChecks: 0, states: 0, refusalsNotShown: 0, complete: true, boundsHit: [] };
  const score = closeness(edits, original);
  const order = edits.map((_, i) => i).sort((a, b) => score[a] - score[b] || a - b);
  const found: (FoundSet & { indices: number[] })[] = [];
  const seen = new Set<string>();
  const own = new Map<number, Cex>(); // a single edit's counterexample, for the sets it is in
  let pool: Cex[] = cexOf(original);
  const originalReached = reachedSometimes(original);
  const stop = (why: string) => {
    search.complete = false;
    if (!search.boundsHit.includes(why)) search.boundsHit.push(why);
  };
  // the engine itself, not check's wrapper: an unsafe set needs only its counterexamples' events,
  // and rendering every trace for a result (worlds, changes) was a third of the search's time
  const explore = function* (model: Model): Generator<void, { out: EngineOutcome; options: ResolvedExploreOptions }> {
    const options = resolveExploreOptions(model.s, { ...opts.explore, failFast: true });
    const out = yield* exploreSteps(model, { maxDepth: options.maxDepth ?? Infinity, maxStates: options.maxStates, symmetry: options.symmetry, failFast: true, now: opts.explore.now, limits });
    search.states += out.states;
    return { out, options };
  };
  const remember = (events: Cex[], set: number[]) => {
    if (events.length === 0) return;
    if (set.length === 1) own.set(set[0], events[0]);
    pool = [...events, ...pool.filter((p) => !events.includes(p))].slice(0, POOL);
  };

  outer: for (let size = 1; size <= opts.maxEdits && size <= edits.length; size++) {
    search.setsBySize.push(0);
    for (const set of subsets(order, score, size)) {
      const cut = limits.check();
      if (cut) {
        stop(cut);
        break outer;
      }
      if (found.some((f) => f.indices.every((i) => set.includes(i)))) continue; // not minimal
      const slots = set.flatMap((i) => edits[i].slots);
      if (new Set(slots).size !== slots.length) continue; // two edits of one thing
      set.sort((a, b) => a - b);
      search.sets++;
      search.setsBySize[size - 1]++;
      if (search.sets % 32 === 0) {
        opts.onProgress?.({ size, sets: search.sets, found: found.length });
        yield;
      }
      const ops = set.flatMap((i) => edits[i].ops);
      const data = withEdits(base, ops);
      const key = canonical(ops.map((o) => o.path[0]).filter((r, i, all) => all.indexOf(r) === i).sort().map((r) => [r, data[r]]));
      if (seen.has(key)) {
        search.duplicate++;
        continue;
      }
      seen.add(key);
      const compiled = compileData(forCompile(data), file, opts.overrides);
      if (!compiled) {
        search.invalid++;
        continue;
      }
      const model = new Model(compiled, { maxFaults: opts.overrides.maxFaults });
      const start = model.initial();
      if (model.stateViolations(start).length > 0) {
        search.refuted++;
        continue;
      }
      const tries = [...set.map((i) => own.get(i)).filter((x): x is Cex => x !== undefined), ...pool];
      const killer = tries.find((cex) => refutes(model, start, cex));
      if (killer) {
        search.refuted++;
        remember([killer], set);
        continue;
      }
      // a first-violation search that finds none has explored the whole space and run the
      // analyses a full check runs (liveness, vacuity): it is the full check
      const { out, options } = yield* explore(model);
      const budget = out.boundsHit.find((b) => isCut({ boundsHit: [b] }));
      if (budget) {
        stop(budget);
        break outer;
      }
      if (out.findings.length > 0) {
        search.unsafe++;
        const stuck = (property: string) => model.checked.find((p) => p.name === property)?.kind === 'eventually';
        remember(out.findings.map((f) => ({ events: f.events.map((e) => model.label(e)), stuck: stuck(f.property) })), set);
        continue;
      }
      if (!out.complete || out.states <= 1) {
        search.inconclusive++;
        continue;
      }
      search.fullChecks++;
      const full = toResult(model, out, 'explore', { ...options }, null);
      const reached = reachedSometimes(full);
      const lost = [...originalReached].filter((p) => !reached.has(p));
      const chosen = set.map((i) => edits[i]);
      const cls: SuggestionClass = lost.length > 0 ? 'refusal' : chosen.some((e) => e.assumption) ? 'assumption' : 'fix';
      found.push({ indices: set, edits: chosen, cls, lost, result: full });
      opts.onProgress?.({ size, sets: search.sets, found: found.length });
    }
  }
  const rankOf = { fix: 0, assumption: 1, refusal: 2 } as const;
  const lex = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  };
  found.sort((a, b) => rankOf[a.cls] - rankOf[b.cls] || a.indices.length - b.indices.length || lex(a.indices, b.indices));
  return { found: found.map(({ indices: _, ...f }) => f), search };
}
