/**
 * Thread entry of the compression worker: a thin message loop around WorkerCore. Loaded by
 * head-client.ts as `new URL('./worker.js', import.meta.url)`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { WorkerCore, type WorkerStart } from './worker-core.js';
import { useSqliteBinding } from '../util/sqlite.js';
import { serveCore } from './worker-serve.js';

if (parentPort) {
  const port = parentPort;
  try {
    const start = workerData as WorkerStart;
    useSqliteBinding(start.sqliteBinding);
    const core = new WorkerCore(start);
    serveCore(core, (msg, transfer) => port.postMessage(msg, transfer ?? []), (handler) => port.on('message', handler), () => port.close());
  } catch (e) {
    port.postMessage({ kind: 'fatal', message: (e as Error).message });
  }
}
