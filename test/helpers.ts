import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarioFile, loadScenarioText } from '../model/scenario/load.js';
import type { CompiledScenario } from '../model/types.js';

export const ROOT = join(import.meta.dirname, '..');
export const BAO = join(ROOT, 'scenarios/bao-kms-provider');
export const CLI = join(ROOT, 'dist/sim/cli/main.js');

export function bao(name: string): CompiledScenario {
  return loadScenarioFile(join(BAO, `${name}.yaml`));
}

// The bao scenario with text replaced, for small variations (node count, budget).
export function baoWith(name: string, edits: [string, string][]): CompiledScenario {
  let text = readFileSync(join(BAO, `${name}.yaml`), 'utf8');
  for (const [a, b] of edits) {
    if (!text.includes(a)) throw new Error(`edit target not found: ${a}`);
    text = text.replace(a, b);
  }
  return loadScenarioText(text, `${name}.yaml (edited)`);
}

// Any corpus scenario (path under scenarios/) with text replaced, like baoWith.
export function scenarioWith(path: string, edits: [string, string][]): CompiledScenario {
  let text = readFileSync(join(ROOT, 'scenarios', path), 'utf8');
  for (const [a, b] of edits) {
    if (!text.includes(a)) throw new Error(`edit target not found in ${path}: ${a}`);
    text = text.replace(a, b);
  }
  return loadScenarioText(text, `${path} (edited)`);
}

export function rollsafe(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
