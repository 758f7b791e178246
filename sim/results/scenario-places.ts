// Where a trace's events are written in the scenario file: the runbook step an operator ran,
// the fault declaration a fault came from. Read from the YAML text alone (the result names the
// runbook position as data: phase, stage index, step index), so a formatter can point at lines
// without compiling the scenario. A text that no longer parses, or a place it no longer has,
// yields no place: the caller falls back to the file itself.
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { Position, TraceStep } from './result.js';

export interface Place {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  what: string; // the YAML path in words: "runbook.upgrade.each-node[3]"
}

type Path = (string | number)[];

export interface ScenarioPlaces {
  // where the event of a trace step is written (null: the file says nothing about it)
  ofEvent(step: TraceStep): Place | null;
  // a key's place, e.g. ['runbook'] for a fallback
  ofKey(path: Path): Place | null;
}

const NONE: ScenarioPlaces = { ofEvent: () => null, ofKey: () => null };

export function scenarioPlaces(text: string | null): ScenarioPlaces {
  if (text === null) return NONE;
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, schema: 'core', version: '1.2' });
  } catch {
    return NONE;
  }
  if (doc.errors.length > 0) return NONE;
  const placeOf = (range: [number, number, number?] | null | undefined, path: Path): Place | null => {
    if (!range) return null;
    const a = lc.linePos(range[0]);
    const b = lc.linePos(Math.max(range[0], range[1]));
    return { startLine: a.line, startColumn: a.col, endLine: b.line, endColumn: b.col, what: words(path) };
  };
  const value = (path: Path): Place | null => placeOf((doc.getIn(path, true) as Node | undefined)?.range, path);
  const key = (path: Path): Place | null => {
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
    if (!isMap(parent)) return null;
    const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === path[path.length - 1]);
    return pair && isScalar(pair.key) ? placeOf(pair.key.range, path) : null;
  };
  const has = (path: Path) => doc.hasIn(path);

  // A procedure is `each-node` (stage 0) and `after-all` (stage 1), or a list of `stages`.
  const stepPath = (at: Position): Path | null => {
    const proc = at.phase === 'upgrading' ? ['runbook', 'upgrade'] : at.phase === 'rolling-back' ? ['runbook', 'rollback'] : null;
    if (!proc || at.stageIndex === null || at.stepIndex === null) return null;
    if (isSeq(doc.getIn([...proc, 'stages'], true))) return [...proc, 'stages', at.stageIndex, 'steps', at.stepIndex];
    const list = at.stageIndex === 0 ? 'each-node' : at.stageIndex === 1 ? 'after-all' : null;
    return list ? [...proc, list, at.stepIndex] : null;
  };

  const ofEvent = (t: TraceStep): Place | null => {
    const e = t.event;
    if (!e) return null;
    if (e.actor === 'fault') return key(['faults', e.type]);
    if (e.actor !== 'operator') return null;
    if (e.type === 'decide-rollback') return has(['runbook', 'rollback', 'when']) ? value(['runbook', 'rollback', 'when']) : key(['runbook', 'rollback']);
    if (!e.at) return null;
    // the runbook begins by running its before-you-start checks
    if (e.at.phase === 'before') return has(['runbook', 'before-you-start']) ? value(['runbook', 'before-you-start']) : key(['runbook']);
    const path = stepPath(e.at);
    return path && has(path) ? value(path) : null;
  };
  return { ofEvent, ofKey: (path) => key(path) };
}

function words(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1);
}
