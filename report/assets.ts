// The report's asset edge: chart.js's browser bundle, read from the installed package so the
// page can inline it. chart.js's exports map hides the UMD file, so it is found next to the
// resolved entry point.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: string | null = null;

export function readChartJs(): string {
  if (cached !== null) return cached;
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  // The source-map comment would make dev tools try to fetch a file the page does not carry.
  cached = readFileSync(file, 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
  return cached;
}
