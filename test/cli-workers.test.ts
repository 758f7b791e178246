// `check --workers`: worker threads expand the wide levels, and the result file cannot tell.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ResultSet } from '../sim/results/result.js';
import { tempDir } from './helpers/corpus.js';
import { stripTimings } from './engine-helpers.js';
import { BAO, cliEnv } from './helpers.js';

const MAIN = 'dist/sim/cli/main.js';
const cli = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: cliEnv() });
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as ResultSet;

describe('rollsafe check --workers', () => {
  test('4 nodes without symmetry (346,836 states, levels of thousands): --workers 3 writes the JSON of --workers 1', () => {
    const dir = tempDir('cli-workers');
    const file = join(dir, 'rotation-4.yaml');
    writeFileSync(file, readFileSync(join(BAO, 'broken-upgrade-during-rotation.yaml'), 'utf8').replace('nodes: 3', 'nodes: 4'));
    const run = (workers: string) => {
      const r = cli(['check', file, '--no-symmetry', '--workers', workers, '--json', join(dir, `w${workers}.json`)]);
      expect(r.stderr).not.toMatch(/error|worker failed/i);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('346,836 states');
      return read(join(dir, `w${workers}.json`));
    };
    const one = run('1');
    const three = run('3');
    expect(one.results[0].options).not.toHaveProperty('workers');
    expect(one.results[0].violations.map((v) => [v.property, v.trace.length - 1])).toEqual([['no-unknown-key-id-decrypt', 8]]);
    expect(JSON.stringify(stripTimings({ ...three, command: '' }))).toBe(JSON.stringify(stripTimings({ ...one, command: '' })));
  }, 120_000);

  test('--workers 0 is refused with the range, exit 2', () => {
    const r = cli(['check', join(BAO, 'upgrade.yaml'), '--workers', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--workers.*(at least 1|1 to 256|between 1 and 256)/);
  });
});
