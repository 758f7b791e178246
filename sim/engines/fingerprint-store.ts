// The state store of `check --fingerprints` (hash compaction, as TLC does it): for every world
// the search has seen it keeps a 64-bit fingerprint and nothing else, so a space many times
// larger than memory can be searched. Only the worlds of the level being expanded and of the
// level being filled are kept whole (encoded as StateStore encodes them); a level is dropped
// as soon as the search reads the first world of the next one. Ids stay dense and breadth-first,
// so the caller's parent links still rebuild every trace.
//
// What it gives up: two different worlds with the same fingerprint are taken for one, and the
// second is never explored (the chance is printed with every result: collisionBound). find()
// says whether a world was seen, not which one it was (no ids are kept for old worlds), so the
// edge lists, and with them the graph analyses, cannot be built.
import { GrowBytes, GrowInt32, type Room, decodeWorld, encodeWorld } from './state-store.js';

// What the breadth-first search asks of a store, exact (StateStore) or not (FingerprintStore).
export interface WorldStore {
  readonly count: number;
  // an id >= 0 when w was seen (a fingerprint store answers SEEN: it keeps no old ids), else -1
  find(w: Int32Array): number;
  add(w: Int32Array): number; // w must not be present; returns its id
  read(id: number, into: Int32Array): void;
  copy(id: number): Int32Array;
  reserve(extra: number, allocate: (bytes: number) => boolean): Room;
}

// What find() answers for a world seen before, whose id is not kept.
export const SEEN = 0;

export const FINGERPRINT_BITS = 64;

// The chance that the search took two different worlds for one (and so skipped some), for a
// fingerprint that behaves like a random function of the world: at most n * t / 2^64 for n
// distinct states and t transitions. It is above TLC's "optimistic" estimate n * (t - n) / 2^64
// and the birthday bound n^2 / 2^65, so it may be quoted as an upper bound of either.
export function collisionBound(states: number, transitions: number): number {
  return Math.min(1, (states * Math.max(states, transitions)) / 2 ** 64);
}

const CHUNK = 1 << 22; // bytes per level-arena chunk (4 MiB: a search holds five or more)
const MAX_ENCODED = 5; // bytes of one int's varint, at most
// the table grows past this load; linear probing at 3/4 stays within a cache line or two,
// since eight fingerprints share one
const MAX_LOAD = 0.75;

// One level's worlds, encoded, in chunks that return to a shared pool when the level is done.
class LevelArena {
  first = 0; // id of the level's first world
  n = 0;
  chunks: Uint8Array[] = [];
  starts: Float64Array; // world i of the level -> chunk * CHUNK + byte offset
  used = CHUNK; // bytes used in the last chunk (CHUNK: none yet)
  constructor(len: number) {
    this.starts = new Float64Array(len);
  }
}

export class FingerprintStore implements WorldStore {
  readonly size: number; // ints per world
  count = 0;
  private table: Int32Array; // [lo, hi] per slot; (0, 0) is empty
  private mask: number; // slots - 1
  private cur: LevelArena; // the level being read (expanded)
  private next: LevelArena; // the level being added to
  private readonly pool: Uint8Array[] = []; // chunks of levels done, for the next ones
  private readonly scratch: Uint8Array; // the encoding of the world find() last looked up
  private readonly words: Int32Array; // the same bytes, four at a time
  private scratchLen = 0;
  private scratchOf: Int32Array | null = null;
  private lo = 0; // its fingerprint
  private hi = 0;
  private slot = 0; // and the empty slot its probe ended on
  private readonly decoded: Int32Array;

  constructor(worldSize: number, expected = 1 << 16) {
    this.size = worldSize;
    const bytes = ((worldSize + 7) >> 3) + worldSize * MAX_ENCODED;
    this.scratch = new Uint8Array((bytes + 3) & ~3);
    this.words = new Int32Array(this.scratch.buffer);
    this.decoded = new Int32Array(worldSize);
    let slots = 1;
    while (slots * MAX_LOAD < expected) slots <<= 1;
    this.table = new Int32Array(2 * slots);
    this.mask = slots - 1;
    this.cur = new LevelArena(1024);
    this.next = new LevelArena(1024);
  }

  // SEEN when w's fingerprint is in the set, else -1. A following add(w) of the same, unchanged
  // array reuses the encoding, the fingerprint and the probe made here.
  find(w: Int32Array): number {
    this.fingerprint(w);
    this.scratchOf = w;
    const { table, mask, lo, hi } = this;
    for (let slot = lo & mask; ; slot = (slot + 1) & mask) {
      const a = table[2 * slot];
      const b = table[2 * slot + 1];
      if (a === lo && b === hi) return SEEN;
      if (a === 0 && b === 0) {
        this.slot = slot;
        return -1;
      }
    }
  }

  // Room for `extra` more worlds: the table below its load and the levels' arenas, so that
  // add() allocates nothing until then. Without room, what was not yet grown is as it was, and
  // the store is consistent either way.
  reserve(extra: number, allocate: (bytes: number) => boolean): Room {
    try {
      const need = this.count + extra;
      if (need > (this.mask + 1) * MAX_LOAD) {
        let slots = this.mask + 1;
        while (need > slots * MAX_LOAD) slots *= 2;
        if (!allocate(slots * 8)) return 'budget';
        this.rehash(slots);
      }
      // the adds may pass into a new level (a read of the level being filled makes the level
      // being read the one filled next, emptied): room in both levels' offsets, and chunks
      // counted from the pool alone, never from the tail of the chunk being filled
      for (const lv of [this.next, this.cur]) {
        const n = lv === this.next ? lv.n : 0;
        if (n + extra <= lv.starts.length) continue;
        let len = lv.starts.length;
        while (n + extra > len) len *= 2;
        if (!allocate(len * 8)) return 'budget';
        const starts = new Float64Array(len);
        starts.set(lv.starts.subarray(0, lv.n));
        lv.starts = starts;
      }
      // the next `extra` worlds' bytes at the most they can take, from the pool alone: a world
      // never straddles two chunks (each chunk may leave one world's worth unused), and the
      // adds may leave a part-filled chunk in each of the two levels alive at once (the level
      // filled before a read becomes the level read, and keeps its chunks until the next one),
      // hence two chunks more. Chunks of dropped levels first: only new ones are memory the
      // budget must allow.
      const room = CHUNK - this.scratch.length;
      const chunks = Math.ceil((extra * this.scratch.length) / room) + 2;
      if (this.pool.length < chunks) {
        const fresh = chunks - this.pool.length;
        if (!allocate(fresh * CHUNK)) return 'budget';
        for (let i = 0; i < fresh; i++) this.pool.push(new Uint8Array(CHUNK));
      }
    } catch (e) {
      if (e instanceof RangeError) return 'refused';
      throw e;
    }
    return 'ok';
  }

  add(w: Int32Array): number {
    if (this.scratchOf !== w && this.find(w) !== -1) throw new Error('rollsafe: internal: add() of a world already seen');
    this.scratchOf = null;
    const { table, lo, hi } = this;
    let slot = this.slot;
    if (this.count + 1 > (this.mask + 1) * MAX_LOAD) {
      this.rehash((this.mask + 1) * 2);
      slot = this.probe(lo);
    }
    table[2 * slot] = lo;
    table[2 * slot + 1] = hi;
    const id = this.count++;
    const lv = this.next;
    const len = this.scratchLen;
    if (lv.used + len > CHUNK) {
      lv.chunks.push(this.pool.pop() ?? new Uint8Array(CHUNK));
      lv.used = 0;
    }
    if (lv.n === lv.starts.length) {
      const starts = new Float64Array(lv.starts.length * 2);
      starts.set(lv.starts);
      lv.starts = starts;
    }
    const chunk = lv.chunks.length - 1;
    lv.chunks[chunk].set(this.scratch.subarray(0, len), lv.used);
    lv.starts[lv.n++] = chunk * CHUNK + lv.used;
    lv.used += len;
    return id;
  }

  // World `id` of the level being expanded or the one being filled. The search reads ids in
  // order, level by level: reading into the level being filled means the one before it is done,
  // and its worlds are dropped (their chunks go back to the pool).
  read(id: number, into: Int32Array): void {
    if (id >= this.next.first && id < this.count) this.advance();
    const lv = this.cur;
    const i = id - lv.first;
    if (i < 0 || i >= lv.n) throw new Error(`rollsafe: internal: world ${id} was dropped by the fingerprint store (it keeps two levels)`);
    const at = lv.starts[i];
    decodeWorld(lv.chunks[Math.floor(at / CHUNK)], at % CHUNK, into);
  }

  copy(id: number): Int32Array {
    const w = new Int32Array(this.size);
    this.read(id, w);
    return w;
  }

  view(id: number): Int32Array {
    this.read(id, this.decoded);
    return this.decoded;
  }

  // w's fingerprint as its two 32-bit halves (for tests of the hash; the search never asks)
  fingerprintOf(w: Int32Array): [number, number] {
    this.fingerprint(w);
    this.scratchOf = null;
    return [this.lo, this.hi];
  }

  // Bytes held: the fingerprint table and the two levels' arenas (chunks in the pool included).
  get bytes(): number {
    const chunks = this.cur.chunks.length + this.next.chunks.length + this.pool.length;
    return this.table.byteLength + chunks * CHUNK + this.cur.starts.byteLength + this.next.starts.byteLength;
  }

  get tableSlots(): number {
    return this.mask + 1;
  }

  private advance(): void {
    const done = this.cur;
    for (const c of done.chunks) this.pool.push(c);
    done.chunks = [];
    done.n = 0;
    done.used = CHUNK;
    done.first = this.count;
    this.cur = this.next;
    this.next = done;
  }

  private probe(lo: number): number {
    const { table, mask } = this;
    let slot = lo & mask;
    while (table[2 * slot] !== 0 || table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
    return slot;
  }

  private rehash(slots: number): void {
    this.scratchOf = null; // the probe find() made is void
    const old = this.table;
    this.table = new Int32Array(2 * slots);
    this.mask = slots - 1;
    for (let i = 0; i < old.length; i += 2) {
      const lo = old[i];
      const hi = old[i + 1];
      if (lo === 0 && hi === 0) continue;
      const slot = this.probe(lo);
      this.table[2 * slot] = lo;
      this.table[2 * slot + 1] = hi;
    }
  }

  // Encodes w into scratch (StateStore's format: a bitmap of the non-zero slots, then those
  // slots as zigzag varints; equal worlds, equal bytes) and fingerprints the bytes with two
  // unrelated 32-bit hashes, one per half: murmur3's and xxHash32's rounds over the same
  // words, each with its own finaliser. Computed in 32-bit integer arithmetic: no BigInt.
  private fingerprint(w: Int32Array): void {
    const out = this.scratch;
    const p = encodeWorld(w, out, 0);
    this.scratchLen = p;
    // the last word's bytes past the encoding are zero, so that the words are a function of it
    for (let i = p; (i & 3) !== 0; i++) out[i] = 0;
    const words = this.words;
    const nw = (p + 3) >> 2;
    let a = 0x9747b28c | 0;
    let b = (0x165667b1 + p) | 0;
    for (let i = 0; i < nw; i++) {
      const k0 = words[i];
      let k = Math.imul(k0, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      a ^= Math.imul(k, 0x1b873593);
      a = (a << 13) | (a >>> 19);
      a = (Math.imul(a, 5) + 0xe6546b64) | 0;
      b = (b + Math.imul(k0, 0xc2b2ae3d)) | 0;
      b = Math.imul((b << 17) | (b >>> 15), 0x27d4eb2f);
    }
    a ^= p;
    a ^= a >>> 16;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 13;
    a = Math.imul(a, 0xc2b2ae35);
    a ^= a >>> 16;
    b ^= b >>> 15;
    b = Math.imul(b, 0x85ebca77);
    b ^= b >>> 13;
    b = Math.imul(b, 0xc2b2ae3d);
    b ^= b >>> 16;
    // (0, 0) marks an empty slot: that one fingerprint is read as (0, 1)
    this.lo = a;
    this.hi = a === 0 && b === 0 ? 1 : b;
  }
}

// The per-state lists a fingerprint search does not keep (edges, phases, positions, flags):
// the search pushes to them as it always does, and the values go nowhere.
export class DiscardInt32 extends GrowInt32 {
  constructor() {
    super();
    this.a = new Int32Array(0);
  }
  override push(): void {}
  override reserve(): Room {
    return 'ok';
  }
}

export class DiscardBytes extends GrowBytes {
  constructor() {
    super();
    this.a = new Uint8Array(0);
  }
  override push(): void {}
  override reserve(): Room {
    return 'ok';
  }
}
