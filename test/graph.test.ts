// rollsafe graph: for every corpus scenario the Mermaid parses under Mermaid's state-diagram
// grammar and reads back as the XState machine's states and transitions, the DOT renders
// through Graphviz (WebAssembly) without error, and the xstate module builds the machine.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { instance } from '@viz-js/viz';
import { createMachine, initialTransition } from 'xstate';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadScenarioFile } from '../model/scenario/load.js';
import { type RunbookMachineConfig, type StateConfig, runbookMachineConfig } from '../model/machine.js';
import { check } from '../sim/check.js';
import { machineGraph } from '../sim/results/graph.js';
import { mermaidId, toDot, toMermaid } from '../sim/results/graph-render.js';
import { ROOT, rollsafe } from './helpers.js';

const corpus = readdirSync(join(ROOT, 'scenarios'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => `scenarios/${f}`)
  .sort();

// What the machine config says, read straight from it: every state path with its parent, and
// every (source, target) pair a transition with a target joins, with its events.
function expected(config: RunbookMachineConfig) {
  const states = new Map<string, string | null>();
  const edges = new Map<string, Set<string>>();
  const on = (from: string, o: StateConfig['on']) => {
    for (const [event, branches] of Object.entries(o ?? {})) {
      for (const b of branches) {
        if (!b.target) continue;
        const key = `${from} -> ${b.target.slice(config.id.length + 2)}`;
        edges.set(key, (edges.get(key) ?? new Set()).add(event));
      }
    }
  };
  const walk = (sts: Record<string, StateConfig> | undefined, parent: string | null) => {
    for (const [k, st] of Object.entries(sts ?? {})) {
      const path = parent ? `${parent}.${k}` : k;
      states.set(path, parent);
      on(path, st.on);
      walk(st.states, path);
    }
  };
  walk(config.states, null);
  return { states, edges };
}

// Mermaid's stateDiagram lexer: an id is [^:\s\-{]+ ('#' starts a comment), a label after ':'
// is [^:\n;]+, a quoted name has no '"'. Anything else on a line is a syntax error here.
const ID = /^[^:\s\-{#]+$/;
const LABEL = /^[^:\n;#]+$/;
function parseMermaid(text: string) {
  const lines = text.split('\n');
  expect(lines[0]).toBe('---');
  const end = lines.indexOf('---', 1);
  expect(lines[1]).toMatch(/^title: ".*"$/);
  expect(lines[end + 1]).toBe('stateDiagram-v2');
  const states = new Map<string, { parent: string | null; label: string }>();
  const edges = new Map<string, string>();
  let initial: string | null = null;
  const stack: string[] = [];
  let note = false;
  const id = (s: string) => {
    expect(s).toMatch(ID);
    return s;
  };
  for (const raw of lines.slice(end + 2)) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if (note) {
      note = line !== 'end note';
      continue;
    }
    if (line === '' || line.startsWith('%%')) continue;
    if ((m = /^note (right|left) of (\S+)$/.exec(line))) {
      expect(states.has(id(m[2]))).toBe(true);
      note = true;
      continue;
    }
    if ((m = /^state "([^"]*)" as (\S+) \{$/.exec(line))) {
      states.set(id(m[2]), { parent: stack.at(-1) ?? null, label: m[1] });
      stack.push(m[2]);
    } else if ((m = /^state "([^"]*)" as (\S+)$/.exec(line))) {
      states.set(id(m[2]), { parent: stack.at(-1) ?? null, label: m[1] });
    } else if (line === '}') {
      expect(stack.pop()).toBeDefined();
    } else if ((m = /^\[\*\] --> (\S+)$/.exec(line))) {
      initial = id(m[1]);
    } else if ((m = /^(\S+) --> (\S+) : (.+)$/.exec(line))) {
      expect(m[3]).toMatch(LABEL);
      edges.set(`${id(m[1])} -> ${id(m[2])}`, m[3]);
    } else if ((m = /^(\S+) : (.+)$/.exec(line))) {
      expect(states.has(id(m[1]))).toBe(true);
      expect(m[2]).toMatch(LABEL);
    } else if (!/^classDef \w+ \S+$/.test(line) && !/^class \w+(,\w+)* \w+$/.test(line)) {
      throw new Error(`not a Mermaid state-diagram statement: ${line}`);
    }
  }
  expect(stack).toEqual([]);
  expect(note).toBe(false);
  return { states, edges, initial };
}

let viz: Awaited<ReturnType<typeof instance>>;
beforeAll(async () => {
  viz = await instance();
});

describe.each(corpus)('%s', (file) => {
  const s = loadScenarioFile(join(ROOT, file));
  const config = runbookMachineConfig(s);
  const want = expected(config);

  test('Mermaid: parses, and reads back as the machine', () => {
    const got = parseMermaid(toMermaid(machineGraph(config, s)));
    expect(new Map([...got.states].map(([k, v]) => [k, v.parent]))).toEqual(new Map([...want.states].map(([k, v]) => [mermaidId(k), v === null ? null : mermaidId(v)])));
    expect([...got.edges.keys()].sort()).toEqual([...want.edges.keys()].map((k) => k.split(' -> ').map(mermaidId).join(' -> ')).sort());
    for (const [k, events] of want.edges) {
      const label = got.edges.get(k.split(' -> ').map(mermaidId).join(' -> '))!;
      for (const e of events) expect(label).toContain(e);
    }
    const leaf = initialTransition(createMachine(config as never))[0];
    expect(got.initial).toBe(mermaidId(pathOfValue(leaf.value)));
  });

  test('DOT: Graphviz lays it out without error, one node per leaf state', () => {
    const r = viz.render(toDot(machineGraph(config, s)), { format: 'json' });
    expect(r.errors.filter((e) => e.level === 'error')).toEqual([]);
    expect(r.status).toBe('success');
    const objects = (JSON.parse(r.status === 'success' ? r.output : '{}').objects ?? []) as { name: string; nodes?: number[] }[];
    const nodes = objects.filter((o) => o.nodes === undefined).map((o) => o.name);
    const leaves = [...want.states.keys()].filter((p) => ![...want.states.values()].includes(p));
    expect(nodes.sort()).toEqual(['[*]', ...leaves].sort());
  });
});

function pathOfValue(v: unknown): string {
  if (typeof v === 'string') return v;
  const [k, rest] = Object.entries(v as Record<string, unknown>)[0];
  return `${k}.${pathOfValue(rest)}`;
}

describe('rollsafe graph on the command line', () => {
  const BROKEN = 'scenarios/bao-kms-provider/broken-upgrade-during-rotation.yaml';

  test('--format xstate writes a module whose config is the machine the engines step', () => {
    const r = rollsafe(['graph', BROKEN, '--format', 'xstate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\/\/ The runbook machine of scenarios\/bao-kms-provider\/broken-upgrade-during-rotation\.yaml/);
    expect(r.stdout).toContain("import { createMachine } from 'xstate';");
    const json = /createMachine\(([\s\S]*)\);\n$/.exec(r.stdout)![1];
    const config = JSON.parse(json);
    expect(config).toEqual(runbookMachineConfig(loadScenarioFile(join(ROOT, BROKEN))));
    expect(initialTransition(createMachine(config))[0].value).toBe('before');
  });

  test('svg is rendered offline, the same bytes each time', () => {
    const a = rollsafe(['graph', BROKEN, '--format', 'svg']);
    const b = rollsafe(['graph', BROKEN, '--format', 'svg']);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('<svg');
    expect(a.stdout).toContain('decide&#45;rollback refused by a guard');
    expect(a.stdout).toBe(b.stdout);
  });

  test('--explored: one state per runbook position, over the same space check explores, violations marked', () => {
    const r = rollsafe(['graph', BROKEN, '--explored']);
    expect(r.code).toBe(0);
    const [result] = check(join(ROOT, BROKEN));
    expect(r.stdout).toContain(`explored (${result.figures.states.toLocaleString('en-US')} states)`);
    const got = parseMermaid(r.stdout);
    const verify = mermaidId('upgrading.each-node.verify-ready');
    expect(got.states.has(verify)).toBe(true);
    expect(r.stdout).toContain(`${verify} : violates no-unknown-key-id-decrypt`);
    expect(r.stdout).toMatch(new RegExp(`class [\\w,]*${verify}[\\w,]* violating`));
    // the upgrade's doctor step moves the runbook on, counted
    expect(got.edges.get(`${mermaidId('upgrading.each-node.doctor')} -> ${mermaidId('upgrading.each-node.stop')}`)).toMatch(/^step x\d+/);
    const cut = rollsafe(['graph', BROKEN, '--explored', '--max-states', '100', '--format', 'dot']);
    expect(cut.stdout).toContain('the search stopped early (max-states 100)');
    expect(rollsafe(['graph', BROKEN]).stdout).toContain('  note right of s_before\n    anywhere: api-server-restart, backend-outage, rotation-starts, rotation-completes, backend-recovers, write, cache-expires\n  end note\n');
  });

  test('bad usage exits 2 and says what is valid', () => {
    const bad = rollsafe(['graph', BROKEN, '--format', 'png']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format must be one of: mermaid, dot, svg, xstate');
    const both = rollsafe(['graph', BROKEN, '--explored', '--format', 'xstate']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('use --format mermaid, dot or svg with --explored');
    const folder = rollsafe(['graph', BROKEN, '-o', 'scenarios']);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('--output scenarios: it is a folder');
    const missing = rollsafe(['graph', 'nope.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml: no such file or folder');
  });

  test('the corpus list is the scenario folder', () => {
    expect(corpus.length).toBeGreaterThan(70);
    expect(readFileSync(join(ROOT, corpus[0]), 'utf8')).toContain('runbook:');
  });
});
