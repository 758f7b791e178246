// The edits a suggestion makes, as a few primitive operations on the scenario's tree, applied
// by one of two interpreters: on the plain data (what the search compiles, thousands of times,
// without reading YAML again) and on the YAML Document (what the patch shows, with the
// author's comments and layout). Both take the same operations in the same order, so what
// was checked is what is written; render.ts re-reads the written text to make sure.
import { type Document, type Node, type Pair, type Scalar, isMap, isScalar, isSeq } from 'yaml';

export type Path = (string | number)[];

export type Op =
  // a map key: set (created before the sibling `before` names, when given and present) or removed
  | { op: 'set'; path: Path; value: unknown; before?: string }
  | { op: 'delete'; path: Path }
  // a list's item: inserted before the item at `index` as the file has it (index = length: at the end)
  | { op: 'insert'; path: Path; index: number; value: unknown }
  // a list's item appended (the list is created, before `before`, when missing)
  | { op: 'append'; path: Path; value: unknown; before?: string }
  // a list of stages: stage `from` (as the file numbers them) moved, or `value` inserted, before
  // stage `to` (null: at the end)
  | { op: 'restage'; path: Path; to: number | null; from?: number; value?: unknown };

// Index-addressed operations are only right while nothing before them has moved: map changes
// first, then insertions into a list from its end backwards, then appends, and stage moves and
// insertions last (by identity, so they compose with each other and with edits inside stages).
function ordered(ops: Op[]): Op[] {
  const rank = { set: 0, delete: 0, insert: 1, append: 2, restage: 3 } as const;
  const seq = ops.map((o, i) => ({ o, i }));
  seq.sort((a, b) => {
    const r = rank[a.o.op] - rank[b.o.op];
    if (r !== 0) return r;
    // two insertions at one place keep their catalog order: the later one goes in first
    if (a.o.op === 'insert' && b.o.op === 'insert') return b.o.index - a.o.index || b.i - a.i;
    return a.i - b.i;
  });
  return seq.map((x) => x.o);
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Raw = any;

function getData(data: Raw, path: Path): Raw {
  let v = data;
  for (const k of path) v = v?.[k];
  return v;
}

// New keys go where a reader looks for them (before-you-start before upgrade), not at the end.
function setBefore(obj: Record<string, unknown>, key: string, value: unknown, before?: string): void {
  if (key in obj || before === undefined || !(before in obj)) {
    obj[key] = value;
    return;
  }
  const entries = Object.entries(obj);
  for (const k of Object.keys(obj)) delete obj[k];
  for (const [k, v] of entries) {
    if (k === before) obj[key] = value;
    obj[k] = v;
  }
}

function restage<T>(items: T[], ops: Extract<Op, { op: 'restage' }>[], make: (v: unknown) => T): T[] {
  const original = items.slice();
  const out = items.slice();
  for (const o of ops) {
    const item = o.from !== undefined ? original[o.from] : make(o.value);
    if (o.from !== undefined) out.splice(out.indexOf(item), 1);
    const at = o.to === null ? out.length : out.indexOf(original[o.to]);
    out.splice(at, 0, item);
  }
  return out;
}

export function applyToData(data: Raw, ops: Op[]): void {
  const restages = new Map<string, { path: Path; ops: Extract<Op, { op: 'restage' }>[] }>();
  for (const o of ordered(ops)) {
    const parent = getData(data, o.path.slice(0, -1));
    const last = o.path[o.path.length - 1];
    if (o.op === 'set') setBefore(parent, last as string, structuredClone(o.value), o.before);
    else if (o.op === 'delete') delete parent[last];
    else if (o.op === 'insert') getData(data, o.path).splice(o.index, 0, structuredClone(o.value));
    else if (o.op === 'append') {
      if (!Array.isArray(parent[last])) setBefore(parent, last as string, [], o.before);
      parent[last].push(structuredClone(o.value));
    } else {
      const k = JSON.stringify(o.path);
      if (!restages.has(k)) restages.set(k, { path: o.path, ops: [] });
      restages.get(k)!.ops.push(o);
    }
  }
  for (const { path, ops: rs } of restages.values()) {
    const list = getData(data, path) as unknown[];
    list.splice(0, list.length, ...restage(list, rs, (v) => structuredClone(v)));
  }
}

// --- the YAML Document ---------------------------------------------------------------------

function nodeAt(doc: Document, path: Path): Node | null {
  return (path.length === 0 ? doc.contents : doc.getIn(path, true)) as Node | null;
}

// Scenario files write short lists and stages in flow style ([a, b], { strategy: once, ... });
// a value made here follows, so a new stage reads like its neighbours.
function makeNode(doc: Document, value: unknown): Node {
  return doc.createNode(value, { flow: typeof value === 'object' && value !== null }) as Node;
}

function setIn(doc: Document, path: Path, value: unknown, before?: string): void {
  const parent = nodeAt(doc, path.slice(0, -1));
  const key = path[path.length - 1] as string;
  if (!isMap(parent)) throw new Error(`internal: no map at ${path.slice(0, -1).join('.')}`);
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<Scalar, Node> | undefined;
  if (pair) {
    // a scalar changed in place keeps the comment after it
    if (isScalar(pair.value) && (value === null || typeof value !== 'object')) pair.value.value = value;
    else pair.value = makeNode(doc, value);
    return;
  }
  const at = before === undefined ? -1 : parent.items.findIndex((p) => isScalar(p.key) && p.key.value === before);
  const created = doc.createPair(key, makeNode(doc, value)) as Pair;
  if (at < 0) parent.items.push(created);
  else parent.items.splice(at, 0, created);
}

export function applyToDocument(doc: Document, ops: Op[]): void {
  const restages = new Map<string, { path: Path; ops: Extract<Op, { op: 'restage' }>[] }>();
  for (const o of ordered(ops)) {
    if (o.op === 'set') setIn(doc, o.path, o.value, o.before);
    else if (o.op === 'delete') doc.deleteIn(o.path);
    else if (o.op === 'insert') {
      const seq = nodeAt(doc, o.path);
      if (!isSeq(seq)) throw new Error(`internal: no list at ${o.path.join('.')}`);
      seq.items.splice(o.index, 0, makeNode(doc, o.value));
    } else if (o.op === 'append') {
      const seq = nodeAt(doc, o.path);
      if (isSeq(seq)) seq.items.push(makeNode(doc, o.value));
      else setIn(doc, o.path, [o.value], o.before);
    } else {
      const k = JSON.stringify(o.path);
      if (!restages.has(k)) restages.set(k, { path: o.path, ops: [] });
      restages.get(k)!.ops.push(o);
    }
  }
  for (const { path, ops: rs } of restages.values()) {
    const seq = nodeAt(doc, path);
    if (!isSeq(seq)) throw new Error(`internal: no list of stages at ${path.join('.')}`);
    seq.items = restage(seq.items as Node[], rs, (v) => makeNode(doc, v));
  }
}

