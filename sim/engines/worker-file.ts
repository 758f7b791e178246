// Where a worker thread's script is: compiled code has it beside this file; tests that run the
// TypeScript sources use the compiled one under dist/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../model/package-root.js';

// `name`: the worker's compiled file in sim/engines, e.g. 'chaos-worker.js'; `what`: its name in
// the message when it is not built
export function workerFile(name: string, what: string): string {
  const here = fileURLToPath(new URL(`./${name}`, import.meta.url));
  if (existsSync(here)) return here;
  const built = join(packageRoot(), 'dist', 'sim', 'engines', name);
  if (existsSync(built)) return built;
  throw new Error(`rollsafe: the ${what} is not built: run \`npm run build\` (tsc) first`);
}
