/**
 * Thread entry of a query worker (query-pool.ts starts them as
 * `new URL('./query-worker.js', import.meta.url)`): opens the database read-only and answers
 * step tasks (query-worker-core.ts) one at a time, transferring the step columns back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { useSqliteBinding } from '../util/sqlite.js';
import { StepTaskRunner, type StepTask } from './query-worker-core.js';
import { openReadOnly } from './store-schema.js';
import type { QueryWorkerStart } from './query-pool.js';

if (parentPort) {
  const port = parentPort;
  const start = workerData as QueryWorkerStart;
  useSqliteBinding(start.sqliteBinding);
  const runner = new StepTaskRunner(openReadOnly(start.file));
  port.on('message', (m: { id: number; task: StepTask }) => {
    try {
      const result = runner.run(m.task);
      const transfer = result.histograms ? [] : [result.v.buffer as ArrayBuffer, ...(result.counts ? [result.counts.buffer as ArrayBuffer] : [])];
      port.postMessage({ id: m.id, result }, transfer);
    } catch (e) {
      port.postMessage({ id: m.id, error: (e as Error).message });
    }
  });
}
