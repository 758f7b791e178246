// The fingerprint table's layout, measured alone (BENCHMARKS.md): one interleaved Int32Array of
// [lo, hi] pairs (what sim/engines/fingerprint-store.ts uses), two Int32Arrays, or one
// BigUint64Array (a BigInt per probe). 6M random fingerprints inserted into 2^23 slots (about
// 0.72 full, linear probing), then 12M lookups that hit and 6M that miss.
//   node dist/sim/bench/fingerprint-table.js interleaved|two-arrays|bigint
const N = 6_000_000;
const SLOTS = 1 << 23;
const mask = SLOTS - 1;

interface Table {
  put(a: number, b: number): boolean;
  has(a: number, b: number): boolean;
}

function keys(n: number, seed: number): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  let s = seed | 0;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s | 0;
  };
  for (let i = 0; i < n; i++) {
    lo[i] = next();
    hi[i] = next() || 1; // (0, 0) marks an empty slot
  }
  return { lo, hi };
}

function interleaved(): Table {
  const t = new Int32Array(2 * SLOTS);
  const find = (a: number, b: number, add: boolean) => {
    for (let s = a & mask; ; s = (s + 1) & mask) {
      const x = t[2 * s];
      const y = t[2 * s + 1];
      if (x === a && y === b) return true;
      if (x === 0 && y === 0) {
        if (add) {
          t[2 * s] = a;
          t[2 * s + 1] = b;
        }
        return false;
      }
    }
  };
  return { put: (a, b) => !find(a, b, true), has: (a, b) => find(a, b, false) };
}

function twoArrays(): Table {
  const lo = new Int32Array(SLOTS);
  const hi = new Int32Array(SLOTS);
  const find = (a: number, b: number, add: boolean) => {
    for (let s = a & mask; ; s = (s + 1) & mask) {
      const x = lo[s];
      const y = hi[s];
      if (x === a && y === b) return true;
      if (x === 0 && y === 0) {
        if (add) {
          lo[s] = a;
          hi[s] = b;
        }
        return false;
      }
    }
  };
  return { put: (a, b) => !find(a, b, true), has: (a, b) => find(a, b, false) };
}

function bigint(): Table {
  const t = new BigUint64Array(SLOTS);
  const find = (a: number, b: number, add: boolean) => {
    const k = (BigInt(b >>> 0) << 32n) | BigInt(a >>> 0);
    for (let s = a & mask; ; s = (s + 1) & mask) {
      const x = t[s];
      if (x === k) return true;
      if (x === 0n) {
        if (add) t[s] = k;
        return false;
      }
    }
  };
  return { put: (a, b) => !find(a, b, true), has: (a, b) => find(a, b, false) };
}

const LAYOUTS: Record<string, () => Table> = { interleaved, 'two-arrays': twoArrays, bigint };
const which = process.argv[2];
if (!LAYOUTS[which]) throw new Error(`usage: node dist/sim/bench/fingerprint-table.js ${Object.keys(LAYOUTS).join('|')}`);
const ins = keys(N, 1);
const miss = keys(N, 7);
const table = LAYOUTS[which]();
const t0 = performance.now();
for (let i = 0; i < N; i++) table.put(ins.lo[i], ins.hi[i]);
let hits = 0;
for (let r = 0; r < 3; r++) {
  const k = r < 2 ? ins : miss;
  for (let i = 0; i < N; i++) if (table.has(k.lo[i], k.hi[i])) hits++;
}
console.log(JSON.stringify({ layout: which, ms: Math.round(performance.now() - t0), hits }));
