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

// The environment a CLI test runs rollsafe in: as CI, and with no colour setting of the
// developer's (FORCE_COLOR, NO_COLOR) leaking into what the tests read.
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', ...extra };
  for (const k of ['FORCE_COLOR', 'NO_COLOR']) if (!(k in extra)) delete env[k];
  return env;
}

export function rollsafe(args: string[], cwd = ROOT, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: cliEnv(env) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
