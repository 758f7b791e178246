// The patched scenario as text. The YAML Document is edited (ops.ts) and printed; the lines
// the edit did not touch are then taken from the author's file as they were, so spacing,
// comment alignment and flow-collection padding stay the author's and the patch shows only
// what changed. A file whose printed form does not line up with it line for line (a flow
// collection over several lines, a folded string) is printed whole instead, which reads the
// same and shows more.
import { parseDocument } from 'yaml';
import { type Op, applyToData, applyToDocument } from './ops.js';
import { lineDiff } from './diff-text.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Raw = any;

const READ = { schema: 'core', version: '1.2' } as const;
const PRINT = { flowCollectionPadding: false, lineWidth: 0 } as const;

const lines = (text: string): string[] => {
  const out = text.split(/\r?\n/);
  if (out[out.length - 1] === '') out.pop();
  return out;
};
const squash = (line: string) => line.replace(/\s+/g, '');

// yaml prints flow collections one way; the corpus pads maps ({ a: 1 }) and not lists ([a]).
// A printed line is given the padding the file already uses, outside quotes and comments.
function restyle(line: string, pad: { map: boolean; seq: boolean }): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      out += c;
      continue;
    }
    if (c === '#' && (i === 0 || line[i - 1] === ' ')) return out + line.slice(i);
    if (c === '"' || c === "'") quote = c;
    const open = (c === '{' && pad.map) || (c === '[' && pad.seq);
    const close = (c === '}' && pad.map) || (c === ']' && pad.seq);
    if (close && out.length > 0 && !/[\s{[]$/.test(out)) out += ' ';
    out += c;
    if (open && i + 1 < line.length && !/[\s}\]]/.test(line[i + 1])) out += ' ';
  }
  return out;
}

export function renderPatched(text: string, ops: Op[]): string {
  const before = parseDocument(text, READ);
  const after = parseDocument(text, READ);
  applyToDocument(after, ops);
  const printed0 = lines(before.toString(PRINT));
  const printed1 = after.toString(PRINT);
  const original = lines(text);
  if (printed0.length !== original.length || printed0.some((l, i) => squash(l) !== squash(original[i]))) return printed1;
  const pad = { map: /\{ [^\s}]/.test(text), seq: /\[ [^\s\]]/.test(text) };
  const out: string[] = [];
  for (const o of lineDiff(printed0, lines(printed1))) {
    if (o.op === 'same') out.push(original[o.a]);
    else if (o.op === 'add') out.push(restyle(o.line, pad));
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return `${out.join(eol)}${eol}`;
}

// The patched file must load as exactly the data that was checked: read it back and compare.
export function sameData(patched: string, data: Raw): boolean {
  return canonical(parseDocument(patched, READ).toJS()) === canonical(data);
}

// JSON with map keys sorted: equal data, equal text, whatever order keys were added in.
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

// What the patched file's expect block must say for `rollsafe check` to pass on it: safe, no
// fires, and (when a sometimes property is never reached, or the file pins the list already)
// exactly the properties that hold only vacuously.
export function expectOps(data: Raw, vacuous: string[], pin: boolean): Op[] {
  const e = data.expect;
  if (!e) return pin ? [{ op: 'set', path: ['expect'], value: { verdict: 'safe', vacuous } }] : [];
  const ops: Op[] = [];
  if (e.verdict !== 'safe') ops.push({ op: 'set', path: ['expect', 'verdict'], value: 'safe' });
  if (e.fires !== undefined) ops.push({ op: 'delete', path: ['expect', 'fires'] });
  if ((pin || e.vacuous !== undefined) && JSON.stringify(e.vacuous) !== JSON.stringify(vacuous)) ops.push({ op: 'set', path: ['expect', 'vacuous'], value: vacuous });
  return ops;
}

export function patchedData(data: Raw, ops: Op[]): Raw {
  const out = structuredClone(data);
  applyToData(out, ops);
  return out;
}
