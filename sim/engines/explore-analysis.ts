// Analyses over the explored graph that answer reviewers' questions in the runbook's terms:
// which (release x record format x key version) meetings were reached, and from which step a
// rollback stops being safe.
import { type Model, type PropertyDef, type World, EVENT_KINDS, PHASE_NAMES } from '../../model/model.js';
import { emptyCoverage } from './outcome.js';
import type { PositionCounts } from './position-counts.js';
import type { Coverage, NoReturnPoint } from '../results/result.js';
import { type ExploredGraph, type Reverse, backwardReach } from './explored-graph.js';
import type { GrowInt32 } from './state-store.js';

// What the search counted as it went (events by kind, phases entered and held, steps and faults
// by position, meetings), as the result's coverage.
export function coverageOf(
  model: Model,
  counts: { eventCounts: Float64Array; enteredCounts: Float64Array; phaseCounts: Float64Array; phaseOrder: number[]; positions: PositionCounts; combos: ReturnType<Model['meetingCounts']> },
): Coverage {
  const coverage = emptyCoverage();
  EVENT_KINDS.forEach((name, k) => {
    if (counts.eventCounts[k]) coverage.events[name] = counts.eventCounts[k];
  });
  counts.positions.fill(model, coverage);
  counts.enteredCounts.forEach((count, phase) => {
    if (count) coverage.phasesEntered[PHASE_NAMES[phase]] = count;
  });
  for (const phase of counts.phaseOrder) coverage.phases[PHASE_NAMES[phase]] = counts.phaseCounts[phase];
  coverage.combinations = combinationList(model, counts.combos);
  return coverage;
}

// The meetings counted by model.countMeetings, as the coverage's combinations list.
export function combinationList(model: Model, counts: Float64Array): Coverage['combinations'] {
  const { c, L, s } = model;
  return [...counts.entries()]
    .filter(([, states]) => states > 0)
    .map(([code, states]) => {
      const k = (code >> 1) % L.kinds;
      const rel = Math.floor((code >> 1) / L.kinds);
      return {
        release: s.releases[rel].name,
        format: s.wireFormats[c.kindFormat[k]],
        aad: s.aadShapes[c.kindAad[k]],
        keyVersion: c.kindVersion[k],
        readable: (code & 1) === 1,
        states,
      };
    })
    // records of one kind written by different releases meet a node the same way: merge them
    .reduce((acc, row) => {
      const same = acc.find((x) => x.release === row.release && x.format === row.format && x.aad === row.aad && x.keyVersion === row.keyVersion && x.readable === row.readable);
      if (same) same.states += row.states;
      else acc.push(row);
      return acc;
    }, [] as Coverage['combinations'])
    .sort((a, b) => b.states - a.states || a.release.localeCompare(b.release) || a.keyVersion - b.keyVersion);
}

const [UPGRADING, UPGRADED, HALTED] = (['upgrading', 'upgraded', 'halted'] as const).map((p) => PHASE_NAMES.indexOf(p));

const SEVERITY = { 'not-offered': 0, safe: 1, refused: 2, unsafe: 3 } as const;
const OUTCOMES = ['not-offered', 'safe', 'refused', 'unsafe'] as const;

// For every upgrade position, the worst outcome of deciding a rollback there (unsafe when some
// interleaving after the decision reaches a safety violation, refused when a guard says no),
// and in how many of the position's states each outcome holds: the worst case alone reads as
// "refused everywhere" when only the states after a rotation refuse.
export function noReturnPoints(model: Model, g: ExploredGraph, rev: Reverse): NoReturnPoint[] {
  const props = g.badProperties;
  const reaches = backwardLabel(rev, g.states, g.badIds, g.badProperty);
  const points = new Map<number, NoReturnPoint>();
  const refusals = new Map<number, Map<string, { states: number; condition: string; why: string }>>();
  const ensure = (code: number): NoReturnPoint => {
    let p = points.get(code);
    if (!p) {
      const at = model.positionOf(code);
      p = { position: at.label, order: code, at, states: 0, rollback: 'not-offered', why: null, safeStates: 0, refusedStates: [], unsafeStates: 0 };
      points.set(code, p);
      refusals.set(code, new Map());
    }
    return p;
  };
  // per state, the worst of its rollback decisions (SEVERITY) and the edge that gave it
  const worst = new Uint8Array(g.states);
  const worstEdge = new Int32Array(g.states);
  const outcomeOf = (to: number): NoReturnPoint['rollback'] => (g.phase[to] === HALTED ? 'refused' : reaches[to] ? 'unsafe' : 'safe');
  for (let j = 0; j < g.rollbackFrom.n; j++) {
    const from = g.rollbackFrom.a[j];
    const sev = SEVERITY[outcomeOf(g.rollbackTo.a[j])];
    if (sev > worst[from]) {
      worst[from] = sev;
      worstEdge[from] = j;
    }
  }
  for (let i = 0; i < g.states; i++) {
    const ph = g.phase[i];
    // a rollback is decided only while upgrading or upgraded, so every decision is counted here
    if (ph !== UPGRADING && ph !== UPGRADED) continue;
    const p = ensure(g.position.a[i]);
    p.states++;
    const outcome = OUTCOMES[worst[i]];
    if (outcome === 'not-offered') continue;
    const to = g.rollbackTo.a[worstEdge[i]];
    let why: string | null = null;
    if (outcome === 'safe') p.safeStates! += 1;
    else if (outcome === 'unsafe') {
      p.unsafeStates! += 1;
      why = `${props[reaches[to] - 1]} is reachable after the decision`;
    } else {
      const code = g.reason.a[to];
      why = model.reasonText(code);
      const r = model.refusal(code);
      const guard = r?.guard ?? why ?? 'a guard';
      const byGuard = refusals.get(p.order)!;
      const seen = byGuard.get(guard);
      if (seen) seen.states++;
      else byGuard.set(guard, { states: 1, condition: r?.condition ?? '', why: why ?? guard });
    }
    if (SEVERITY[outcome] > SEVERITY[p.rollback]) {
      p.rollback = outcome;
      p.why = why;
    }
  }
  for (const p of points.values()) {
    const byGuard = [...refusals.get(p.order)!].sort(([a, x], [b, y]) => y.states - x.states || a.localeCompare(b));
    p.refusedStates = byGuard.map(([guard, x]) => ({ guard, states: x.states, condition: x.condition }));
    // a refused position is named by the guard that refuses in the most states
    if (p.rollback === 'refused') p.why = byGuard[0][1].why;
  }
  return [...points.values()].sort((a, b) => a.order - b.order);
}

// Backward reachability that remembers which seed's label reached each state first.
function backwardLabel(rev: Reverse, n: number, seeds: GrowInt32, seedLabel: GrowInt32): Int32Array {
  const label = new Int32Array(n);
  // each state enters the queue at most once
  const queue = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < seeds.n; i++) {
    const s = seeds.a[i];
    if (!label[s]) {
      label[s] = seedLabel.a[i] + 1;
      queue[tail++] = s;
    }
  }
  for (let head = 0; head < tail; head++) {
    const t = queue[head];
    for (let j = rev.start[t]; j < rev.start[t + 1]; j++) {
      const s = rev.preds[j];
      if (!label[s]) {
        label[s] = label[t];
        queue[tail++] = s;
      }
    }
  }
  return label;
}

// Eventually properties (runbook-terminates: the runbook can always still end), judged by kind
// over the explored graph: every explored state must reach one where the property's goal
// holds. For each property not already violated, the shallowest state that cannot (if any).
// States a bound left unexpanded might still reach one: they count as "may", and the verdict
// then says unknown.
export function stuckStates(
  model: Model,
  g: ExploredGraph,
  rev: Reverse,
  worldOf: (id: number) => World,
  depthOf: (id: number) => number,
  alreadyFound: (property: string) => boolean,
): { stuck: [PropertyDef, number][]; livenessUnknown: boolean } {
  let livenessUnknown = false;
  const stuck: [PropertyDef, number][] = [];
  for (const def of model.eventually) {
    if (alreadyFound(def.name)) continue;
    const seeds = new Uint8Array(g.states);
    // the phase each state keeps answers a goal that depends on nothing else: no decoding
    const byPhase = model.goalByPhase(def);
    for (let i = 0; i < g.states; i++) {
      const goal = byPhase ? byPhase[g.phase[i]] === 1 : model.reachedGoal(def, worldOf(i));
      if (goal || !g.expanded[i]) seeds[i] = 1;
      if (!g.expanded[i] && !goal) livenessUnknown = true;
    }
    const canReach = backwardReach(rev, g.states, seeds);
    let first = -1;
    for (let i = 0; i < g.states; i++) if (!canReach[i] && (first < 0 || depthOf(i) < depthOf(first))) first = i;
    if (first >= 0) stuck.push([def, first]);
  }
  return { stuck, livenessUnknown };
}
