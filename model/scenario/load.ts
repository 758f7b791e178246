// The file edge of scenario loading: reading files and folders. Everything after the read is
// pure (parse.ts, compile.ts).
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CompiledScenario } from '../types.js';
import { compileScenario } from './compile.js';
import { ScenarioError, parseScenarioText } from './parse.js';
import { MAX_SCENARIO_CHARS } from './yaml-text.js';
import { quoteValue } from '../quote.js';

export { ScenarioError };

export function loadScenarioText(text: string, file: string, overrides: { maxFaults?: number; maxDepth?: number } = {}): CompiledScenario {
  return compileScenario(parseScenarioText(text, file), overrides);
}

// A scenario is a regular file of UTF-8 text, at most MAX_SCENARIO_CHARS long: a device, a
// pipe or a folder passed where a file is meant is refused before it is read (reading a pipe
// could wait for ever), and bytes that are not UTF-8 are an error at their place, not U+FFFD.
export function readScenarioFile(path: string): string {
  const st = statPath(path);
  if (st.isDirectory()) throw new ScenarioError(path, 0, 0, 'is a folder, not a scenario file', 'pass one scenario file (.yaml)');
  if (!st.isFile()) throw notRegular(path);
  if (st.size > MAX_SCENARIO_CHARS * 4) throw tooLarge(path, st.size);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw fileError(path, e);
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const before = bytes.subarray(0, bad).toString('utf8');
    const line = before.split('\n').length;
    const column = [...before.slice(before.lastIndexOf('\n') + 1)].length + 1;
    throw new ScenarioError(displayPath(path), line, column, `the file is not UTF-8 text: byte 0x${bytes[bad].toString(16).padStart(2, '0')} here is not valid UTF-8`, 'save the file as UTF-8');
  }
  return bytes.toString('utf8');
}

export function loadScenarioFile(path: string, overrides: { maxFaults?: number; maxDepth?: number } = {}): CompiledScenario {
  return loadScenarioText(readScenarioFile(path), displayPath(path), overrides);
}

// Scenario files under a path: the file itself, or every *.yaml / *.yml below a folder, sorted.
// Each folder is walked once, so a symbolic link back up the tree cannot loop.
export function listScenarioFiles(path: string): string[] {
  const st = statPath(path);
  if (st.isFile()) return [path];
  if (!st.isDirectory()) throw notRegular(path);
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string) => {
    const real = realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      throw fileError(dir, e);
    }
    for (const name of names) {
      const full = join(dir, name);
      let entry;
      try {
        entry = statSync(full);
      } catch {
        continue; // a dangling link or a file removed meanwhile: nothing to check there
      }
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && /\.ya?ml$/.test(name)) out.push(full);
    }
  };
  walk(path);
  if (out.length === 0) throw new ScenarioError(path, 0, 0, 'the folder holds no scenario files (*.yaml)', 'pass a folder that contains scenarios');
  return out;
}

function statPath(path: string) {
  try {
    return statSync(path);
  } catch (e) {
    throw fileError(path, e);
  }
}

function fileError(path: string, e: unknown): ScenarioError {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new ScenarioError(path, 0, 0, 'no such file or folder', 'check the path: pass a scenario file (.yaml) or a folder of them');
    case 'ENOTDIR':
      return new ScenarioError(path, 0, 0, 'no such file or folder: a part of the path is a file, not a folder', 'check the path: pass a scenario file (.yaml) or a folder of them');
    case 'EACCES':
    case 'EPERM':
      return new ScenarioError(path, 0, 0, 'permission denied', 'make the file (and the folders above it) readable, or pass another path');
    case 'ELOOP':
      return new ScenarioError(path, 0, 0, 'the path goes round a loop of symbolic links', 'pass the real path of the scenario');
    case 'ENAMETOOLONG':
      return new ScenarioError(path, 0, 0, 'the path is too long for this system', 'pass a shorter path');
    default:
      return new ScenarioError(path, 0, 0, `cannot read it: ${quoteValue((e as Error).message)}`, 'check the path');
  }
}

function notRegular(path: string): ScenarioError {
  return new ScenarioError(path, 0, 0, 'is not a regular file or folder (a device, a pipe or a socket)', 'pass a scenario file (.yaml) or a folder of them');
}

function tooLarge(path: string, size: number): ScenarioError {
  return new ScenarioError(path, 0, 0, `the file is ${size.toLocaleString('en-US')} bytes; a scenario is at most ${MAX_SCENARIO_CHARS.toLocaleString('en-US')} characters`, 'pass the scenario file itself, not a data file');
}

// Offset of the first byte that does not belong to a well-formed UTF-8 sequence (no overlong
// forms, no surrogates, nothing past U+10FFFF), or -1.
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let j = 1; j <= n; j++) {
      const d = b[i + j];
      if (d === undefined || d < (j === 1 ? lo : 0x80) || d > (j === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
