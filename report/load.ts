// The report's input edge: which files a list of paths and folders names. Reading and checking
// each file is sim/results/result-file.ts, shared with merge and replay, so every reader refuses the
// same damage with the same message.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RESULT_FILE_FIX, ResultFileError, readResultFile, type ResultFile } from '../sim/results/result-file.js';

export { ResultFileError, parseResultText, readResultFile } from '../sim/results/result-file.js';
export type { LoadedCoverage, LoadedResult, ResultFile } from '../sim/results/result-file.js';

// A folder argument stands for the result files directly inside it, sorted, so the report's
// order does not depend on the file system.
export function expandResultPaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new ResultFileError(p, null, 'no such file or folder', 'check the path');
    }
    if (st.isDirectory()) {
      const found = readdirSync(p)
        .filter((n) => n.endsWith('.json'))
        .sort()
        .map((n) => join(p, n));
      if (found.length === 0) throw new ResultFileError(p, null, 'the folder holds no result files (*.json)', RESULT_FILE_FIX);
      out.push(...found);
    } else out.push(p);
  }
  return out;
}

export function readResultFiles(paths: string[]): ResultFile[] {
  return expandResultPaths(paths).map(readResultFile);
}
