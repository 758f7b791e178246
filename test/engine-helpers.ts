// Shared by the fuzz/chaos/replay tests: explorer minima to compare with, and the broken bao
// variants with what each must fire.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarioFile } from '../model/scenario/load.js';
import { exploreScenario } from '../sim/check.js';
import type { RunResult } from '../sim/results/result.js';

export const BAO_DIR = 'scenarios/bao-kms-provider';
export const BROKEN_BAO = readdirSync(BAO_DIR).filter((f) => f.startsWith('broken-')).sort().map((f) => join(BAO_DIR, f));

// property -> shortest trace length (events), by the exhaustive explorer
export function explorerMinima(file: string): Map<string, number> {
  const r = exploreScenario(loadScenarioFile(file));
  return new Map(r.violations.map((v) => [v.property, v.trace.length - 1]));
}

export function lengths(r: RunResult): Map<string, number> {
  return new Map(r.violations.map((v) => [v.property, v.trace.length - 1]));
}

export function stripTimings(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === 'elapsedMs' || k === 'statesPerSecond' ? 0 : v)));
}
