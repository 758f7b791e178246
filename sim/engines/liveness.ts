// Eventually properties for engines that see single runs, not the whole graph: is a world
// stuck (no sequence of events from it reaches the property's goal: for runbook-terminates,
// the runbook's end)? The set of stuck worlds is closed under
// every event, so a walk that enters it ends in it, and checking the last world is enough.
//
// Most worlds can end by just letting the operator carry on, so a cheap "calm" completion is
// tried first; only when it fails is the reachable closure searched exhaustively. Both answers
// are proofs; a closure larger than the limit gives 'unknown', never 'stuck'.
import type { Ev, Model, World } from '../../model/model.js';

export type Liveness = 'can-end' | 'stuck' | 'unknown';

// Event kinds the calm operator takes, best first: runbook steps and remediation, the
// environment healing itself, and rolling back only when nothing else moves.
const CALM_ORDER = ['step', 'remediate', 'backend-recovers', 'rotation-completes', 'decide-rollback'];

export interface LivenessMemo {
  canEnd: Set<string>;
  stuck: Set<string>;
}

export function newLivenessMemo(): LivenessMemo {
  return { canEnd: new Set(), stuck: new Set() };
}

function calmEvent(model: Model, w: World, rank: number[]): Ev | undefined {
  let best: Ev | undefined;
  let bestRank = Infinity;
  model.events.forEach((e, i) => {
    if (rank[i] < bestRank && model.isEnabled(w, e)) {
      best = e;
      bestRank = rank[i];
    }
  });
  return best;
}

const rankCache = new WeakMap<Model, number[]>();
function calmRank(model: Model): number[] {
  let rank = rankCache.get(model);
  if (!rank) {
    rank = model.events.map((e) => {
      const i = CALM_ORDER.indexOf(model.label(e).type);
      return i < 0 ? Infinity : i;
    });
    rankCache.set(model, rank);
  }
  return rank;
}

// Steps taken by the checks, so engines can count every model step they pay for.
export interface LivenessCost {
  steps: number;
}

function calmEnds(model: Model, w0: World, cost: LivenessCost, goal: (w: World) => boolean, memo?: LivenessMemo): boolean {
  const rank = calmRank(model);
  const limit = 4 * Math.max(20, model.s.bounds.maxDepth);
  const seen: string[] = [];
  let w = w0;
  for (let i = 0; i <= limit; i++) {
    if (goal(w)) break;
    const key = memo ? model.key(model.canonical(w)) : '';
    if (memo?.canEnd.has(key)) break;
    if (memo) seen.push(key);
    const e = calmEvent(model, w, rank);
    if (e === undefined) return false;
    w = model.next(w, e);
    cost.steps++;
    if (i === limit) return false;
  }
  if (memo) for (const k of seen) memo.canEnd.add(k);
  return true;
}

// Breadth-first over everything reachable from w (canonical worlds), stopping at the first
// world that has ended.
function closureEnds(model: Model, w0: World, limit: number, cost: LivenessCost, goal: (w: World) => boolean, memo?: LivenessMemo): Liveness {
  const start = model.canonical(w0);
  const seen = new Set<string>([model.key(start)]);
  let frontier: World[] = [start];
  while (frontier.length > 0) {
    const next: World[] = [];
    for (const w of frontier) {
      if (goal(w)) return 'can-end';
      for (const e of model.events) {
        if (!model.isEnabled(w, e)) continue;
        const cw = model.canonical(model.next(w, e));
        cost.steps++;
        const k = model.key(cw);
        if (memo?.canEnd.has(k)) return 'can-end';
        if (seen.has(k)) continue;
        if (seen.size >= limit) return 'unknown';
        seen.add(k);
        next.push(cw);
      }
    }
    frontier = next;
  }
  if (memo) for (const k of seen) memo.stuck.add(k);
  return 'stuck';
}

// `goal`: the eventually property's goal (default: the runbook has ended); a memo serves one goal
export function liveness(model: Model, w: World, cost: LivenessCost, opts: { limit?: number; memo?: LivenessMemo; goal?: (w: World) => boolean } = {}): Liveness {
  const goal = opts.goal ?? ((x: World) => model.isEnded(x));
  if (goal(w)) return 'can-end';
  const memo = opts.memo;
  if (memo) {
    const k = model.key(model.canonical(w));
    if (memo.stuck.has(k)) return 'stuck';
    if (memo.canEnd.has(k)) return 'can-end';
  }
  if (calmEnds(model, w, cost, goal, memo)) return 'can-end';
  const verdict = closureEnds(model, w, opts.limit ?? 200_000, cost, goal, memo);
  if (verdict === 'can-end' && memo) memo.canEnd.add(model.key(model.canonical(w)));
  return verdict;
}

