// Expanding a batch of stored worlds into their successors, encoded as the state store keeps
// them: what a worker thread of the parallel search does, and the main thread too when it
// would otherwise wait. Deduplication stays on the main thread, which takes the batches in
// breadth-first order, so ids, traces and counts are those of the one-thread search.
import type { Model, PropertyHit } from '../../model/model.js';
import { CHUNK, decodeWorld, encodeWorld, hashWorld, maxEncodedBytes } from './state-store.js';

// Per edge, in the order the one-thread search takes them (state by state, event by event):
// the event's index in the model's alphabet, the successor's phase (before canonical form),
// its hash (hashWorld, as the store's find() takes it), where its encoding starts in `bytes`
// and how long it is.
export const EDGE_INTS = 5;

export interface ExpandedBatch {
  first: number; // id of the batch's first state
  count: number;
  edgesOf: Int32Array; // per state: how many edges leave it
  edges: Int32Array; // EDGE_INTS per edge
  bytes: Uint8Array;
  // the steps on which an edge property fails (rare): the edge's index in the batch and its hits
  hits: [number, PropertyHit[]][];
}

export class Expander {
  private readonly w: Int32Array;
  private readonly next: Int32Array;
  private readonly sorted: Int32Array;
  private readonly maxBytes: number;
  // buffers of batches already merged, handed back to be filled again: a batch's arrays are
  // hundreds of kilobytes, and allocating them anew for each made the collector a tenth of the work
  private readonly spareEdges: Int32Array[] = [];
  private readonly spareBytes: Uint8Array[] = [];

  constructor(
    private readonly model: Model,
    private readonly symmetry: boolean,
  ) {
    const n = model.L.size;
    this.w = new Int32Array(n);
    this.next = new Int32Array(n);
    this.sorted = new Int32Array(n);
    this.maxBytes = maxEncodedBytes(n);
  }

  recycle(spare: SpareBuffers): void {
    this.spareEdges.push(new Int32Array(spare.edges));
    this.spareBytes.push(new Uint8Array(spare.bytes));
  }

  private spare<A extends Int32Array | Uint8Array>(pool: A[], len: number, make: (n: number) => A): A {
    const a = pool.pop();
    return a && a.length >= len ? a : make(len);
  }

  // The successors of the worlds at `starts` (arena offsets) in `chunks`, ids from `first`.
  expand(chunks: Uint8Array[], first: number, starts: Float64Array): ExpandedBatch {
    const { model, w, next, sorted, maxBytes } = this;
    const alphabet = model.events;
    const count = starts.length;
    const edgesOf = new Int32Array(count);
    // room for four edges per state of 64 bytes each to start with (most worlds take 40 to 60)
    let edges = this.spare(this.spareEdges, count * 4 * EDGE_INTS, (n) => new Int32Array(n));
    let bytes = this.spare(this.spareBytes, Math.max(count * 4 * 64, 2 * maxBytes), (n) => new Uint8Array(n));
    let ne = 0;
    let nb = 0;
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
        if (nb + maxBytes > bytes.length) bytes = grown(bytes, bytes.length * 2);
        const end = encodeWorld(cw, bytes, nb);
        const k = ne * EDGE_INTS;
        edges[k] = j;
        edges[k + 1] = toPhase;
        edges[k + 2] = hashWorld(cw);
        edges[k + 3] = nb;
        edges[k + 4] = end - nb;
        nb = end;
        ne++;
        out++;
      }
      edgesOf[i] = out;
    }
    return { first, count, edgesOf, edges: edges.subarray(0, ne * EDGE_INTS), bytes: bytes.subarray(0, nb), hits };
  }
}

export interface SpareBuffers {
  edges: ArrayBuffer;
  bytes: ArrayBuffer;
}

// What a merged batch's arrays can be filled with again
export function spareOf(b: ExpandedBatch): SpareBuffers {
  return { edges: b.edges.buffer as ArrayBuffer, bytes: b.bytes.buffer as ArrayBuffer };
}

function grown<A extends Int32Array | Uint8Array>(a: A, len: number): A {
  const b = new (a.constructor as new (n: number) => A)(len);
  b.set(a);
  return b;
}
