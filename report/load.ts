// The report's input edge: reading result files and checking that they are rollsafe results
// before anything is rendered, so a wrong file fails with its name and the fix instead of a
// half-drawn page. Accepts what `--json FILE` writes (rollsafe/results@1) and a bare
// RunResult (rollsafe/result@1).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Coverage, type NoReturnPoint, type RunResult, RESULT_SCHEMA, RESULT_SET_SCHEMA } from '../sim/result.js';

// Fields the explorer is still growing are optional here: the report says "not computed"
// rather than refusing results written before they existed.
export type LoadedCoverage = Omit<Coverage, 'combinations' | 'faultsByStep'> & Partial<Pick<Coverage, 'combinations' | 'faultsByStep'>>;
export type LoadedResult = Omit<RunResult, 'coverage' | 'pointOfNoReturn'> & {
  coverage: LoadedCoverage;
  pointOfNoReturn?: NoReturnPoint[];
};

export interface ResultFile {
  path: string; // as the user named it: shown in the report and in replay commands
  command: string | null;
  partial: boolean;
  results: LoadedResult[];
}

export class ResultFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
    fix: string,
  ) {
    super(`${file}: ${problem}; ${fix}`);
  }
}

const FIX = 'pass a file written by `rollsafe check --json FILE` (or chaos/fuzz/merge --json)';

export function parseResultText(text: string, file: string): ResultFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ResultFileError(file, `not valid JSON (${(e as Error).message})`, FIX);
  }
  if (!isObject(doc)) throw new ResultFileError(file, 'the top level is not a JSON object', FIX);
  if (doc.schema === RESULT_SET_SCHEMA) {
    if (!Array.isArray(doc.results)) throw new ResultFileError(file, '"results" is missing or not a list', FIX);
    const results = doc.results.map((r, i) => checkResult(r, file, `results[${i}]`));
    return {
      path: file,
      command: typeof doc.command === 'string' ? doc.command : null,
      partial: doc.partial === true,
      results,
    };
  }
  if (doc.schema === RESULT_SCHEMA) return { path: file, command: null, partial: false, results: [checkResult(doc, file, '(top level)')] };
  const got = typeof doc.schema === 'string' ? `"${doc.schema}"` : 'missing';
  throw new ResultFileError(file, `"schema" is ${got}, expected "${RESULT_SET_SCHEMA}" or "${RESULT_SCHEMA}"`, FIX);
}

// Only the fields the report reads are checked, deep enough that rendering cannot trip on a
// missing one.
function checkResult(r: unknown, file: string, where: string): LoadedResult {
  const bad = (what: string): never => {
    throw new ResultFileError(file, `${where}: ${what}`, FIX);
  };
  if (!isObject(r)) return bad('is not an object');
  if (r.schema !== RESULT_SCHEMA) bad(`"schema" is ${JSON.stringify(r.schema)}, expected "${RESULT_SCHEMA}"`);
  if (!isObject(r.scenario) || typeof r.scenario.name !== 'string') bad('"scenario.name" is missing');
  if (!isObject(r.figures) || typeof r.figures.states !== 'number') bad('"figures.states" is missing');
  if (!isObject(r.coverage) || !isObject(r.coverage.runbookSteps)) bad('"coverage.runbookSteps" is missing');
  if (!Array.isArray(r.properties)) bad('"properties" is not a list');
  if (!Array.isArray(r.violations)) bad('"violations" is not a list');
  if (!Array.isArray(r.boundsHit)) bad('"boundsHit" is not a list');
  (r.violations as unknown[]).forEach((v, i) => {
    if (!isObject(v) || typeof v.property !== 'string') bad(`violations[${i}].property is missing`);
    const vv = v as Record<string, unknown>;
    if (!Array.isArray(vv.trace) || vv.trace.length === 0) bad(`violations[${i}].trace is missing or empty`);
    if (!isObject(vv.blast)) bad(`violations[${i}].blast is missing`);
    (vv.trace as unknown[]).forEach((t, j) => {
      if (!isObject(t) || !isObject(t.world) || !Array.isArray(t.world.nodes) || !Array.isArray(t.world.records)) {
        bad(`violations[${i}].trace[${j}].world is missing its nodes or records`);
      }
    });
  });
  return r as unknown as LoadedResult;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function readResultFile(path: string): ResultFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ResultFileError(path, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'check the path');
  }
  return parseResultText(text, path);
}

// A folder argument stands for the result files directly inside it, sorted, so the report's
// order does not depend on the file system.
export function expandResultPaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new ResultFileError(p, 'no such file or folder', 'check the path');
    }
    if (st.isDirectory()) {
      const found = readdirSync(p)
        .filter((n) => n.endsWith('.json'))
        .sort()
        .map((n) => join(p, n));
      if (found.length === 0) throw new ResultFileError(p, 'the folder holds no result files (*.json)', FIX);
      out.push(...found);
    } else out.push(p);
  }
  return out;
}

export function readResultFiles(paths: string[]): ResultFile[] {
  return expandResultPaths(paths).map(readResultFile);
}
