// The file edge of --sarif: reads each result's scenario file (for the lines its violations
// point at) and writes the SARIF log. A scenario that cannot be read any more (merge reading
// results from another machine) still gets its results, located at the file alone.
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunResult, Violation } from '../results/result.js';
import { type Output, writeOutput } from '../results/output.js';
import { type SarifSource, toSarif } from '../results/sarif.js';

export const SARIF_FLAG_DOC = 'write SARIF 2.1.0 (one result per violation, at the scenario line that completes it) for code scanning';

export interface SarifRun {
  category: string; // check, fuzz, chaos, merge, diff/<head file>
  // the folder each result's scenario path starts from (default: where the command runs)
  rootOf?: (r: RunResult) => string;
  baseline?: (v: Violation) => 'new' | 'unchanged';
}

export function writeSarif(out: Output, results: RunResult[], run: SarifRun): void {
  const cwd = process.cwd();
  const sources = new Map<string, SarifSource>();
  for (const r of results) {
    if (sources.has(r.scenario.file)) continue;
    const full = resolve(run.rootOf?.(r) ?? cwd, r.scenario.file);
    const rel = relative(cwd, full);
    // a file outside the folder the command ran in keeps its absolute URI
    const uri = rel.startsWith('..') || isAbsolute(rel) ? pathToFileURL(full).href : encodeURI(rel.split(sep).join('/'));
    let text: string | null;
    try {
      text = readFileSync(full, 'utf8');
    } catch {
      text = null;
    }
    sources.set(r.scenario.file, { uri, text });
  }
  const log = toSarif(results, {
    category: run.category,
    commandLine: `rollsafe ${process.argv.slice(2).join(' ')}`,
    sources: (file) => sources.get(file) ?? { uri: encodeURI(file), text: null },
    baseline: run.baseline,
  });
  writeOutput(out, `${JSON.stringify(log, null, 2)}\n`);
}
