// The explored state graph quotiented by runbook position, for `rollsafe graph --explored`: a
// breadth-first search like explore.ts (canonical worlds, the scenario's depth bound and fault
// budget) that keeps, instead of traces, how many states sit at each position, which
// properties fail there, and how often each event moves the runbook between two positions.
// Its size is the runbook's, whatever the state space: the search itself stops at maxStates.
import type { Model, Position, World } from '../../model/model.js';

export interface PositionGraphOptions {
  maxStates: number;
  maxDepth: number;
  symmetry: boolean;
}

export interface PositionGraph {
  states: number;
  complete: boolean;
  boundsHit: string[];
  positions: { at: Position; states: number; bad: string[] }[];
  moves: { from: Position; to: Position; event: string; count: number }[];
}

export function positionGraph(model: Model, opts: PositionGraphOptions): PositionGraph {
  const canon = (w: World) => (opts.symmetry ? model.canonical(w) : w);
  const seen = new Set<string>();
  const at = new Map<number, { states: number; bad: Set<string> }>();
  const moves = new Map<string, { from: number; to: number; event: string; count: number }>();
  const bounds = new Set<string>();
  const place = (code: number) => {
    let p = at.get(code);
    if (!p) at.set(code, (p = { states: 0, bad: new Set() }));
    return p;
  };
  const visit = (w: World): boolean => {
    const key = model.key(w);
    if (seen.has(key)) return false;
    if (seen.size >= opts.maxStates) {
      bounds.add(`max-states ${opts.maxStates}`);
      return false;
    }
    seen.add(key);
    const p = place(model.positionCode(w));
    p.states++;
    for (const hit of model.stateViolations(w)) p.bad.add(hit.property);
    return true;
  };
  const start = canon(model.initial());
  visit(start);
  let frontier: World[] = [start];
  for (let depth = 0; frontier.length > 0; depth++) {
    const next: World[] = [];
    for (const w of frontier) {
      const events = model.enabledEvents(w);
      if (depth >= opts.maxDepth) {
        if (events.length) bounds.add(`max-depth ${opts.maxDepth}`);
        continue;
      }
      const from = model.positionCode(w);
      for (const e of events) {
        const raw = model.next(w, e);
        const to = model.positionCode(raw);
        const event = model.label(e).type;
        const key = `${from}|${event}|${to}`;
        const m = moves.get(key) ?? { from, to, event, count: 0 };
        m.count++;
        moves.set(key, m);
        // a step that breaks a property marks where it leads (judged before canonical
        // renaming, which may swap the nodes the step compares)
        for (const hit of model.edgeViolations(w, raw)) place(to).bad.add(hit.property);
        const nw = canon(raw);
        if (visit(nw)) next.push(nw);
      }
    }
    frontier = next;
  }
  return {
    states: seen.size,
    complete: bounds.size === 0,
    boundsHit: [...bounds].sort(),
    positions: [...at].sort((a, b) => a[0] - b[0]).map(([code, p]) => ({ at: model.positionOf(code), states: p.states, bad: [...p.bad].sort() })),
    moves: [...moves.values()].sort((a, b) => a.from - b.from || a.to - b.to || (a.event < b.event ? -1 : 1)).map((m) => ({ from: model.positionOf(m.from), to: model.positionOf(m.to), event: m.event, count: m.count })),
  };
}
