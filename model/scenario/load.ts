// The file edge of scenario loading: reading files and folders. Everything after the read is
// pure (parse.ts, compile.ts).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CompiledScenario } from '../types.js';
import { compileScenario } from './compile.js';
import { ScenarioError, parseScenarioText } from './parse.js';

export { ScenarioError };

export function loadScenarioText(text: string, file: string, overrides: { maxFaults?: number } = {}): CompiledScenario {
  const s = compileScenario(parseScenarioText(text, file), overrides);
  if (overrides.maxFaults !== undefined) {
    s.faultBudget = overrides.maxFaults;
    s.bounds.maxFaults = overrides.maxFaults;
  }
  return s;
}

export function readScenarioFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError(path, 1, 1, `cannot read the file: ${(e as Error).message}`, 'check the path');
  }
}

export function loadScenarioFile(path: string, overrides: { maxFaults?: number } = {}): CompiledScenario {
  return loadScenarioText(readScenarioFile(path), displayPath(path), overrides);
}

// Scenario files under a path: the file itself, or every *.yaml / *.yml below a folder, sorted.
export function listScenarioFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ScenarioError(path, 1, 1, 'no such file or folder', 'pass a scenario file (.yaml) or a folder of them');
  }
  if (st.isFile()) return [path];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(name)) out.push(full);
    }
  };
  walk(path);
  if (out.length === 0) throw new ScenarioError(path, 1, 1, 'the folder holds no scenario files (*.yaml)', 'pass a folder that contains scenarios');
  return out;
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
