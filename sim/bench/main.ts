// `npm run bench`: the explorer's distinct states per second, with ratios against baselines
// measured in the same run on the same scenario: a BFS stepping the XState machine (XState's
// pure transition(), as machineStepper does) and @xstate/graph's getShortestPaths (on a size
// it can finish). Prints figures; asserts nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getShortestPaths } from '@xstate/graph';
import { Model } from '../../model/model.js';
import seedrandom from 'seedrandom';
import { createRunbookMachine, machineStepper, toEvent } from '../../model/machine.js';
import { loadScenarioText } from '../../model/scenario/load.js';
import { packageRoot } from '../../model/package-root.js';
import type { CompiledScenario } from '../../model/types.js';
import { explore } from '../engines/explore.js';
import { benchEngines } from './engines.js';
import { xstateBfs } from './xstate-bfs.js';

const SCENARIO = 'scenarios/bao-kms-provider/upgrade.yaml';

function variant(nodes: number, budget: number): CompiledScenario {
  const text = readFileSync(join(packageRoot(), SCENARIO), 'utf8')
    .replace('nodes: 3', `nodes: ${nodes}`)
    .replace('budget: 2', `budget: ${budget}`);
  return loadScenarioText(text, `${SCENARIO} (nodes ${nodes}, fault budget ${budget})`);
}

function time<T>(f: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
}

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const fmt = (n: number) => n.toLocaleString('en-US');

// Best of `tries`: the first runs also pay for JIT warm-up, for every contender alike.
function best<T>(tries: number, f: () => T): { value: T; ms: number } {
  let out = time(f);
  for (let i = 1; i < tries; i++) {
    const t = time(f);
    if (t.ms < out.ms) out = t;
  }
  return out;
}

function runExplorer(s: CompiledScenario, symmetry: boolean, tries = 5) {
  const r = best(tries, () => explore(new Model(s), { maxDepth: 500, maxStates: 50_000_000, symmetry, failFast: false }));
  return { states: r.value.states, transitions: r.value.transitions, ms: r.ms };
}

export async function benchExplorer(): Promise<string[]> {
  const lines: string[] = [];
  const say = (l: string) => {
    lines.push(l);
    console.log(l);
  };

  // 1. explorer vs XState-stepped BFS, same scenario, same symmetry reduction
  const big = variant(5, 3);
  say(`scenario: ${big.file}`);
  const ours = runExplorer(big, true);
  say(`  explorer (fast path, symmetry):       ${fmt(ours.states)} states, ${fmt(ours.transitions)} transitions in ${ours.ms.toFixed(0)} ms = ${fmt(rate(ours.states, ours.ms))} states/s, ${fmt(rate(ours.transitions, ours.ms))} transitions/s`);
  const xs = best(2, () => xstateBfs(big, { symmetry: true }));
  say(`  BFS stepping XState (transition()):   ${fmt(xs.value.keys.size)} states in ${xs.ms.toFixed(0)} ms = ${fmt(rate(xs.value.keys.size, xs.ms))} states/s`);
  say(`  ratio explorer / XState BFS:          ${(rate(ours.states, ours.ms) / rate(xs.value.keys.size, xs.ms)).toFixed(1)}x`);
  if (xs.value.keys.size !== ours.states) say(`  WARNING: state counts differ (${xs.value.keys.size} vs ${ours.states})`);

  // 2. a larger space, explorer only
  const larger = variant(7, 3);
  const l = runExplorer(larger, true, 2);
  say(`scenario: ${larger.file}`);
  say(`  explorer (fast path, symmetry):       ${fmt(l.states)} states, ${fmt(l.transitions)} transitions in ${l.ms.toFixed(0)} ms = ${fmt(rate(l.states, l.ms))} states/s`);

  // 3. @xstate/graph on a space it can finish (no symmetry reduction: it has none)
  const small = variant(2, 1);
  const oursSmall = runExplorer(small, false);
  const model = new Model(small);
  const machine = createRunbookMachine(small);
  const events = model.events.map(toEvent);
  const graph = best(2, () => getShortestPaths(machine, { events, serializeState: (snap) => model.key((snap as { context: { world: Int32Array } }).context.world) }));
  say(`scenario: ${small.file}, no symmetry reduction`);
  say(`  explorer:                             ${fmt(oursSmall.states)} states in ${oursSmall.ms.toFixed(0)} ms = ${fmt(rate(oursSmall.states, oursSmall.ms))} states/s`);
  say(`  @xstate/graph getShortestPaths:       ${fmt(graph.value.length)} states in ${graph.ms.toFixed(0)} ms = ${fmt(rate(graph.value.length, graph.ms))} states/s`);
  say(`  ratio explorer / @xstate/graph:       ${(rate(oursSmall.states, oursSmall.ms) / rate(graph.value.length, graph.ms)).toFixed(0)}x`);
  if (graph.value.length !== oursSmall.states) say(`  WARNING: state counts differ (${graph.value.length} vs ${oursSmall.states})`);

  // 4. random walks: the same walk stepping the XState machine, as the chaos engine's baseline
  const walkScenario = variant(3, 2);
  const xsWalk = best(2, () => xstateRandomWalk(walkScenario, 3_000));
  say(`scenario: ${walkScenario.file}`);
  say(`  random walk stepping XState:          ${fmt(xsWalk.value)} steps in ${xsWalk.ms.toFixed(0)} ms = ${fmt(rate(xsWalk.value, xsWalk.ms))} steps/s`);
  const engines = await benchEngines();
  for (const l of engines.lines) say(l);
  const xsRate = rate(xsWalk.value, xsWalk.ms);
  say(`  ratio chaos / XState walk:            ${(engines.chaosRate / xsRate).toFixed(1)}x; fuzz / XState walk: ${(engines.fuzzRate / xsRate).toFixed(1)}x`);
  return lines;
}

// Random walks that step the machine itself: what a chaos engine without the fast path costs.
function xstateRandomWalk(s: CompiledScenario, walks: number): number {
  const model = new Model(s);
  const stepper = machineStepper(createRunbookMachine(s));
  const events = model.events.map(toEvent);
  const rng = seedrandom('bench');
  let steps = 0;
  for (let i = 0; i < walks; i++) {
    let snap = stepper.initial();
    for (let d = 0; d < s.bounds.maxDepth; d++) {
      const enabled = events.filter((e) => stepper.can(snap, e));
      if (enabled.length === 0) break;
      snap = stepper.step(snap, enabled[Math.floor(rng() * enabled.length)]);
      steps++;
    }
  }
  return steps;
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  console.log(`rollsafe bench (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`);
  await benchExplorer();
}
