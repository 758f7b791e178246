// Editors that run yaml-language-server (VS Code's YAML extension, Neovim, Helix...) validate a
// file against the schema its first line names: every corpus scenario names the scenario
// schema by a path relative to itself, so completion and errors work in a checkout.
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SCENARIO_SCHEMA_FILE } from '../model/scenario/parse.js';
import { ROOT } from './helpers.js';

const LINE = /^# yaml-language-server: \$schema=(\S+)\n/;
const files = readdirSync(join(ROOT, 'scenarios'), { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => join(ROOT, 'scenarios', f))
  .sort();

describe('the editor schema line', () => {
  test('the corpus has scenarios to check', () => {
    expect(files.length).toBeGreaterThan(70);
  });

  test.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('%s names the scenario schema on its first line', (_, file) => {
    const m = LINE.exec(readFileSync(file, 'utf8'));
    expect(m, 'first line: # yaml-language-server: $schema=<path to model/scenario/scenario.schema.json>').not.toBeNull();
    // relative, so that it works wherever the repository is checked out
    expect(m![1]).not.toMatch(/^(\/|[a-z]+:)/);
    expect(realpathSync(resolve(dirname(file), m![1]))).toBe(realpathSync(SCENARIO_SCHEMA_FILE));
  });
});
