import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled code runs from dist/, sources from the repo: both sit under the package root,
// where package.json and the published schemas live.
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('rollsafe: cannot find its package root');
    dir = up;
  }
  return dir;
}
