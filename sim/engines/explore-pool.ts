// Worker threads that expand batches of states for the breadth-first search. The search stays
// a synchronous generator: replies are taken off each worker's port with receiveMessageOnPort,
// and the main thread sleeps on a shared counter (Atomics.wait) when it has nothing else to do.
// Workers only generate successors; which thread expanded a batch never shows in the result.
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { Model } from '../../model/model.js';
import { workerFile } from './worker-file.js';
import { addressSpace } from './address-space.js';
import { type ExpandedBatch, type Expander, type SpareBuffers, spareOf } from './expand.js';
import type { StateStore } from './state-store.js';

export interface ExploreWorkerInit {
  scenario: Model['s'];
  maxFaults: number;
  symmetry: boolean;
  sync: SharedArrayBuffer; // Int32: [workers ready (negative: one failed), replies posted by worker 0, 1, ...]
  index: number;
  port: MessagePort;
}
export type ExploreWorkerTask = { chunks: ArrayBufferLike[] } | { starts: Float64Array; spare: SpareBuffers | null };
export type ExploreWorkerReply = ExpandedBatch | { error: string };

// Starts `threads` worker threads that build the model and wait for batches: a side effect,
// asked for by name. Null when threads cannot be had safely: each reserves a heap and a code
// range of its own, and under an address-space limit (ulimit -v) a reservation that fails ends
// the whole process (a fatal V8 error, not an exception), so there the search keeps to one.
export function startExplorePool(model: Model, symmetry: boolean, threads: number): ExplorePool | null {
  if (addressSpace()) return null;
  return new ExplorePool(model, symmetry, threads);
}

export class ExplorePool {
  private readonly sync: Int32Array;
  private readonly ports: MessagePort[] = [];
  private readonly workers: Worker[] = [];
  private readonly seen: number[]; // replies taken, per worker
  private chunksShared = 0;
  private failed: string | null = null;

  constructor(model: Model, symmetry: boolean, readonly threads: number) {
    const file = workerFile('explore-worker.js', 'explore worker');
    const sab = new SharedArrayBuffer(4 * (threads + 1));
    this.sync = new Int32Array(sab);
    this.seen = new Array<number>(threads).fill(0);
    for (let index = 0; index < threads; index++) {
      const { port1, port2 } = new MessageChannel();
      const init: ExploreWorkerInit = { scenario: model.s, maxFaults: model.c.faultBudget, symmetry, sync: sab, index, port: port2 };
      const w = new Worker(file, { workerData: init, transferList: [port2] });
      w.unref(); // a search left unfinished must not keep the process alive
      this.workers.push(w);
      this.ports.push(port1);
    }
  }

  // every worker has built its model (a worker that could not says why, and the search stops)
  ready(): boolean {
    const n = Atomics.load(this.sync, 0);
    if (n < 0) {
      for (let i = 0; i < this.threads && !this.failed; i++) this.tryReceive(i);
      throw new Error(`rollsafe: an explore worker failed: ${this.failed ?? 'no reason given'}`);
    }
    return n === this.threads;
  }

  // Hands the workers the arena chunks they do not have yet (a shared store's chunks)
  shareChunks(store: StateStore): void {
    const more = store.chunkBuffers(this.chunksShared);
    if (!more.length) return;
    this.chunksShared += more.length;
    for (const p of this.ports) p.postMessage({ chunks: more } satisfies ExploreWorkerTask);
  }

  // spare: the arrays of a batch this worker sent earlier, merged since, to be filled again
  send(worker: number, starts: Float64Array, spare: SpareBuffers | null): void {
    const moved = [starts.buffer as ArrayBuffer];
    if (spare) moved.push(spare.edges, spare.worlds);
    this.ports[worker].postMessage({ starts, spare } satisfies ExploreWorkerTask, moved);
  }

  // the worker's next reply if it has posted one
  tryReceive(worker: number): ExpandedBatch | undefined {
    if (Atomics.load(this.sync, worker + 1) === this.seen[worker]) return undefined;
    const m = receiveMessageOnPort(this.ports[worker]);
    if (!m) return undefined;
    this.seen[worker]++;
    const reply = m.message as ExploreWorkerReply;
    if ('error' in reply) {
      this.failed = reply.error;
      throw new Error(`rollsafe: an explore worker failed: ${reply.error}`);
    }
    return reply;
  }

  // the worker's next reply, waiting for it
  receive(worker: number): ExpandedBatch {
    for (;;) {
      const got = this.tryReceive(worker);
      if (got) return got;
      Atomics.wait(this.sync, worker + 1, this.seen[worker], 1000);
    }
  }

  close(): void {
    for (const p of this.ports) p.close();
    for (const w of this.workers) void w.terminate();
  }
}

// One breadth-first level expanded in batches, handed out in order. Workers keep a few batches
// each in flight; while the batch due next is not back, the main thread expands the next batch
// nobody has taken (up to a few ahead, to bound the memory of results waiting their turn).
export class LevelBatches {
  private readonly count: number;
  private readonly results = new Map<number, ExpandedBatch>();
  private readonly inFlight: number[][]; // per worker, the batches sent, oldest first
  private readonly owner: Int32Array; // -1: not taken yet, -2: expanded here
  private untaken = 0; // the lowest batch nobody has taken
  private aheadHere = 0; // results expanded here and not yet handed out
  private handedOut: { batch: ExpandedBatch; owner: number } | null = null; // merged once the next is asked for
  private readonly spares: SpareBuffers[][]; // per worker, arrays to send back with its next batch

  constructor(
    private readonly pool: ExplorePool,
    private readonly store: StateStore,
    private readonly here: Expander,
    private readonly chunks: () => Uint8Array[],
    private readonly levelStart: number,
    private readonly levelEnd: number,
    readonly size: number,
  ) {
    this.count = Math.ceil((levelEnd - levelStart) / size);
    this.inFlight = Array.from({ length: pool.threads }, () => []);
    this.owner = new Int32Array(this.count).fill(-1);
    this.spares = Array.from({ length: pool.threads }, () => []);
    pool.shareChunks(store);
  }

  // the expansion of batch k (call with k = 0, 1, 2, ... in turn)
  take(k: number): ExpandedBatch {
    if (this.handedOut) {
      const { batch, owner } = this.handedOut;
      if (owner >= 0) this.spares[owner].push(spareOf(batch));
      else this.here.recycle(spareOf(batch));
      this.handedOut = null;
    }
    this.topUp();
    for (;;) {
      const r = this.results.get(k);
      if (r) {
        this.results.delete(k);
        if (this.owner[k] === -2) this.aheadHere--;
        this.handedOut = { batch: r, owner: this.owner[k] };
        this.topUp();
        return r;
      }
      if (this.owner[k] === -1) {
        this.expandHere(k);
        continue;
      }
      if (this.poll()) continue;
      if (this.untaken < this.count && this.aheadHere < 8) this.expandHere(this.untaken);
      else this.wait(this.owner[k]);
    }
  }

  private range(k: number): [number, number] {
    const first = this.levelStart + k * this.size;
    return [first, Math.min(this.size, this.levelEnd - first)];
  }

  private expandHere(k: number): void {
    const [first, n] = this.range(k);
    this.owner[k] = -2;
    this.aheadHere++;
    this.results.set(k, this.here.expand(this.chunks(), this.store.offsets(first, n)));
    this.advance();
  }

  private advance(): void {
    while (this.untaken < this.count && this.owner[this.untaken] !== -1) this.untaken++;
  }

  private topUp(): void {
    for (let w = 0; w < this.pool.threads; w++) {
      while (this.inFlight[w].length < 3 && this.untaken < this.count) {
        const k = this.untaken;
        const [first, n] = this.range(k);
        this.owner[k] = w;
        this.inFlight[w].push(k);
        this.pool.send(w, this.store.offsets(first, n), this.spares[w].pop() ?? null);
        this.advance();
      }
    }
  }

  // takes every reply already posted; whether any was
  private poll(): boolean {
    let any = false;
    for (let w = 0; w < this.pool.threads; w++) {
      for (let r = this.pool.tryReceive(w); r; r = this.pool.tryReceive(w)) {
        this.results.set(this.inFlight[w].shift()!, r);
        any = true;
      }
    }
    return any;
  }

  private wait(w: number): void {
    this.results.set(this.inFlight[w].shift()!, this.pool.receive(w));
  }
}
