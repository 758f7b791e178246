// The one way rollsafe reads a result file back: report, serve, merge and replay all come
// through here. The file is parsed, its nesting bounded, and the whole of it validated against
// docs/result.schema.json before any reader touches a field, so a damaged or hand-edited file
// fails with its name, the JSON path of the first problem and how to fix it, instead of a
// TypeError half-way through a merge or markup in a report. Accepts what `--json FILE` writes
// (rollsafe/results@1) and a bare RunResult (rollsafe/result@1).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { packageRoot } from '../../model/package-root.js';
import { quoteValue } from '../../model/quote.js';
import { RESULT_SCHEMA, RESULT_SET_SCHEMA, type Coverage, type NoReturnPoint, type RunResult } from './result.js';

// Results written by earlier builds lack these; the schema lets them be absent and readers
// treat them as "not computed" (the report) or as nothing recorded (merge).
export type LoadedCoverage = Omit<Coverage, 'combinations' | 'faultsByStep' | 'positions'> & Partial<Pick<Coverage, 'combinations' | 'faultsByStep' | 'positions'>>;
export type LoadedResult = Omit<RunResult, 'coverage' | 'pointOfNoReturn'> & {
  coverage: LoadedCoverage;
  pointOfNoReturn?: NoReturnPoint[];
};

export interface ResultFile {
  path: string; // as the user named it: shown in the report and in replay commands
  command: string | null;
  partial: boolean;
  scenarioRoot?: string; // see ResultSet.scenarioRoot
  results: LoadedResult[];
}

export class ResultFileError extends Error {
  constructor(
    readonly file: string,
    readonly where: string | null, // JSON path of the problem, null for the file as a whole
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${file}: ${where ? `${where}: ` : ''}${problem}; ${fix}`);
  }
}

export const RESULT_FILE_FIX = 'pass a file written by `rollsafe check --json FILE` (or chaos/fuzz/merge --json)';
const REPAIR_FIX = `${RESULT_FILE_FIX}, or repair that field`;

// Real results nest about ten levels deep (results, violations, trace, world, backup,
// contents). The free-form objects (options, replay tokens) are not walked by the schema, and
// JSON.stringify and structuredClone recurse: a file nested thousands deep would overflow the
// stack in merge or the report, so depth is bounded before anything else looks at it.
export const MAX_NESTING = 32;

let validators: { set: ValidateFunction; result: ValidateFunction } | null = null;

function compiled(): { set: ValidateFunction; result: ValidateFunction } {
  if (validators) return validators;
  const schema = JSON.parse(readFileSync(join(packageRoot(), 'docs/result.schema.json'), 'utf8')) as { $id: string };
  // strict off: the schema uses draft-07 union types ("integer" or "null") that strict mode flags
  // ajv loads when a result file is first read, not at every command's start-up
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
  const set = ajv.compile(schema);
  const result = ajv.getSchema(`${schema.$id}#/definitions/result`);
  if (!result) throw new Error('docs/result.schema.json has no definitions/result');
  validators = { set, result };
  return validators;
}

export function parseResultText(text: string, file: string): ResultFile {
  return validateResultDoc(parseJson(text, file), file);
}

function parseJson(text: string, file: string): unknown {
  try {
    // an editor's byte-order mark is not damage
    return JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (e) {
    // V8's message quotes the text around the error: control characters in it are made visible
    throw new ResultFileError(file, null, `not valid JSON (${quoteValue((e as Error).message, 120)})`, RESULT_FILE_FIX);
  }
}

// For data already parsed (merge's library callers): the same checks as a file gets.
export function validateResultDoc(doc: unknown, file: string): ResultFile {
  if (!isObject(doc)) throw new ResultFileError(file, null, `the top level is ${describeValue(doc)}, not a JSON object`, RESULT_FILE_FIX);
  checkNesting(doc, file);
  if (doc.schema === RESULT_SET_SCHEMA) {
    const { set } = compiled();
    if (!set(doc)) throw schemaError(set.errors ?? [], file);
    const root = typeof doc.scenarioRoot === 'string' ? { scenarioRoot: doc.scenarioRoot } : {};
    return { path: file, command: doc.command as string, partial: doc.partial as boolean, ...root, results: checkResults(doc.results as LoadedResult[], file, 'results') };
  }
  if (doc.schema === RESULT_SCHEMA) {
    const { result } = compiled();
    if (!result(doc)) throw schemaError(result.errors ?? [], file);
    return { path: file, command: null, partial: false, results: checkResults([doc as unknown as LoadedResult], file, null) };
  }
  const got = doc.schema === undefined ? 'missing' : quoteValue(doc.schema);
  throw new ResultFileError(file, null, `"schema" is ${got}, expected "${RESULT_SET_SCHEMA}" or "${RESULT_SCHEMA}"`, RESULT_FILE_FIX);
}

export function readResultFile(path: string): ResultFile {
  return validateResultDoc(readResultDoc(path), path);
}

// Read and parsed, not yet checked: for callers that validate into their own shape (merge).
export function readResultDoc(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ResultFileError(path, null, 'no such file', 'check the path: pass a file written by `rollsafe check --json FILE` (or chaos/fuzz/merge --json)');
    if (code === 'EISDIR') throw new ResultFileError(path, null, 'is a folder, not a result file', 'pass a result file (.json)');
    throw new ResultFileError(path, null, `cannot read the file (${code ?? (e as Error).message})`, 'check the path');
  }
  return parseJson(text, path);
}

// An explicit stack, not recursion: the point is to survive what would overflow one.
function checkNesting(doc: object, file: string): void {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: doc, depth: 1, path: '' }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_NESTING) {
      throw new ResultFileError(file, path || null, `nested deeper than ${MAX_NESTING} levels, which no rollsafe result is`, REPAIR_FIX);
    }
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, depth: depth + 1, path: `${path}[${i}]` }));
    else for (const [k, x] of Object.entries(v)) stack.push({ v: x, depth: depth + 1, path: joinPath(path, k) });
  }
}

// What the schema cannot say: trace steps are numbered by position (the report marks the last
// as failing, replay indexes worlds by it) and an exposure names steps of its own trace.
function checkResults(results: LoadedResult[], file: string, base: string | null): LoadedResult[] {
  results.forEach((r, ri) => {
    const at = base === null ? '' : `${base}[${ri}]`;
    r.violations.forEach((v, vi) => {
      const vp = joinPath(at, 'violations') + `[${vi}]`;
      v.trace.forEach((t, ti) => {
        if (t.index !== ti) throw new ResultFileError(file, `${vp}.trace[${ti}].index`, `is ${t.index}, but the step is number ${ti} in its trace`, REPAIR_FIX);
      });
      const last = v.trace.length - 1;
      for (const k of ['latentStep', 'manifestStep'] as const) {
        const step = v.exposure?.[k];
        if (typeof step === 'number' && step > last) throw new ResultFileError(file, `${vp}.exposure.${k}`, `is ${step}, but the trace ends at step ${last}`, REPAIR_FIX);
      }
    });
  });
  return results;
}

// The first problem ajv found, said in the file's terms. allErrors is on so that a oneOf
// (expect: null or an object) can be reported as one choice rather than two complaints.
function schemaError(errors: ErrorObject[], file: string): ResultFileError {
  const real = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
  // the deepest error is the most specific: a missing field inside a violation, not "expect must be null"
  const pick = [...real].sort((a, b) => depthOf(b.instancePath) - depthOf(a.instancePath))[0] ?? errors[0];
  const where = pointerToPath(pick.instancePath);
  if (pick.keyword === 'type') {
    const wanted = real.filter((e) => e.keyword === 'type' && e.instancePath === pick.instancePath).flatMap((e) => String((e.params as { type: string }).type).split(','));
    return new ResultFileError(file, where || null, `must be ${unique(wanted).map(typeName).join(' or ')}, got ${describeValue(pick.data)}`, REPAIR_FIX);
  }
  return new ResultFileError(file, describeWhere(pick, where), describeProblem(pick), REPAIR_FIX);
}

function describeWhere(e: ErrorObject, where: string): string | null {
  const p = e.params as { missingProperty?: string; additionalProperty?: string };
  if (e.keyword === 'required' && p.missingProperty) return joinPath(where, p.missingProperty);
  if (e.keyword === 'additionalProperties' && p.additionalProperty !== undefined) return joinPath(where, p.additionalProperty);
  return where || null;
}

function describeProblem(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return 'is missing';
    case 'additionalProperties':
      return 'is not a field rollsafe writes here';
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}, got ${describeValue(e.data)}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}, got ${describeValue(e.data)}`;
    case 'minimum':
    case 'maximum':
      return `must be from 0 to ${(1e15).toLocaleString('en-US')} (a count, a step or a time), got ${describeValue(e.data)}`;
    case 'minItems':
      return 'must not be empty';
    case 'pattern':
      // the only pattern in the schema is options.shard
      return `must look like ${e.instancePath.endsWith('/shard') ? '"2/5" (shard 2 of 5)' : `the pattern ${p.pattern as string}`}, got ${describeValue(e.data)}`;
    default:
      return `${e.message ?? 'is not valid'}, got ${describeValue(e.data)}`;
  }
}

function typeName(t: string): string {
  return ({ integer: 'a whole number', number: 'a number', string: 'a string', array: 'a list', object: 'an object', boolean: 'true or false', null: 'null' } as Record<string, string>)[t] ?? t;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list (${quoteValue(v, 40)})`;
  if (typeof v === 'object') return `an object (${quoteValue(v, 40)})`;
  return quoteValue(v);
}

// "/results/0/violations/2/blast" -> "results[0].violations[2].blast"
function pointerToPath(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, seg) => (/^\d+$/.test(seg) ? `${path}[${seg}]` : joinPath(path, seg)), '');
}

// Keys from the file go into messages too: odd ones are quoted, with control characters shown.
function joinPath(path: string, key: string): string {
  const seg = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : `[${quoteValue(key)}]`;
  return seg.startsWith('[') || !path ? `${path}${seg}` : `${path}.${seg}`;
}

function depthOf(pointer: string): number {
  return pointer ? pointer.split('/').length : 0;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
