// `rollsafe graph`: the runbook machine (model/machine-config.ts, the same XState config the
// engines are proven equal to) as a drawable graph, and the explored state graph quotiented by
// runbook position. Both become one neutral shape that graph-render.ts writes as Mermaid or DOT.
import type { RunbookMachineConfig, StateConfig, TransitionConfig } from '../../model/machine-config.js';
import { positionPath, stateNames } from '../../model/machine-states.js';
import type { Position } from '../../model/model.js';
import type { CompiledScenario } from '../../model/types.js';
import { count } from './words.js';

export interface GraphState {
  path: string; // the machine's dotted state path: 'upgrading.each-node.stop'
  label: string;
  lines: string[]; // more to say inside the box: events that happen here without moving
  bad: string[]; // explored: properties a state here (or a step into it) violates
  children: GraphState[];
}

export interface GraphEdge {
  from: string;
  to: string;
  labels: string[]; // one per event (or per guarded branch) drawn on this edge
  rollback: boolean; // a decide-rollback edge: drawn apart
}

export interface Graph {
  id: string;
  title: string;
  notes: string[]; // said once for the whole graph (events possible anywhere, a bound hit)
  initial: string; // path of the leaf the machine starts in
  states: GraphState[];
  edges: GraphEdge[];
}

// in the order the config lists them, which is runbook order
const keysOf = (o: object | undefined) => Object.keys(o ?? {});

// A decide-rollback branch in words: the runbook's triggers and guards are what the machine's
// `enabled` guard checks before a rollback may start.
function rollbackLabel(s: CompiledScenario, to: string): string {
  const rb = s.runbook.rollback;
  if (!rb) return 'decide-rollback';
  if (to === 'halted') return `decide-rollback refused by a guard (${rb.guards.join(', ') || 'none'})`;
  const when = `when ${rb.triggers.join(' or ')}`;
  return rb.guards.length ? `decide-rollback ${when} if ${rb.guards.join(', ')}` : `decide-rollback ${when}`;
}

function targetPath(machineId: string, t: TransitionConfig): string | null {
  return t.target ? t.target.slice(machineId.length + 2) : null;
}

export function machineGraph(config: RunbookMachineConfig, s: CompiledScenario): Graph {
  const edges = new Map<string, GraphEdge>();
  const addEdge = (from: string, to: string, label: string, rollback: boolean) => {
    const key = `${from}\u0000${to}`;
    const e = edges.get(key) ?? { from, to, labels: [], rollback };
    if (!e.labels.includes(label)) e.labels.push(label);
    edges.set(key, e);
  };
  const stays = (on: Record<string, TransitionConfig[]> | undefined, from: string): string[] => {
    const out: string[] = [];
    for (const [event, branches] of Object.entries(on ?? {})) {
      for (const b of branches) {
        const to = targetPath(config.id, b);
        if (to === null) {
          if (!out.includes(event)) out.push(event);
        } else addEdge(from, to, event === 'decide-rollback' ? rollbackLabel(s, to) : event, event === 'decide-rollback');
      }
    }
    return out;
  };
  const walk = (states: Record<string, StateConfig> | undefined, prefix: string): GraphState[] =>
    keysOf(states).map((key) => {
      const st = states![key];
      const path = prefix ? `${prefix}.${key}` : key;
      const here = stays(st.on, path);
      const strategy = st.description?.split(': ').pop();
      const label = prefix && st.states ? `${key} (${strategy})` : key;
      // a check that fails leaves the operator at it: its `step` stays
      const also = here.map((e) => (e === 'step' ? 'step (the check fails)' : e));
      return { path, label, lines: also.length ? [`also ${also.join(', ')}`] : [], bad: [], children: walk(st.states, path) };
    });
  const states = walk(config.states, '');
  const anywhere = stays(config.on, '');
  return {
    id: config.id,
    title: s.title,
    notes: anywhere.length ? [`anywhere: ${anywhere.join(', ')}`] : [],
    initial: initialLeaf(config),
    states,
    edges: [...edges.values()],
  };
}

function initialLeaf(config: RunbookMachineConfig): string {
  const path = [config.initial];
  let st: StateConfig | undefined = config.states[config.initial];
  while (st?.initial && st.states) {
    path.push(st.initial);
    st = st.states[st.initial];
  }
  return path.join('.');
}

// What the explored-graph engine hands over: per runbook position (model.positionCode), its
// position, how many states sit there and which properties fail there; per step between two
// positions, how often each event took it.
export interface ExploredPositions {
  states: number;
  complete: boolean;
  boundsHit: string[];
  positions: { at: Position; states: number; bad: string[] }[];
  moves: { from: Position; to: Position; event: string; count: number }[];
}

// The explored graph drawn on the machine's states: positions that differ only by how many
// nodes a stage has done become one state, and only states some explored run reached are drawn.
export function exploredGraph(config: RunbookMachineConfig, s: CompiledScenario, x: ExploredPositions): Graph {
  const names = stateNames(s);
  const pathOf = (at: Position): string => {
    const stage = at.stageIndex === null ? undefined : names.stages[at.phase]?.[at.stageIndex];
    if (!stage) return at.phase;
    return positionPath(names, at.phase, at.stageIndex!, Math.min(at.stepIndex ?? 0, Math.max(0, stage.steps.length - 1)));
  };
  const reached = new Map<string, { states: number; bad: Set<string> }>();
  for (const p of x.positions) {
    const r = reached.get(pathOf(p.at)) ?? { states: 0, bad: new Set<string>() };
    r.states += p.states;
    for (const b of p.bad) r.bad.add(b);
    reached.set(pathOf(p.at), r);
  }
  const moves = new Map<string, { from: string; to: string; counts: Map<string, number> }>();
  for (const m of x.moves) {
    const from = pathOf(m.from);
    const to = pathOf(m.to);
    if (from === to) continue;
    const key = `${from}\u0000${to}`;
    const e = moves.get(key) ?? { from, to, counts: new Map<string, number>() };
    e.counts.set(m.event, (e.counts.get(m.event) ?? 0) + m.count);
    moves.set(key, e);
  }
  const machine = machineGraph(config, s);
  const prune = (states: GraphState[]): GraphState[] =>
    states.flatMap((st) => {
      const children = prune(st.children);
      const r = reached.get(st.path);
      if (!r && children.length === 0) return [];
      const lines = r ? [count(r.states, 'state')] : [];
      const bad = r ? [...r.bad].sort() : [];
      return [{ ...st, lines, bad, children }];
    });
  const bound = x.complete ? [] : [`the search stopped early (${x.boundsHit.join(', ')}): only what it reached is drawn`];
  return {
    id: machine.id,
    title: `${s.title}: explored (${count(x.states, 'state')})`,
    notes: [...bound, 'states are runbook positions; a red one holds a state (or is the end of a step) that violates a property'],
    initial: machine.initial,
    states: prune(machine.states),
    edges: [...moves.values()].map((m) => ({
      from: m.from,
      to: m.to,
      labels: [...m.counts].map(([event, n]) => `${event} x${n.toLocaleString('en-US')}`),
      rollback: m.counts.has('decide-rollback'),
    })),
  };
}
