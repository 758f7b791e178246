// Real results for report and diff tests: the bao-kms-provider corpus explored by the same
// code path as `rollsafe check --json`.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from '../../sim/check.js';
import { RESULT_SET_SCHEMA, type ResultSet, type RunResult } from '../../sim/results/result.js';
import { VERSION } from '../../sim/results/version.js';

export const BAO = 'scenarios/bao-kms-provider';

export function resultSet(results: RunResult[], command = 'rollsafe check scenarios/bao-kms-provider --json results.json'): ResultSet {
  return { schema: RESULT_SET_SCHEMA, tool: { name: 'rollsafe', version: VERSION }, command, partial: false, results };
}

export function exploreFiles(files: string[]): RunResult[] {
  return check(files.map((f) => join(BAO, f)), { now: () => performance.now() });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rollsafe-${prefix}-`));
}

export function writeJson(dir: string, name: string, data: unknown): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, `${JSON.stringify(data, null, 2)}\n`);
  return p;
}

export const TEST_OUTPUT = 'test-output';
