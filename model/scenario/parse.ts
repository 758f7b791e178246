// YAML text -> plain object, validated against scenario.schema.json, with every problem
// reported at file:line:column with a fix. No file access here: see load.ts.
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from 'yaml';
import type { ErrorObject } from 'ajv';
import { SCENARIO_SCHEMA, SCENARIO_SCHEMA_FILE, scenarioValidator } from './validator.js';
import { quoteValue } from '../quote.js';
import { nearestName } from './nearest.js';
import { MAX_ALIAS_USES, type TextProblem, checkDocument, checkText, deepProblem, firstAliasOffset, yamlErrorProblem } from './yaml-text.js';

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly problem: string,
    readonly fix: string,
  ) {
    // line 0: the problem is the file itself (missing, unreadable), not a place in it
    super(`${line > 0 ? `${file}:${line}:${column}` : file}: ${problem}\n  fix: ${fix}`);
    this.name = 'ScenarioError';
  }
}

// Several problems of one file, reported together in file order. Its own file, place, problem
// and fix are the most telling of them (the deepest), what a caller that reads one gets.
export class ScenarioErrors extends ScenarioError {
  constructor(
    readonly all: ScenarioError[],
    primary: ScenarioError,
  ) {
    const first = all[0];
    super(primary.file, primary.line, primary.column, primary.problem, primary.fix);
    this.name = 'ScenarioErrors';
    const shown = all.slice(0, MAX_ERRORS_SHOWN);
    const more = all.length > shown.length ? `\n(and ${all.length - shown.length} more)` : '';
    this.message = `${shown.map((e) => e.message).join('\n')}${more}\n${all.length} problems in ${first.file}`;
  }
}

export type Path = (string | number)[];

export interface ParsedScenario {
  file: string;
  data: Record<string, unknown>;
  // where a value (or, with key=true, its key) sits in the file
  place(path: Path, key?: boolean): { line: number; column: number };
  fail(path: Path, problem: string, fix: string, key?: boolean): never;
}

export { SCENARIO_SCHEMA, SCENARIO_SCHEMA_FILE };

const validate = await scenarioValidator();

export function parseScenarioText(text: string, file: string): ParsedScenario {
  const lc = new LineCounter();
  const failAt = (t: TextProblem): never => {
    const pos = lc.linePos(t.offset);
    throw new ScenarioError(file, pos.line, pos.col, t.problem, t.fix);
  };
  const early = checkText(text);
  if (early) {
    // the line counter is filled by parsing: count the lines up to the offset here instead
    const before = text.slice(0, early.offset);
    const line = before.split('\n').length;
    throw new ScenarioError(file, line, early.offset - before.lastIndexOf('\n'), early.problem, early.fix);
  }
  // YAML 1.2's core schema whatever a %YAML directive says: 1.1 would read `yes` as true and
  // 1:30 as 90, and merge `<<` keys
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, schema: 'core', version: '1.2' });
  } catch (e) {
    if (e instanceof RangeError) failAt(deepProblem(0));
    throw e;
  }
  if (doc.errors.length > 0) failAt(yamlErrorProblem(doc.errors[0]));
  const shape = checkDocument(doc);
  if (shape) failAt(shape);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_USES });
  } catch (e) {
    if (e instanceof RangeError) failAt(deepProblem(0));
    if (!(e instanceof ReferenceError)) throw e;
    // anchors used in anchors: the count yaml guards is the product of the uses
    failAt({ offset: firstAliasOffset(doc), problem: 'the aliases in this file expand to too many values (aliases inside anchored values multiply)', fix: 'write the repeated values out, or use fewer aliases' });
  }
  const placeAt = (offset: number | undefined) => {
    const p = lc.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };
  const place = (path: Path, key = false) => placeAt(offsetOf(doc, path, key));
  const parsed: ParsedScenario = {
    file,
    data: (data ?? {}) as Record<string, unknown>,
    place,
    fail(path, problem, fix, key = false): never {
      const p = place(path, key);
      throw new ScenarioError(file, p.line, p.column, problem, fix);
    },
  };
  if (data === null || data === undefined) {
    parsed.fail([], 'the file holds no scenario (it is empty, or only comments)', 'start from an example in scenarios/ (scenario:, system:, runbook:, ...)');
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    parsed.fail([], `a scenario must be a YAML mapping (scenario:, system:, runbook:, ...), not ${Array.isArray(data) ? 'a list' : quoteValue(data)}`, 'start from an example in scenarios/');
  }
  if (!validate(data)) {
    const errors = validate.errors ?? [];
    const all = schemaErrors(parsed, errors);
    throw all.length === 1 ? all[0] : new ScenarioErrors(all, asError(() => reportSchemaError(parsed, pickError(errors))));
  }
  return parsed;
}

// Every place the schema refuses, once each, in file order: a file with three typos is fixed in
// one run, not three. (Past the schema, compile's checks still stop at the first problem: they
// need the names the file declares to be sound.)
export const MAX_ERRORS_SHOWN = 20;

function schemaErrors(p: ParsedScenario, errors: ErrorObject[]): ScenarioError[] {
  // ajv reports one error per failing keyword: group them by the value (or key) they are about,
  // and report the most telling one of each group, as for a single error
  const groups = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const extra = e.keyword === 'additionalProperties' ? `/${(e.params as { additionalProperty: string }).additionalProperty}` : '';
    const key = `${e.instancePath}${extra}${e.propertyName !== undefined ? `#${e.propertyName}` : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const keys = [...groups.keys()];
  // a combinator's summary ("property name must be valid", "must match a schema in anyOf") is
  // noise beside the complaints inside the value it is about
  const SUMMARY = new Set(['propertyNames', 'anyOf', 'oneOf', 'allOf', 'if', 'not', 'contains']);
  const inner = keys.filter((k) => !(groups.get(k)!.every((e) => SUMMARY.has(e.keyword)) && keys.some((o) => o !== k && (o.startsWith(`${k}/`) || o.startsWith(`${k}#`)))));
  const out: ScenarioError[] = [];
  const seen = new Set<string>();
  for (const k of inner) {
    const e = asError(() => reportSchemaError(p, pickError(groups.get(k)!)));
    const id = `${e.line}:${e.column}:${e.problem}`;
    if (!seen.has(id)) out.push(e);
    seen.add(id);
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

// reportSchemaError throws what it finds (fail never returns); here it is wanted as a value
function asError(report: () => never): ScenarioError {
  try {
    report();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
}

// Offset of the node at `path`, or of its key; falls back to the nearest existing parent.
function offsetOf(doc: Document, path: Path, key: boolean): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const sub = path.slice(0, depth);
    if (key && depth === path.length && depth > 0) {
      const parent = sub.length > 1 ? doc.getIn(sub.slice(0, -1), true) : doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === sub[sub.length - 1]);
        if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
      }
    }
    const node = (sub.length === 0 ? doc.contents : doc.getIn(sub, true)) as Node | null | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) return node.range[0];
  }
  return 0;
}

// Prefer the most specific, most actionable error ajv found.
function pickError(errors: ErrorObject[]): ErrorObject {
  const rank = (e: ErrorObject) =>
    ({ additionalProperties: 0, enum: 1, required: 2, type: 3, minimum: 4 })[e.keyword as string] ?? 5;
  return [...errors].sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length || Number(b.propertyName !== undefined) - Number(a.propertyName !== undefined) || rank(a) - rank(b))[0];
}

function pathOf(e: ErrorObject): Path {
  return e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function schemaAt(path: Path): Record<string, unknown> | undefined {
  let s: Record<string, unknown> | undefined = SCENARIO_SCHEMA;
  for (const seg of path) {
    if (!s) return undefined;
    if (typeof seg === 'number') s = s.items as Record<string, unknown> | undefined;
    else s = (s.properties as Record<string, Record<string, unknown>> | undefined)?.[seg];
  }
  return s;
}

function where(path: Path): string {
  return path.length ? path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1) : 'the top level';
}

function reportSchemaError(p: ParsedScenario, e: ErrorObject): never {
  const path = pathOf(e);
  const at = where(path);
  // a map keyed by names (upgrade.to, key-id-schemes) with a key that is not one
  if (e.propertyName !== undefined) {
    p.fail([...path, e.propertyName], `the key ${quoteName(e.propertyName)} in ${at} is not a name`, 'use letters, digits and . _ + - (at most 128 characters), the name of what it refers to', true);
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((schemaAt(path)?.properties as object) ?? {});
      if (extra === '<<') p.fail([...path, extra], `a YAML merge key (<<) in ${at}: scenarios are read as YAML 1.2, which has no merge keys`, 'write the keys out (an alias *name can repeat a whole value, not merge maps)', true);
      p.fail([...path, extra], `unknown key ${quoteName(extra)} in ${at}`, useOneOf(extra, allowed, allowed.length), true);
    }
    // falls through (fail never returns)
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const value = getIn(p.data, path);
      const what = path.some((x) => x === 'each-node' || x === 'after-all' || x === 'steps')
        ? 'step'
        : path.includes('before-you-start')
          ? 'precondition'
          : path.includes('guards')
            ? 'rollback guard'
            : path.includes('properties') || path.includes('fires')
              ? 'property'
              : 'value';
      p.fail(path, `unknown ${what} ${quoteName(value)} in ${at}`, useOneOf(value, allowed, allowed.length));
    }
    // falls through
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      p.fail(path, `${at} is missing '${missing}'`, `add '${missing}:' to ${at}`);
    }
    // falls through
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum': {
      const value = getIn(p.data, path);
      const bound = String(e.message).replace(/^must be /, '');
      p.fail(path, `${at} is ${quoteValue(value)}, but it ${e.message}`, `set ${at} to a value ${bound}`);
    }
    // falls through
    default:
      p.fail(path, `${at} ${e.message}`, describeExpected(path));
  }
}

function describeExpected(path: Path): string {
  const s = schemaAt(path);
  const d = s?.description ? ` (${String(s.description)})` : '';
  const range = s?.minimum !== undefined && s?.maximum !== undefined ? ` from ${fmt(s.minimum)} to ${fmt(s.maximum)}` : '';
  const type = Array.isArray(s?.type) ? s.type.join(' or ') : String(s?.type ?? 'value');
  return `make ${where(path)} a valid ${type === 'integer' ? 'whole number' : type}${range}${d}; see model/scenario/scenario.schema.json`;
}

const fmt = (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-US') : String(n));

// A name as the corpus's messages show it ('name'), unless it needs quoting to be read safely.
export function quoteName(v: unknown): string {
  return typeof v === 'string' && /^[A-Za-z0-9._+<-]{1,60}$/.test(v) ? `'${v}'` : quoteValue(v);
}

// The fix for a name that is not one of `names`: the one it is likely a typo of, else the list.
export function useOneOf(typed: unknown, names: readonly unknown[], max = 10): string {
  const near = nearestName(typed, names);
  return near !== null ? `did you mean '${near}'?` : `use one of: ${listOf(names, max)}`;
}

// Names offered in a fix ("use one of: ..."): a file may declare thousands, a message needs ten.
export function listOf(names: readonly unknown[], max = 10): string {
  const shown = names.slice(0, max).map(String).join(', ');
  return names.length > max ? `${shown} (and ${(names.length - max).toLocaleString('en-US')} more)` : shown;
}

export function getIn(data: unknown, path: Path): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}
