// What every search of the golden set must keep answering: the verdict, the counts, each
// violation's trace and a digest of the whole result without its timings. Any change to the
// explorer (a faster store, more workers, a packed world) must leave these alone.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { exploreScenario } from '../../sim/check.js';
import { withoutTimings } from '../../sim/replay.js';
import type { RunResult } from '../../sim/results/result.js';
import type { CompiledScenario } from '../../model/types.js';
import { ROOT, baoWith } from '../helpers.js';
import { loadScenarioFile } from '../../model/scenario/load.js';

export interface Golden {
  verdict: string;
  states: number;
  transitions: number;
  depth: number;
  traces: Record<string, string[]>;
  digest: string;
}

export function goldenOf(r: RunResult): Golden {
  const traces: Record<string, string[]> = {};
  for (const v of r.violations) traces[v.property] = v.trace.slice(1).map(({ event: e }) => [e?.type, e?.node, e?.keyring, e?.step].filter(Boolean).join(' '));
  const c = withoutTimings(r);
  return {
    verdict: r.verdict,
    states: r.figures.states,
    transitions: r.figures.transitions,
    depth: r.figures.depth,
    traces,
    digest: createHash('sha256').update(JSON.stringify({ ...c, options: {} })).digest('hex').slice(0, 16),
  };
}

function corpusFiles(dir = join(ROOT, 'scenarios')): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...corpusFiles(p));
    else if (name.endsWith('.yaml')) out.push(p);
  }
  return out;
}

// The golden set: the corpus as written, plus larger spaces without symmetry reduction.
export function goldenCases(): { name: string; load: () => CompiledScenario; symmetry: boolean }[] {
  const cases = corpusFiles().map((f) => ({ name: relative(ROOT, f), load: () => loadFile(f), symmetry: true }));
  for (const [name, nodes] of [['upgrade', 3], ['broken-rollback-after-rotation', 3], ['broken-upgrade-during-rotation', 4]] as const) {
    cases.push({ name: `bao ${name} ${nodes} nodes, no symmetry`, load: () => baoWith(name, [['nodes: 3', `nodes: ${nodes}`]]), symmetry: false });
  }
  return cases;
}

export function runGolden(c: { load: () => CompiledScenario; symmetry: boolean }, extra: Record<string, unknown> = {}): Golden {
  return goldenOf(exploreScenario(c.load(), { symmetry: c.symmetry, ...extra }));
}

function loadFile(f: string): CompiledScenario {
  return loadScenarioFile(f);
}
