// Expanding a batch of stored worlds into their successors: what a worker thread of the
// parallel search does, and the main thread too when it would otherwise wait. Deduplication
// stays on the main thread, which takes the batches in breadth-first order, so ids, traces and
// counts are those of the one-thread search. Successors travel as they are (canonical, with
// their hash): the main thread then looks each up exactly as the one-thread search does, and
// only the new ones are ever encoded, once, into the store.
import type { Model, PropertyHit } from '../../model/model.js';
import { CHUNK, decodeWorld, hashWorld } from './state-store.js';

// Per edge, in the order the one-thread search takes them (state by state, event by event):
// the event's index in the model's alphabet, the successor's phase (before canonical form) and
// its hash (hashWorld, as the store's find() takes it). Its world is the edge's `size` ints of
// `worlds`, in edge order.
export const EDGE_INTS = 3;

export interface ExpandedBatch {
  edgesOf: Int32Array; // per state: how many edges leave it
  edges: Int32Array; // EDGE_INTS per edge
  worlds: Int32Array; // the successors' canonical worlds, one after another
  // the steps on which an edge property fails (rare): the edge's index in the batch and its hits
  hits: [number, PropertyHit[]][];
}

// A batch's arrays, handed back once merged to be filled again: they are hundreds of
// kilobytes, and allocating them anew for each batch keeps the collector busy
export interface SpareBuffers {
  edges: ArrayBuffer;
  worlds: ArrayBuffer;
}

export function spareOf(b: ExpandedBatch): SpareBuffers {
  return { edges: b.edges.buffer as ArrayBuffer, worlds: b.worlds.buffer as ArrayBuffer };
}

// States per batch: enough to pay for two messages, small enough that every thread gets
// several, and about a megabyte of successors at most whatever the world's size
export function batchSize(width: number, threads: number, worldSize: number): number {
  const fit = Math.max(8, Math.floor((1 << 20) / (16 * worldSize)));
  return Math.min(512, fit, Math.max(64, Math.ceil(width / (threads * 8))));
}

export class Expander {
  private readonly w: Int32Array;
  private readonly next: Int32Array;
  private readonly sorted: Int32Array;
  private readonly spareEdges: Int32Array[] = [];
  private readonly spareWorlds: Int32Array[] = [];

  constructor(
    private readonly model: Model,
    private readonly symmetry: boolean,
  ) {
    const n = model.L.size;
    this.w = new Int32Array(n);
    this.next = new Int32Array(n);
    this.sorted = new Int32Array(n);
  }

  recycle(spare: SpareBuffers): void {
    this.spareEdges.push(new Int32Array(spare.edges));
    this.spareWorlds.push(new Int32Array(spare.worlds));
  }

  // The successors of the worlds at `starts` (arena offsets) in `chunks`.
  expand(chunks: Uint8Array[], starts: Float64Array): ExpandedBatch {
    const { model, w, next, sorted } = this;
    const size = w.length;
    const alphabet = model.events;
    const count = starts.length;
    const edgesOf = new Int32Array(count);
    // room for four edges per state to start with (3 to 4 is usual)
    let edges = spare(this.spareEdges, count * 4 * EDGE_INTS);
    let worlds = spare(this.spareWorlds, count * 4 * size);
    let ne = 0;
    const hits: [number, PropertyHit[]][] = [];
    for (let i = 0; i < count; i++) {
      const at = starts[i];
      decodeWorld(chunks[Math.floor(at / CHUNK)], at % CHUNK, w);
      let out = 0;
      for (let j = 0; j < alphabet.length; j++) {
        const e = alphabet[j];
        if (!model.isEnabled(w, e)) continue;
        const nw = model.nextInto(w, e, next);
        const bad = model.edgeViolations(w, nw);
        if (bad.length) hits.push([ne, [...bad]]);
        const toPhase = model.phaseOf(nw);
        const cw = this.symmetry ? model.canonicalInto(nw, sorted) : nw;
        if ((ne + 1) * EDGE_INTS > edges.length) edges = grown(edges, edges.length * 2);
        if ((ne + 1) * size > worlds.length) worlds = grown(worlds, worlds.length * 2);
        worlds.set(cw, ne * size);
        const k = ne * EDGE_INTS;
        edges[k] = j;
        edges[k + 1] = toPhase;
        edges[k + 2] = hashWorld(cw);
        ne++;
        out++;
      }
      edgesOf[i] = out;
    }
    return { edgesOf, edges: edges.subarray(0, ne * EDGE_INTS), worlds: worlds.subarray(0, ne * size), hits };
  }
}

function spare(pool: Int32Array[], len: number): Int32Array {
  const a = pool.pop();
  return a && a.length >= len ? a : new Int32Array(len);
}

function grown(a: Int32Array, len: number): Int32Array {
  const b = new Int32Array(len);
  b.set(a);
  return b;
}
