// Exact set of worlds for the breadth-first search: worlds live packed in one growing
// Int32Array arena and an open-addressing table maps a world's hash to its id. No string keys
// and no per-state objects, so the search spends its time in the model, not in the allocator.
// Ids are dense and assigned in insertion order, which the BFS uses as its queue.
import type { SearchLimits } from './limits.js';

// What a reserve() says: room made, the memory budget says no, or the system refused the
// allocation itself (a ulimit, a container's limit, the largest array the engine can make).
export type Room = 'ok' | 'budget' | 'refused';

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

export class StateStore {
  readonly size: number; // ints per world
  private arena: Int32Array;
  private table: Int32Array; // id + 1, 0 = empty
  private mask: number;
  count = 0;

  constructor(worldSize: number, expected = 1 << 16) {
    this.size = worldSize;
    this.arena = new Int32Array(worldSize * expected);
    let cap = 1;
    while (cap < expected * 2) cap <<= 1;
    this.table = new Int32Array(cap);
    this.mask = cap - 1;
  }

  // Id of w if present, else -1.
  find(w: Int32Array): number {
    const { table, mask } = this;
    for (let slot = hashWorld(w) & mask; ; slot = (slot + 1) & mask) {
      const v = table[slot];
      if (v === 0) return -1;
      if (this.equals(v - 1, w)) return v - 1;
    }
  }

  // Makes room for `extra` more worlds now, so that add() allocates nothing until then. The
  // search asks first because a doubling is the allocation that can exceed the memory budget
  // or fail outright; without room, the store is unchanged.
  reserve(extra: number, allocate: (bytes: number) => boolean): Room {
    const need = this.count + extra;
    try {
      if (need * this.size > this.arena.length) {
        let len = this.arena.length;
        while (need * this.size > len) len *= 2;
        if (!allocate((len - this.arena.length) * 4)) return 'budget';
        const bigger = new Int32Array(len);
        bigger.set(this.arena);
        this.arena = bigger;
      }
      if (need * 2 > this.table.length) {
        let cap = this.table.length;
        while (need * 2 > cap) cap *= 2;
        if (!allocate(cap * 4)) return 'budget';
        this.rehash(cap);
      }
    } catch (e) {
      if (e instanceof RangeError) return 'refused';
      throw e;
    }
    return 'ok';
  }

  // Adds w (which must not be present) and returns its id.
  add(w: Int32Array): number {
    if ((this.count + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    const id = this.count++;
    if ((id + 1) * this.size > this.arena.length) {
      const bigger = new Int32Array(this.arena.length * 2);
      bigger.set(this.arena);
      this.arena = bigger;
    }
    this.arena.set(w, id * this.size);
    this.insert(id, hashWorld(w));
    return id;
  }

  // A view of world `id`; valid until the next add() (the arena may move).
  view(id: number): Int32Array {
    return this.arena.subarray(id * this.size, (id + 1) * this.size);
  }

  read(id: number, into: Int32Array): void {
    const base = id * this.size;
    for (let i = 0; i < this.size; i++) into[i] = this.arena[base + i];
  }

  copy(id: number): Int32Array {
    return this.arena.slice(id * this.size, (id + 1) * this.size);
  }

  private equals(id: number, w: Int32Array): boolean {
    const a = this.arena;
    const base = id * this.size;
    for (let i = 0; i < this.size; i++) if (a[base + i] !== w[i]) return false;
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
    for (let id = 0; id < this.count; id++) this.insert(id, hashWorld(this.view(id)));
  }
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

// A growing list of ints (the search's parent links, edges, per-state figures).
export class GrowInt32 {
  a = new Int32Array(1 << 16);
  n = 0;
  // room for `extra` more pushes without allocating (unchanged when it cannot be had)
  reserve(extra: number, allocate: (bytes: number) => boolean): Room {
    if (this.n + extra <= this.a.length) return 'ok';
    let len = this.a.length;
    while (this.n + extra > len) len *= 2;
    if (!allocate(len * 4)) return 'budget';
    try {
      const b = new Int32Array(len);
      b.set(this.a);
      this.a = b;
    } catch (e) {
      if (e instanceof RangeError) return 'refused';
      throw e;
    }
    return 'ok';
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}
