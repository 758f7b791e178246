// The report's entry points: result files in, one self-contained HTML page out. Reading and
// writing happen only in the functions named for them; everything between is pure.
import { writeFileAtomic } from '../sim/results/output.js';
import { analyse } from './analysis.js';
import { readChartJs } from './assets.js';
import { type ResultFile, readResultFiles } from './load.js';
import { renderReport } from './render-page.js';

export { ResultFileError, parseResultText, readResultFile, readResultFiles, expandResultPaths } from './load.js';
export type { ResultFile } from './load.js';

export function reportHtml(files: ResultFile[], title?: string): string {
  return renderReport(analyse(files), { chartJs: readChartJs(), title });
}

// Every input is read and checked before the output is touched: a bad file leaves no report.
export function writeReportFile(inputs: string[], out: string): { bytes: number; results: number; violations: number } {
  const files = readResultFiles(inputs);
  const html = reportHtml(files);
  writeFileAtomic(out, html, '--output');
  const results = files.reduce((n, f) => n + f.results.length, 0);
  const violations = files.reduce((n, f) => n + f.results.reduce((m, r) => m + r.violations.length, 0), 0);
  return { bytes: Buffer.byteLength(html), results, violations };
}
