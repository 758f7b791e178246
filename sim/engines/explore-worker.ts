// An explore worker thread: builds the model once, then expands the batches of states it is
// sent, reading their worlds from the main thread's shared arena chunks.
import { workerData } from 'node:worker_threads';
import { Model } from '../../model/model.js';
import { Expander } from './expand.js';
import type { ExploreWorkerInit, ExploreWorkerReply, ExploreWorkerTask } from './explore-pool.js';

const init = workerData as ExploreWorkerInit;
const sync = new Int32Array(init.sync);
const port = init.port;
const replied = () => {
  Atomics.add(sync, init.index + 1, 1);
  Atomics.notify(sync, init.index + 1);
};
const failure = (e: unknown) => (e instanceof Error ? (e.stack ?? e.message) : String(e));

try {
  const expander = new Expander(new Model(init.scenario, { maxFaults: init.maxFaults }), init.symmetry);
  const chunks: Uint8Array[] = [];
  port.on('message', (m: ExploreWorkerTask) => {
    if ('chunks' in m) {
      for (const b of m.chunks) chunks.push(new Uint8Array(b));
      return;
    }
    try {
      if (m.spare) expander.recycle(m.spare);
      const r = expander.expand(chunks, m.starts);
      port.postMessage(r satisfies ExploreWorkerReply, [r.edgesOf.buffer as ArrayBuffer, r.edges.buffer as ArrayBuffer, r.worlds.buffer as ArrayBuffer]);
    } catch (e) {
      port.postMessage({ error: failure(e) } satisfies ExploreWorkerReply);
    }
    replied();
  });
  Atomics.add(sync, 0, 1);
} catch (e) {
  port.postMessage({ error: failure(e) } satisfies ExploreWorkerReply);
  replied();
  Atomics.store(sync, 0, -1);
}
Atomics.notify(sync, 0);
