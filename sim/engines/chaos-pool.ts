// Where chaos batches run: in this thread, or spread over worker threads. The campaign asks
// for batches of run indices and adds up what comes back; since every run is a pure function
// of its index, it does not matter which thread ran it or in which order batches finish.
import { Worker } from 'node:worker_threads';
import type { CompiledScenario } from '../../model/types.js';
import { Model } from '../../model/model.js';
import { workerFile } from './worker-file.js';
import { type ChaosConfig, chaosBatch } from './chaos.js';
import { WalkStats, type WalkStatsData } from './walk-stats.js';

export interface BatchRunner {
  lanes: number; // batches that can run at once
  run(runs: number[]): Promise<WalkStatsData>;
  // asks the batches under way to end after their current walk (a budget ran out, an interrupt)
  stop(): void;
  close(): Promise<void>;
}

// Runs batches here, a few walks at a time with the event loop given a turn in between, so a
// signal is seen within a few walks; `stop` is asked between walks and within long ones.
export function inThreadRunner(model: Model, cfg: ChaosConfig, stop: () => boolean = () => false): BatchRunner {
  let stopped = false;
  const shouldStop = () => stopped || stop();
  return {
    lanes: 1,
    run: async (runs) => {
      const stats = new WalkStats(model);
      for (let i = 0; i < runs.length && !shouldStop(); i += 8) {
        await new Promise<void>((r) => setImmediate(r));
        stats.add(chaosBatch(model, cfg, runs.slice(i, i + 8), shouldStop));
      }
      return stats.toData();
    },
    stop: () => {
      stopped = true;
    },
    close: async () => {},
  };
}

export interface WorkerRequest {
  id: number;
  runs: number[];
}
export interface WorkerReply {
  id: number;
  data?: WalkStatsData;
  error?: string;
}
export interface WorkerInit {
  scenario: CompiledScenario;
  run: { maxFaults: number }; // the model's run options, as the campaign's own model has them
  cfg: ChaosConfig;
  stopFlag: SharedArrayBuffer; // one Int32; non-zero: end the batch after the current walk
}

// Starts worker threads: a side effect, so the campaign asks for it by name.
export function startWorkerPool(scenario: CompiledScenario, run: { maxFaults: number }, cfg: ChaosConfig, workers: number): BatchRunner {
  const file = workerFile('chaos-worker.js', 'chaos worker');
  const stopFlag = new SharedArrayBuffer(4);
  const init: WorkerInit = { scenario, run, cfg, stopFlag };
  const idle: Worker[] = [];
  const waiting: ((w: Worker) => void)[] = [];
  const pending = new Map<number, { resolve: (d: WalkStatsData) => void; reject: (e: Error) => void; worker: Worker }>();
  let nextId = 0;
  const all: Worker[] = [];
  const release = (w: Worker) => {
    const take = waiting.shift();
    if (take) take(w);
    else idle.push(w);
  };
  for (let i = 0; i < workers; i++) {
    const w = new Worker(file, { workerData: init });
    w.on('message', (m: WorkerReply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      release(w);
      if (m.error !== undefined) p.reject(new Error(`chaos worker: ${m.error}`));
      else p.resolve(m.data!);
    });
    w.on('error', (e) => {
      for (const [id, p] of pending) if (p.worker === w) {
        pending.delete(id);
        p.reject(e);
      }
    });
    all.push(w);
    idle.push(w, w);
  }
  const acquire = () => new Promise<Worker>((r) => (idle.length ? r(idle.pop()!) : waiting.push(r)));
  return {
    // two batches queued per worker, so a worker never waits for the main thread between batches
    lanes: 2 * workers,
    run: async (runs) => {
      const w = await acquire();
      const id = nextId++;
      return new Promise<WalkStatsData>((resolve, reject) => {
        pending.set(id, { resolve, reject, worker: w });
        w.postMessage({ id, runs } satisfies WorkerRequest);
      });
    },
    stop: () => Atomics.store(new Int32Array(stopFlag), 0, 1),
    close: async () => {
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
