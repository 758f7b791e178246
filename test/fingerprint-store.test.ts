// The fingerprint store of `check --fingerprints`: a set of 64-bit fingerprints with the two
// breadth-first levels under way kept whole. Seen and unseen worlds are told apart, ids are
// dense, the levels read back exactly and are dropped when done, growth asks the budget first,
// and the fingerprint spreads real-looking worlds (small values, mostly zeros) evenly.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FingerprintStore, SEEN, collisionBound } from '../sim/engines/fingerprint-store.js';

const SIZE = 37; // not a multiple of 8: the bitmap's last byte is partly used
const value = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -1, max: 3 }), fc.integer({ min: 0, max: 2_000 }), fc.constantFrom(2 ** 31 - 1, -(2 ** 31), 127, 128, 16_383, 16_384), fc.integer());
const world = fc.array(value, { minLength: SIZE, maxLength: SIZE }).map((xs) => Int32Array.from(xs));

// World i of a family like the model's: sparse, small values, the i-th in base 5 over nine
// slots spread through the world, and a count in one slot
function sparse(i: number, size = 40, into = new Int32Array(size)): Int32Array {
  into.fill(0);
  let x = i;
  for (let j = 0; j < 9; j++) {
    into[(j * 7 + 3) % size] = x % 5;
    x = Math.floor(x / 5);
  }
  into[size - 1] = x * 1250; // beyond 5^9: a record count
  return into;
}

describe('fingerprint store', () => {
  test('find says -1 for a new world and SEEN for one added before; ids are dense; a level reads back exactly', () => {
    fc.assert(
      fc.property(fc.array(world, { minLength: 1, maxLength: 200 }), (worlds) => {
        const store = new FingerprintStore(SIZE, 4);
        const seen = new Map<string, number>();
        for (const w of worlds) {
          const key = w.join(',');
          const found = store.find(w);
          if (seen.has(key)) expect(found).toBe(SEEN);
          else {
            expect(found).toBe(-1);
            expect(store.add(w)).toBe(seen.size);
            seen.set(key, seen.size);
          }
        }
        expect(store.count).toBe(seen.size);
        // all of them are one level (nothing was read yet): each reads back
        const back = new Int32Array(SIZE);
        for (const [key, id] of seen) {
          store.read(id, back);
          expect(back.join(',')).toBe(key);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('levels: reading the next level drops the one before it, and only it', () => {
    const store = new FingerprintStore(SIZE, 4);
    const w = (i: number) => sparse(i, SIZE);
    // level 0: world 0; level 1: worlds 1-3; level 2: worlds 4-9, as a breadth-first search adds them
    store.add(w(0));
    expect(store.copy(0)).toEqual(w(0));
    for (let i = 1; i <= 3; i++) store.add(w(i));
    // while level 0 is read, level 1 is filled: both are kept
    expect(store.copy(0)).toEqual(w(0));
    expect(store.copy(3)).toEqual(w(3));
    expect(store.copy(1)).toEqual(w(1)); // level 1 is read: level 0 is done, and dropped
    expect(() => store.copy(0)).toThrow(/dropped by the fingerprint store/);
    for (let i = 4; i <= 9; i++) store.add(w(i));
    for (let id = 1; id <= 9; id++) expect(store.copy(id)).toEqual(w(id)); // levels 1 and 2
    expect(() => store.copy(2)).toThrow(/dropped/); // level 2 was read: level 1 is gone
    // dropped worlds are still known as seen
    expect(store.find(w(0))).toBe(SEEN);
    expect(() => store.add(w(0))).toThrow(/already seen/);
  });

  test('growth: 400,000 distinct worlds over many levels, each new on arrival and seen after, arenas reused', () => {
    const store = new FingerprintStore(40, 16);
    const w = new Int32Array(40);
    const n = 400_000;
    for (let i = 0; i < n; i++) {
      if (i % 64 === 0 && store.reserve(64, () => true) !== 'ok') throw new Error('no room');
      if (store.find(sparse(i, 40, w)) !== -1) throw new Error(`world ${i} seen before it was added`);
      if (store.add(w) !== i) throw new Error(`world ${i} got another id`);
      // a level of 50,000 worlds is done: read into the next, as the search does
      if (i % 50_000 === 49_999) expect(store.copy(i)).toEqual(sparse(i));
    }
    expect(store.count).toBe(n);
    for (let i = 0; i < n; i += 7) if (store.find(sparse(i, 40, w)) !== SEEN) throw new Error(`world ${i} not found`);
    // 400,000 at most 3/4 full: 2^20 slots; the levels' chunks (4 MiB each) are reused, a few
    expect(store.tableSlots).toBe(2 ** 20);
    expect(store.bytes).toBeLessThan(2 ** 20 * 8 + 4 * 2 ** 24 + 2 ** 21);
  });

  // Worlds like the model's (sparse, small values) and noisier ones: among two million, no two
  // share a fingerprint, and neither half collides more often than a random 32-bit hash would
  // (about n^2 / 2^33 times: 444 here, sd about 21; fewer is fine, and the xxHash half, nearly
  // one-to-one on the sparse family, has about 140 there)
  test('the fingerprint: no 64-bit collision among 1,953,125 similar worlds, and neither half worse than a random 32-bit hash', () => {
    const store = new FingerprintStore(40);
    const n = 5 ** 9;
    const lo = new Int32Array(n);
    const hi = new Int32Array(n);
    const both = new BigUint64Array(n);
    const w = new Int32Array(40);
    const collisions = (xs: Int32Array | BigUint64Array) => {
      xs.sort();
      let k = 0;
      for (let i = 1; i < xs.length; i++) if (xs[i] === xs[i - 1]) k++;
      return k;
    };
    let seed = 12345;
    const noisy = (i: number) => {
      w.fill(0);
      for (let j = 0; j < 20; j++) {
        seed = (Math.imul(seed, 1103515245) + 12345) | 0;
        w[2 * j] = (seed >>> 16) & 3;
      }
      w[39] = i; // distinct
      return w;
    };
    for (const family of [(i: number) => sparse(i, 40, w), noisy]) {
      for (let i = 0; i < n; i++) {
        const [a, b] = store.fingerprintOf(family(i));
        lo[i] = a;
        hi[i] = b;
        both[i] = (BigInt(a >>> 0) << 32n) | BigInt(b >>> 0);
      }
      expect(collisions(both)).toBe(0);
      const expected = (n * n) / 2 ** 33;
      for (const half of [lo, hi]) expect(collisions(half)).toBeLessThan(expected * 1.25);
    }
  });

  test('reserve asks the budget before it grows: refused, the store is unchanged and still works', () => {
    const store = new FingerprintStore(SIZE, 16);
    for (let i = 0; i < 10; i++) store.add(sparse(i, SIZE));
    const asked: number[] = [];
    expect(store.reserve(1_000, (bytes) => (asked.push(bytes), false))).toBe('budget');
    expect(asked.length).toBe(1);
    expect(asked[0]).toBeGreaterThan(0);
    expect(store.count).toBe(10);
    expect(store.tableSlots).toBe(32);
    for (let i = 0; i < 10; i++) expect(store.find(sparse(i, SIZE))).toBe(SEEN);
    expect(store.find(sparse(10, SIZE))).toBe(-1);
    // more than the engine can allocate at all: refused by the system, not by the budget
    expect(store.reserve(2 ** 32, () => true)).toBe('refused');
    expect(store.tableSlots).toBe(32);
    expect(store.reserve(1_000, () => true)).toBe('ok');
    expect(store.tableSlots).toBe(2048);
    for (let i = 0; i < 10; i++) expect(store.find(sparse(i, SIZE))).toBe(SEEN);
    expect(store.copy(9)).toEqual(sparse(9, SIZE));
  });

  test('what reserve made room for fits, also when the adds pass into a new level: nothing more is allocated', () => {
    const store = new FingerprintStore(SIZE, 16);
    const w = (i: number) => sparse(i, SIZE);
    let next = 0;
    let level = 0; // first id of the level being filled
    for (let round = 0; round < 50; round++) {
      expect(store.reserve(5_000, () => true)).toBe('ok');
      const bytes = store.bytes;
      // 5,000 adds, a new level every 1,200 (read into the level being filled, as the search does)
      for (let k = 0; k < 5_000; k++) {
        if (k % 1_200 === 0 && next > level) {
          store.copy(level);
          level = next;
        }
        store.add(w(next++));
      }
      expect(store.bytes).toBe(bytes);
    }
  });

  test('the collision bound is at least TLC\'s optimistic estimate and the birthday bound', () => {
    const n = 16_163_141;
    const t = 64_000_000;
    const p = collisionBound(n, t);
    expect(p).toBeGreaterThanOrEqual((n * (t - n)) / 2 ** 64);
    expect(p).toBeGreaterThanOrEqual((n * n) / 2 ** 65);
    expect(p).toBeCloseTo(5.6e-5, 6);
    expect(collisionBound(1, 0)).toBeLessThan(1e-18);
    expect(collisionBound(2 ** 40, 2 ** 42)).toBe(1);
  });
});
