// The steps that rewrite data or keys: migrations, rewraps, rotations and key distribution.
// Each mutates the world buffer it is given (steps.ts and events.ts hand it a fresh copy).
import type { Ctx } from './semantics.js';
import { isRunning, procedureFor, releaseOf, stageOf } from './semantics.js';
import { type World, LATEST, N_KNOWN, PC, STAGE, kindIndex, nodeAt } from './world.js';

// Moves every live record the test accepts to the kind `to` gives it; returns records moved.
function rewrite(c: Ctx, w: World, accept: (k: number) => boolean, to: (k: number) => number, fraction = 1): number {
  const L = c.L;
  const moves: [number, number, number][] = [];
  for (let k = 0; k < L.kinds; k++) {
    const n = w[L.recordBase + k];
    if (n === 0 || !accept(k)) continue;
    const t = to(k);
    if (t !== k) moves.push([k, t, fraction === 1 ? n : Math.floor(n * fraction)]);
  }
  let moved = 0;
  for (const [k, t, n] of moves) {
    w[L.recordBase + k] -= n;
    w[L.recordBase + t] += n;
    moved += n;
  }
  return moved;
}

const writerOf = (c: Ctx, k: number) => k % c.L.R;

// Rewrites the stage's records into `format` (a schema migration, a KBS upgrade job); with a
// fraction below 1, only that share of each record kind (rounded down) is rewritten.
export function migrate(c: Ctx, w: World, targets: number[], format: number, fraction = 1): void {
  const comps = new Set(targets.map((n) => c.s.nodeComponent[n]));
  const ours = (k: number) => [...comps].some((ci) => ((c.s.components[ci].formats >> c.kindFormat[k]) & 1) === 1);
  // migrated records belong to the newest release that reads the new format
  const owner = (k: number) => {
    const ci = c.s.releases[writerOf(c, k)].component;
    const rels = c.s.components[ci].releases.filter((r) => (c.s.releases[r].readsFormats >> format) & 1);
    return rels.length ? rels[rels.length - 1] : writerOf(c, k);
  };
  rewrite(c, w, ours, (k) => kindIndex(c.L, c.kindVersion[k], format, c.kindAad[k], owner(k)), fraction);
}

export function rewrap(c: Ctx, w: World, fraction: number): void {
  rewrite(c, w, () => true, (k) => kindIndex(c.L, w[LATEST], c.kindFormat[k], c.kindAad[k], writerOf(c, k)), fraction);
}

// The format the stage's most recent migrate step wrote, for verify-migrated.
export function lastMigrationFormat(c: Ctx, w: World): number {
  const stage = stageOf(c, w)!;
  for (let i = w[PC] - 1; i >= 0; i--) if (stage.steps[i].name === 'migrate') return stage.steps[i].format;
  const proc = procedureFor(c, w)!;
  for (let s = w[STAGE] - 1; s >= 0; s--) {
    const steps = proc.stages[s].steps;
    for (let i = steps.length - 1; i >= 0; i--) if (steps[i].name === 'migrate') return steps[i].format;
  }
  return -1;
}

// Central keyring: a new key version that running nodes promote. Per-node repositories
// (fernet): the target node makes its staged key primary and stages a new one.
export function rotateKeys(c: Ctx, w: World, targets: number[]): void {
  if (c.s.keyring.distribution === 'central') {
    w[LATEST] += 1;
    for (let n = 0; n < c.s.nodeCount; n++) {
      const rel = releaseOf(c, w, n);
      if (isRunning(c, w, n) && rel.promotesRotations) w[nodeAt(c.L, n) + N_KNOWN + rel.keyState] = w[LATEST];
    }
    return;
  }
  // rotate where the newest repository is (the node that rotated last): any other choice would
  // depend on how nodes happen to be numbered
  let n = targets[0];
  const known = (m: number) => w[nodeAt(c.L, m) + N_KNOWN + releaseOf(c, w, m).keyState];
  for (const m of targets) if (known(m) > known(n)) n = m;
  const slot = nodeAt(c.L, n) + N_KNOWN + releaseOf(c, w, n).keyState;
  w[slot] += 1;
  if (w[slot] > w[LATEST]) w[LATEST] = w[slot];
}

// Copies the newest key repository in the component to the targets.
export function distributeKeys(c: Ctx, w: World, targets: number[]): void {
  for (const n of targets) {
    const comp = c.s.components[c.s.nodeComponent[n]];
    let newest = 0;
    for (let i = 0; i < comp.nodes; i++) {
      const m = comp.firstNode + i;
      const v = w[nodeAt(c.L, m) + N_KNOWN + releaseOf(c, w, m).keyState];
      if (v > newest) newest = v;
    }
    w[nodeAt(c.L, n) + N_KNOWN + releaseOf(c, w, n).keyState] = newest;
  }
}

