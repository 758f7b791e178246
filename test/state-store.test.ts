// The explorer's state store keeps worlds as bitmaps and varints in fixed chunks. Whatever the
// values (zeros, -1, counts up to 2^31 - 1, the most negative int), a world reads back exactly,
// equal worlds get one id and different worlds two, also across chunk boundaries and growth.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { StateStore } from '../sim/engines/state-store.js';

const SIZE = 37; // not a multiple of 8: the bitmap's last byte is partly used
const value = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -1, max: 3 }), fc.integer({ min: 0, max: 2_000 }), fc.constantFrom(2 ** 31 - 1, -(2 ** 31), 127, 128, 16_383, 16_384), fc.integer());
const world = fc.array(value, { minLength: SIZE, maxLength: SIZE }).map((xs) => Int32Array.from(xs));

describe('state store', () => {
  test('every world reads back exactly, and find gives the id add gave', () => {
    fc.assert(
      fc.property(fc.array(world, { minLength: 1, maxLength: 200 }), (worlds) => {
        const store = new StateStore(SIZE, 4);
        const ids = new Map<string, number>();
        for (const w of worlds) {
          const key = w.join(',');
          const found = store.find(w);
          if (ids.has(key)) expect(found).toBe(ids.get(key));
          else {
            expect(found).toBe(-1);
            ids.set(key, store.add(w));
          }
        }
        expect(store.count).toBe(ids.size);
        const back = new Int32Array(SIZE);
        for (const [key, id] of ids) {
          store.read(id, back);
          expect(back.join(',')).toBe(key);
          expect(store.copy(id).join(',')).toBe(key);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('across chunk boundaries and table growth: 100,000 distinct worlds, each found at its id', () => {
    const size = 200;
    const store = new StateStore(size, 16);
    const w = new Int32Array(size);
    const fill = (i: number) => {
      for (let j = 0; j < size; j++) w[j] = (i * 31 + j) % 3000;
      w[0] = i;
      w[size - 1] = -(2 ** 31) + i;
    };
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      fill(i);
      expect(store.reserve(1, () => true)).toBe('ok');
      if (store.find(w) !== -1) throw new Error(`world ${i} found before it was added`);
      store.add(w);
    }
    // more than two 16 MiB chunks of encodings
    expect(store.arenaBytes).toBeGreaterThan(2 * 2 ** 24);
    const back = new Int32Array(size);
    for (let i = 0; i < n; i += 97) {
      fill(i);
      expect(store.find(w)).toBe(i);
      store.read(i, back);
      expect(back).toEqual(w);
    }
  });
});
