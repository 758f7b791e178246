// The steps that rewrite data or keys: migrations, rewraps, rotations and key distribution.
// Each mutates the world buffer it is given (steps.ts and events.ts hand it a fresh copy).
import type { Ctx } from './semantics.js';
import type { Step } from './types.js';
import { decryptable, keyringOf, procedureFor, releaseOf, serves, stageOf } from './semantics.js';
import { afterRotation, keepNewest, stepKeyrings } from './key-steps.js';
import { type World, K_GEN, K_LATEST, N_KNOWN, PC, STAGE, addRecords, keyringAt, kindIndex, nodeAt } from './world.js';

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
    addRecords(w, L.recordBase + t, n);
    moved += n;
  }
  return moved;
}

const writerOf = (c: Ctx, k: number) => c.kindWriter[k];

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
  // a migration reads each record to rewrite it: what the key service cannot decrypt stays put
  rewrite(c, w, (k) => ours(k) && decryptable(c, w, k), (k) => kindIndex(c.L, c.kindKeyring[k], c.kindGen[k], c.kindVersion[k], format, c.kindAad[k], owner(k), c.kindDataKey[k]), fraction);
}

// Re-encrypts every record of the targets' components (their stores: a kubectl replace runs in
// one cluster) that the key service can still decrypt, under its keyring's latest version.
export function rewrap(c: Ctx, w: World, fraction: number, targets: number[]): void {
  rewrite(
    c,
    w,
    (k) => decryptable(c, w, k) && targets.some((n) => serves(c, n, k)),
    (k) => {
      const b = keyringAt(c.L, c.kindKeyring[k]);
      return kindIndex(c.L, c.kindKeyring[k], w[b + K_GEN], w[b + K_LATEST], c.kindFormat[k], c.kindAad[k], c.kindWriter[k], c.kindDataKey[k]);
    },
    fraction,
  );
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
export function rotateKeys(c: Ctx, w: World, targets: number[], step: Step): void {
  const central = stepKeyrings(c, step, targets).filter((kr) => c.s.keyrings[kr].distribution === 'central');
  for (const kr of central) {
    w[keyringAt(c.L, kr) + K_LATEST] += 1;
    afterRotation(c, w, kr);
  }
  targets = targets.filter((n) => c.s.keyrings[keyringOf(c, n)].distribution === 'per-node');
  if (targets.length === 0) return;
  // rotate where the newest repository is (the node that rotated last): any other choice would
  // depend on how nodes happen to be numbered
  let n = targets[0];
  const known = (m: number) => w[nodeAt(c.L, m) + N_KNOWN + releaseOf(c, w, m).keyState];
  for (const m of targets) if (known(m) > known(n)) n = m;
  const slot = nodeAt(c.L, n) + N_KNOWN + releaseOf(c, w, n).keyState;
  w[slot] += 1;
  const latest = keyringAt(c.L, keyringOf(c, n)) + K_LATEST;
  if (w[slot] > w[latest]) {
    w[latest] = w[slot];
    // the rotating repository purges its oldest keys, and distribution copies the purge
    keepNewest(c, w, keyringOf(c, n));
  }
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

