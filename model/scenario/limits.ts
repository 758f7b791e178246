// What the state encoding can hold, checked before anything is explored: a scenario past one
// of these limits would wrap a 32-bit count, collide in an event code or need a world too
// large to search, and each of those gives a wrong verdict or a crash instead of an answer.
import type { CompiledScenario, Component } from '../types.js';
import { layoutFor } from '../world.js';
import type { ParsedScenario, Path } from './parse.js';

// Measured on this project's explorer (2 cores, Node 20): a world of 16,000 ints explores
// about 200 states/s and one of 64,000 about 60, against tens of thousands for the corpus's
// worlds (at most 247 ints); and the explorer's state arena is one typed array of at most 2^32
// ints, so 16,384 ints per world leaves room for 262,144 states, where 65,536 would leave 65,536.
export const MAX_WORLD_INTS = 16_384;
// events name their node as node + 1 in 8 bits (model/events.ts)
export const MAX_NODES = 250;
const MAX_COUNT = 2 ** 31 - 1;

const fmt = (n: number) => n.toLocaleString('en-US');

// depends-on must be an order: a cycle leaves no component that may go first, so every
// upgrade would break upgrade-order whatever the runbook does.
export function checkDependencyCycles(p: ParsedScenario, components: Component[]): void {
  const state = components.map(() => 0); // 0 unseen, 1 on the current path, 2 done
  const path: number[] = [];
  const visit = (ci: number): void => {
    state[ci] = 1;
    path.push(ci);
    components[ci].dependsOn.forEach((d, i) => {
      if (state[d] === 1) {
        const cycle = [...path.slice(path.indexOf(d)), d].map((x) => components[x].name);
        p.fail(['system', 'components', ci, 'depends-on', i], `depends-on goes round in a cycle: ${cycle.join(' -> ')}`, `remove '${components[d].name}' from the depends-on of '${components[ci].name}', or another link of the cycle: one of them must be upgraded first`);
      }
      if (state[d] === 0) visit(d);
    });
    path.pop();
    state[ci] = 2;
  };
  // components are at most MAX_NODES (each has a node), so the recursion stays shallow
  components.forEach((_, ci) => state[ci] === 0 && visit(ci));
}

export function checkNodeCount(p: ParsedScenario, nodes: number): void {
  if (nodes > MAX_NODES) p.fail(['system', 'components'], `the system has ${fmt(nodes)} nodes; the model holds at most ${MAX_NODES}`, `model at most ${MAX_NODES} nodes in all (nodes of a component are interchangeable: 3 show what 30 do)`);
}

// Record counts are 32-bit slots. Every write adds one batch to a record kind that is empty
// (moves between kinds, restores and migrations never add records), and every write is one
// event, so no count passes the initial records plus one batch per event of the deepest run.
export function checkRecordCounts(p: ParsedScenario, s: CompiledScenario, maxDepth: number): void {
  const initial = initialRecords(s);
  const writes = s.workload.writes ? maxDepth : 0;
  if (initial + s.workload.batch * writes <= MAX_COUNT) return;
  const raw = p.data as { workload?: { batch?: unknown }; bounds?: { 'max-depth'?: unknown } };
  const at: Path = raw.workload?.batch !== undefined ? ['workload', 'batch'] : raw.bounds?.['max-depth'] !== undefined ? ['bounds', 'max-depth'] : ['system', 'records'];
  p.fail(
    at,
    `${fmt(initial)} records plus a batch of ${fmt(s.workload.batch)} for each of up to ${fmt(writes)} writes (one per event, max-depth ${fmt(maxDepth)}) can pass ${fmt(MAX_COUNT)}, the most a record count holds`,
    'lower workload.batch, the record counts or max-depth (counts are a measure of blast radius: 1,000 stands for any large number)',
  );
}

function initialRecords(s: CompiledScenario): number {
  return s.records.reduce((t, r) => t + r.count, 0);
}

// The deepest run in which no record count can pass what its slot holds (by the argument above):
// an explorer with no depth bound stops there, inconclusive, rather than let a count wrap.
export function countSafeDepth(s: CompiledScenario): number {
  return s.workload.writes ? Math.floor((MAX_COUNT - initialRecords(s)) / s.workload.batch) : Infinity;
}

// The world's size, from the layout the model will use, against MAX_WORLD_INTS.
export function checkWorldSize(p: ParsedScenario, s: CompiledScenario): void {
  const L = layoutFor(s);
  if (L.size <= MAX_WORLD_INTS) return;
  const factors: [string, number, Path, string][] = [
    ['keyrings', L.KR, ['system'], 'fewer keyrings'],
    ['key materials', L.G, ['runbook'], 'fewer recreate-key steps or snapshots'],
    ['key versions', L.V, ['system', (p.data.system as Record<string, unknown>).keyrings ? 'keyrings' : 'keyring'], 'a lower max-version'],
    ['wire formats', L.F, ['system', 'wire-formats'], 'fewer wire formats'],
    ['AAD shapes', L.A, ['system', 'aad-shapes'], 'fewer AAD shapes'],
    ['releases', L.R, ['system', 'components'], 'fewer releases'],
    ['data keys', L.D, ['system', 'components'], 'shared data keys or fewer nodes'],
  ];
  const biggest = factors.filter(([, n]) => n > 1).sort((a, b) => b[1] - a[1]);
  const product = biggest.map(([what, n]) => `${fmt(n)} ${what}`).join(' x ') || '1';
  const nodes = `${fmt(L.nodeSize)} on each of ${fmt(s.nodeCount)} nodes, a cache bit per kind`;
  p.fail(
    biggest[0]?.[2] ?? ['system'],
    `the world needs ${fmt(L.size)} ints per state (${fmt(L.kinds)} record kinds = ${product}, held live and in the backup, and ${nodes}); the explorer holds at most ${fmt(MAX_WORLD_INTS)}`,
    `use ${biggest.map(([, , , fix]) => fix).join(', ') || 'fewer nodes'}: a record kind is each combination of these, so the largest factor counts most`,
  );
}
