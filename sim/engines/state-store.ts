// Exact set of worlds for the breadth-first search: worlds live packed in one growing
// Int32Array arena and an open-addressing table maps a world's hash to its id. No string keys
// and no per-state objects, so the search spends its time in the model, not in the allocator.
// Ids are dense and assigned in insertion order, which the BFS uses as its queue.
import type { SearchLimits } from './limits.js';

// What a reserve() says: room made, the memory budget says no, or the system refused the
// allocation itself (a ulimit, a container's limit, the largest array the engine can make).
export type Room = 'ok' | 'budget' | 'refused';

// V8's words for an allocation it could not make (not a stack overflow, also a RangeError)
export function isAllocationFailure(e: unknown): boolean {
  return e instanceof RangeError && /allocation failed|Invalid (typed )?array length|out of memory/i.test(e.message);
}

export const REFUSED_BOUND = 'memory: an allocation failed (a ulimit, a container limit, or the largest array the engine can make)';

// Room for `extra` more worlds (or entries) in every one of `growing`, or the bound that ends
// the search: a search asks before it grows, so it ends between two states, consistent.
export function reserveRoom(growing: { reserve(extra: number, allocate: (bytes: number) => boolean): Room }[], extra: number, limits: SearchLimits): string | null {
  for (const g of growing) {
    const room = g.reserve(extra, limits.allocate);
    if (room !== 'ok') return room === 'refused' ? REFUSED_BOUND : limits.memoryBound;
  }
  return null;
}

// The events from the first world to world `id` (then `extra`), from the parent links.
export function pathBack(parent: GrowInt32, via: GrowInt32, id: number, extra?: number): number[] {
  const evs: number[] = [];
  for (let i = id; parent.a[i] >= 0; i = parent.a[i]) evs.push(via.a[i]);
  evs.reverse();
  if (extra !== undefined) evs.push(extra);
  return evs;
}

// Worlds are mostly zeros, small numbers (statuses, positions, versions, flags) and a few
// counts, so each is stored as a bitmap of its non-zero slots followed by those slots as zigzag
// varints: 86 ints (344 bytes) of a 5-node world in about 50. A world is hashed as it is, and a
// lookup compares it with a stored one by decoding that one, so only a world added is ever
// encoded (written straight into the arena). Bytes live in fixed chunks that are never copied (growth adds a chunk: no doubling slack and no moment
// holding the old and new arena at once), and each world's hash is kept, so growing the table
// re-inserts without re-reading a single world.
export const CHUNK = 1 << 24; // bytes per arena chunk
const MAX_ENCODED = 5; // bytes of one int's varint, at most

// Most bytes a world of `size` ints can take encoded
export function maxEncodedBytes(size: number): number {
  return ((size + 7) >> 3) + size * MAX_ENCODED;
}

// The non-zero bitmap and zigzag varints of w, written into out from `at`; returns where they
// end (one pass, the bitmap kept in a local)
export function encodeWorld(w: Int32Array, out: Uint8Array, at: number): number {
  const n = w.length;
  let p = at + ((n + 7) >> 3);
  let bits = 0;
  for (let i = 0; i < n; i++) {
    const x = w[i];
    if (x !== 0) {
      bits |= 1 << (i & 7);
      let v = ((x << 1) ^ (x >> 31)) >>> 0;
      while (v >= 0x80) {
        out[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      out[p++] = v;
    }
    if ((i & 7) === 7) {
      out[at + (i >> 3)] = bits;
      bits = 0;
    }
  }
  if (n & 7) out[at + (n >> 3)] = bits;
  return p;
}

// The world encoded at bytes[map..] into `into` (whose length is the world's size): the set
// bits of the bitmap, lowest first, since the varints follow in slot order
export function decodeWorld(bytes: Uint8Array, map: number, into: Int32Array): void {
  const mapBytes = (into.length + 7) >> 3;
  let p = map + mapBytes;
  into.fill(0);
  for (let g = 0; g < mapBytes; g++) {
    let bits = bytes[map + g];
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      let v = 0;
      let shift = 0;
      let b: number;
      do {
        b = bytes[p++];
        v |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
      into[(g << 3) | (31 - Math.clz32(low))] = (v >>> 1) ^ -(v & 1);
    }
  }
}

export class StateStore {
  readonly size: number; // ints per world
  private chunks: Uint8Array[] = []; // those after `cur` are reserved, still empty
  private cur = -1; // the chunk being filled
  private used = CHUNK; // bytes used in it (CHUNK: full, or none yet)
  private start: Float64Array; // id -> byte offset in the arena (chunk * CHUNK + position)
  private hashes: Int32Array; // per id: what rehash() re-inserts by, without reading a world
  // per slot: (tag << idBits) | (id + 1), 0 = empty. The tag is the hash's top 32 - idBits bits,
  // so a probe passes over a slot of another world without reading that world's hash
  private table: Int32Array;
  private mask: number;
  private idBits: number; // log2 of the table's length: id + 1 <= count <= half of it fits
  private readonly maxBytes: number; // the longest encoding a world can have
  private scratchHash = 0; // the hash of the world find() last looked up
  private scratchOf: Int32Array | null = null;
  private readonly decoded: Int32Array;
  count = 0;

  // shared: chunks in SharedArrayBuffers, so worker threads read the worlds they expand in place
  constructor(worldSize: number, expected = 1 << 16, private readonly shared = false) {
    this.size = worldSize;
    this.maxBytes = ((worldSize + 7) >> 3) + worldSize * MAX_ENCODED;
    this.decoded = new Int32Array(worldSize);
    this.start = new Float64Array(expected);
    this.hashes = new Int32Array(expected);
    let cap = 2;
    while (cap < expected * 2) cap <<= 1;
    this.table = new Int32Array(cap);
    this.mask = cap - 1;
    this.idBits = 31 - Math.clz32(cap);
  }

  // Id of w if present, else -1. A following add(w) of the same, unchanged array reuses the
  // hash made here. The world is hashed as it is and compared with a stored one by decoding
  // that one: most lookups find a world already stored, and need no encoding at all.
  find(w: Int32Array): number {
    return this.findHashed(w, hashWorld(w), 0);
  }

  // As find(w), for the world at w[off..off + size) whose hash (hashWorld) another thread has
  // worked out, in a parallel search. It is compared where it lies: most successors are found.
  findHashed(w: Int32Array, h: number, off: number): number {
    this.scratchHash = h;
    this.scratchOf = w;
    const { table, mask, idBits } = this;
    const tag = h >>> idBits;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const v = table[slot];
      if (v === 0) return -1;
      if (v >>> idBits === tag && this.equals((v & mask) - 1, w, off)) return (v & mask) - 1;
    }
  }

  // Adds w, whose hash is h (it must not be present)
  addHashed(w: Int32Array, h: number): number {
    this.scratchOf = w;
    this.scratchHash = h;
    return this.add(w);
  }

  // Makes room for `extra` more worlds now, so that add() allocates nothing but arena chunks
  // until then. The search asks first because a doubling is the allocation that can exceed the
  // memory budget or fail outright; without room, the store is unchanged.
  reserve(extra: number, allocate: (bytes: number) => boolean): Room {
    const need = this.count + extra;
    try {
      if (need > this.start.length) {
        let len = this.start.length;
        while (need > len) len *= 2;
        if (!allocate((len - this.start.length) * 12)) return 'budget';
        const start = new Float64Array(len);
        start.set(this.start);
        const hashes = new Int32Array(len);
        hashes.set(this.hashes);
        this.start = start;
        this.hashes = hashes;
      }
      if (need * 2 > this.table.length) {
        let cap = this.table.length;
        while (need * 2 > cap) cap *= 2;
        if (!allocate(cap * 4)) return 'budget';
        this.rehash(cap);
      }
      // the next `extra` worlds' bytes, at the most they can take (a world never straddles
      // two chunks, so each chunk may leave one world's worth unused)
      const bytes = extra * this.maxBytes;
      const have = CHUNK - this.used + (this.chunks.length - 1 - this.cur) * (CHUNK - this.maxBytes);
      if (have < bytes) {
        const more = Math.ceil((bytes - have) / (CHUNK - this.maxBytes));
        if (!allocate(more * CHUNK)) return 'budget';
        for (let i = 0; i < more; i++) this.chunks.push(this.newChunk());
      }
    } catch (e) {
      if (e instanceof RangeError) return 'refused';
      throw e;
    }
    return 'ok';
  }

  // Adds w (which must not be present) and returns its id.
  add(w: Int32Array): number {
    const h = this.scratchOf === w ? this.scratchHash : hashWorld(w);
    this.scratchOf = null;
    if (this.count + 1 > this.start.length) this.reserve(1, () => true);
    if ((this.count + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    // encoded in place: a world never straddles two chunks
    if (this.used + this.maxBytes > CHUNK) this.nextChunk();
    const id = this.count++;
    const chunk = this.cur;
    this.start[id] = chunk * CHUNK + this.used;
    this.used = encodeWorld(w, this.chunks[chunk], this.used);
    this.hashes[id] = h;
    this.insert(id, h);
    return id;
  }

  // World `id`, decoded into a buffer the next view() overwrites.
  view(id: number): Int32Array {
    this.read(id, this.decoded);
    return this.decoded;
  }

  read(id: number, into: Int32Array): void {
    const at = this.start[id];
    decodeWorld(this.chunks[Math.floor(at / CHUNK)], at % CHUNK, into);
  }

  copy(id: number): Int32Array {
    const w = new Int32Array(this.size);
    this.read(id, w);
    return w;
  }

  // Bytes the stored worlds take, for the benchmarks' bytes-per-state figure.
  get arenaBytes(): number {
    return this.cur < 0 ? 0 : this.cur * CHUNK + this.used;
  }

  private newChunk(): Uint8Array {
    return new Uint8Array(this.shared ? new SharedArrayBuffer(CHUNK) : new ArrayBuffer(CHUNK));
  }

  // the arena's chunks, for the main thread's own expansions in a parallel search
  arenaChunks(): Uint8Array[] {
    return this.chunks;
  }

  // The arena's chunks from `from` on, for worker threads (a shared store's are SharedArrayBuffers)
  chunkBuffers(from: number): ArrayBufferLike[] {
    return this.chunks.slice(from).map((c) => c.buffer);
  }

  // Where worlds [first, first + count) start in the arena
  offsets(first: number, count: number): Float64Array {
    return this.start.slice(first, first + count);
  }

  private nextChunk(): void {
    if (++this.cur === this.chunks.length) this.chunks.push(this.newChunk());
    this.used = 0;
  }

  // Stored world `id` is w: its bitmap says which of w's slots are non-zero, group by group,
  // and its varints give their values; the first difference ends the comparison.
  private equals(id: number, w: Int32Array, off: number): boolean {
    const at = this.start[id];
    const bytes = this.chunks[Math.floor(at / CHUNK)];
    const map = at % CHUNK;
    const n = this.size;
    const mapBytes = (n + 7) >> 3;
    let p = map + mapBytes;
    for (let g = 0; g < mapBytes; g++) {
      let bits = bytes[map + g];
      const base = g << 3;
      const end = base + 8 < n ? base + 8 : n;
      let nonZero = 0;
      for (let i = base; i < end; i++) if (w[off + i] !== 0) nonZero |= 1 << (i - base);
      if (nonZero !== bits) return false;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        let v = 0;
        let shift = 0;
        let b: number;
        do {
          b = bytes[p++];
          v |= (b & 0x7f) << shift;
          shift += 7;
        } while (b & 0x80);
        if (w[off + base + 31 - Math.clz32(low)] !== ((v >>> 1) ^ -(v & 1))) return false;
      }
    }
    return true;
  }

  private insert(id: number, h: number): void {
    const { table, mask, idBits } = this;
    let slot = h & mask;
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = ((h >>> idBits) << idBits) | (id + 1);
  }

  private rehash(cap: number): void {
    this.table = new Int32Array(cap);
    this.mask = this.table.length - 1;
    this.idBits = 31 - Math.clz32(cap);
    for (let id = 0; id < this.count; id++) this.insert(id, this.hashes[id]);
  }
}

// FNV-1a over the world's 32-bit words in two interleaved lanes (half the chain of dependent
// multiplies), then a murmur finaliser so that the low bits the table uses and the high bits
// its tags use depend on every word.
export function hashWorld(w: Int32Array): number {
  let a = 0x811c9dc5 | 0;
  let b = 0x050c5d1f | 0;
  const n = w.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    a = Math.imul(a ^ w[i], 0x01000193);
    b = Math.imul(b ^ w[i + 1], 0x01000193);
  }
  if (i < n) a = Math.imul(a ^ w[i], 0x01000193);
  let h = a ^ Math.imul(b, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

// A growing list of ints or bytes (the search's parent links, edges, per-state figures and
// flags), grown by doubling; reserve() asks the memory budget before a doubling.
class Grow<A extends Int32Array | Uint8Array> {
  a: A;
  n = 0;
  constructor(private readonly make: (len: number) => A) {
    this.a = make(1 << 16);
  }
  // room for `extra` more pushes without allocating (unchanged when it cannot be had)
  reserve(extra: number, allocate: (bytes: number) => boolean): Room {
    if (this.n + extra <= this.a.length) return 'ok';
    let len = this.a.length;
    while (this.n + extra > len) len *= 2;
    if (!allocate(len * this.a.BYTES_PER_ELEMENT)) return 'budget';
    try {
      this.grow(len);
    } catch (e) {
      if (e instanceof RangeError) return 'refused';
      throw e;
    }
    return 'ok';
  }
  push(v: number): void {
    if (this.n === this.a.length) this.grow(this.a.length * 2);
    this.a[this.n++] = v;
  }
  private grow(len: number): void {
    const b = this.make(len);
    b.set(this.a);
    this.a = b;
  }
}

export class GrowInt32 extends Grow<Int32Array> {
  constructor() {
    super((len) => new Int32Array(len));
  }
}

// a quarter of an int each: per-state flags and phases
export class GrowBytes extends Grow<Uint8Array> {
  constructor() {
    super((len) => new Uint8Array(len));
  }
}
