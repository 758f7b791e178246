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
// varints: 86 ints (344 bytes) of a 5-node world in about 50. Equal worlds have equal
// encodings (the bitmap fixes how many varints follow), so the table compares bytes. Bytes live
// in fixed chunks that are never copied (growth adds a chunk: no doubling slack and no moment
// holding the old and new arena at once), and each world's hash is kept, so growing the table
// re-inserts without re-reading a single world.
export const CHUNK = 1 << 24; // bytes per arena chunk
const MAX_ENCODED = 5; // bytes of one int's varint, at most
const FOUND = new Int32Array(0); // scratchOf: the scratch holds what findEncoded() was given

// Most bytes a world of `size` ints can take encoded
export function maxEncodedBytes(size: number): number {
  return ((size + 7) >> 3) + size * MAX_ENCODED;
}

// The non-zero bitmap and zigzag varints of w, written into out from `at`; returns where they
// end (this runs for every successor the search generates: one pass, the bitmap kept in a local)
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

// The world encoded at bytes[map..] into `into` (whose length is the world's size)
export function decodeWorld(bytes: Uint8Array, map: number, into: Int32Array): void {
  const size = into.length;
  let p = map + ((size + 7) >> 3);
  for (let i = 0; i < size; i++) {
    if ((bytes[map + (i >> 3)] & (1 << (i & 7))) === 0) {
      into[i] = 0;
      continue;
    }
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[p++];
      v |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    into[i] = (v >>> 1) ^ -(v & 1);
  }
}

export class StateStore {
  readonly size: number; // ints per world
  private chunks: Uint8Array[] = []; // those after `cur` are reserved, still empty
  private cur = -1; // the chunk being filled
  private used = CHUNK; // bytes used in it (CHUNK: full, or none yet)
  private start: Float64Array; // id -> byte offset in the arena (chunk * CHUNK + position)
  private hashes: Int32Array;
  private table: Int32Array; // id + 1, 0 = empty
  private mask: number;
  private readonly scratch: Uint8Array; // the encoding of the world find() last looked up
  private scratchLen = 0;
  private scratchHash = 0;
  private scratchOf: Int32Array | null = null;
  private foundSrc: Uint8Array | null = null; // what findEncoded() was given
  private foundAt = 0;
  private readonly decoded: Int32Array;
  count = 0;

  // shared: chunks in SharedArrayBuffers, so worker threads read the worlds they expand in place
  constructor(worldSize: number, expected = 1 << 16, private readonly shared = false) {
    this.size = worldSize;
    this.scratch = new Uint8Array(maxEncodedBytes(worldSize));
    this.decoded = new Int32Array(worldSize);
    this.start = new Float64Array(expected);
    this.hashes = new Int32Array(expected);
    let cap = 1;
    while (cap < expected * 2) cap <<= 1;
    this.table = new Int32Array(cap);
    this.mask = cap - 1;
  }

  // Id of w if present, else -1. A following add(w) of the same, unchanged array reuses the
  // encoding made here.
  find(w: Int32Array): number {
    const len = this.encode(w);
    const h = hashBytes(this.scratch, len);
    this.scratchHash = h;
    this.scratchOf = w;
    const { table, mask } = this;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const v = table[slot];
      if (v === 0) return -1;
      if (this.hashes[v - 1] === h && this.equals(v - 1, len)) return v - 1;
    }
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
      const bytes = extra * this.scratch.length;
      const have = CHUNK - this.used + (this.chunks.length - 1 - this.cur) * (CHUNK - this.scratch.length);
      if (have < bytes) {
        const more = Math.ceil((bytes - have) / (CHUNK - this.scratch.length));
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
    if (this.scratchOf !== w) {
      const len = this.encode(w);
      this.scratchHash = hashBytes(this.scratch, len);
    }
    this.scratchOf = null;
    const len = this.scratchLen;
    if (this.count + 1 > this.start.length) this.reserve(1, () => true);
    if ((this.count + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    if (this.used + len > CHUNK) this.nextChunk();
    const id = this.count++;
    const chunk = this.cur;
    this.chunks[chunk].set(this.scratch.subarray(0, len), this.used);
    this.start[id] = chunk * CHUNK + this.used;
    this.used += len;
    this.hashes[id] = this.scratchHash;
    this.insert(id, this.scratchHash);
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

  // As find(w), for a world encoded elsewhere (a worker thread) with its hash; a following
  // addFound() adds it. Compared where it lies: most successors are found, so copying each
  // into the scratch first would be wasted.
  findEncoded(src: Uint8Array, at: number, len: number, h: number): number {
    this.foundSrc = src;
    this.foundAt = at;
    this.scratchLen = len;
    this.scratchHash = h;
    this.scratchOf = FOUND;
    const { table, mask, hashes } = this;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const v = table[slot];
      if (v === 0) return -1;
      if (hashes[v - 1] === h && this.sameBytes(v - 1, src, at, len)) return v - 1;
    }
  }

  addFound(): number {
    const len = this.scratchLen;
    const src = this.foundSrc!;
    for (let i = 0; i < len; i++) this.scratch[i] = src[this.foundAt + i];
    return this.add(FOUND);
  }

  private sameBytes(id: number, src: Uint8Array, from: number, len: number): boolean {
    const at = this.start[id];
    const bytes = this.chunks[Math.floor(at / CHUNK)];
    const base = at % CHUNK;
    for (let i = 0; i < len; i++) if (bytes[base + i] !== src[from + i]) return false;
    return true;
  }

  private nextChunk(): void {
    if (++this.cur === this.chunks.length) this.chunks.push(this.newChunk());
    this.used = 0;
  }

  private encode(w: Int32Array): number {
    const p = encodeWorld(w, this.scratch, 0);
    this.scratchLen = p;
    return p;
  }

  private equals(id: number, len: number): boolean {
    const at = this.start[id];
    const bytes = this.chunks[Math.floor(at / CHUNK)];
    const base = at % CHUNK;
    const s = this.scratch;
    for (let i = 0; i < len; i++) if (bytes[base + i] !== s[i]) return false;
    // equal prefixes of a complete encoding: the stored world has the same number of slots, so
    // the stored encoding cannot go on past `len`
    return true;
  }

  private insert(id: number, h: number): void {
    const { table, mask } = this;
    let slot = h & mask;
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = id + 1;
  }

  private rehash(cap: number): void {
    this.table = new Int32Array(cap);
    this.mask = this.table.length - 1;
    for (let id = 0; id < this.count; id++) this.insert(id, this.hashes[id]);
  }
}

// FNV-1a over the encoded bytes, four at a time, then a murmur finaliser so that the low bits
// the table uses depend on every byte.
export function hashBytes(b: Uint8Array, len: number, from = 0): number {
  let h = 0x811c9dc5 | 0;
  let i = from;
  len += from;
  for (; i + 4 <= len; i += 4) h = Math.imul(h ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)), 0x01000193);
  for (; i < len; i++) h = Math.imul(h ^ b[i], 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

// One multiply per word (FNV-1a over 32-bit words), then a murmur finaliser so that the low
// bits the table uses depend on every word.
export function hashWorld(w: Int32Array): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i], 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
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
