// A chaos worker thread: builds the model once, then runs the batches of run indices it is
// sent and posts back their stats.
import { parentPort, workerData } from 'node:worker_threads';
import { Model } from '../../model/model.js';
import { chaosBatch } from './chaos.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './chaos-pool.js';

const init = workerData as WorkerInit;
const model = new Model(init.scenario, init.run);
const flag = new Int32Array(init.stopFlag);
const stop = () => Atomics.load(flag, 0) !== 0;

parentPort!.on('message', (m: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id: m.id, data: chaosBatch(model, init.cfg, m.runs, stop) };
  } catch (e) {
    reply = { id: m.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  parentPort!.postMessage(reply);
});
