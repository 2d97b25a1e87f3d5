/**
 * Thread entry of a query worker (query-pool.ts starts them as
 * `new URL('./query-worker.js', import.meta.url)`): opens the database read-only and answers
 * step tasks (query-worker-core.ts) one at a time (main/util/worker-pool-thread.ts), transferring
 * the step columns back.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { useSqliteBinding } from '../util/sqlite.js';
import { serveJobs } from '../util/worker-pool-thread.js';
import { StepTaskRunner, type StepTask, type StepTaskResult } from './query-worker-core.js';
import { openReadOnly } from './store-schema.js';
import { queryWorkerCacheKiB, type QueryWorkerStart } from './query-pool.js';

if (!isMainThread) {
  const start = workerData as QueryWorkerStart;
  useSqliteBinding(start.sqliteBinding);
  const db = openReadOnly(start.file);
  db.pragma(`cache_size = -${queryWorkerCacheKiB}`);
  const runner = new StepTaskRunner(db);
  serveJobs<StepTask, StepTaskResult>(
    (task) => runner.run(task),
    (result) => (result.histograms ? [] : [result.v.buffer as ArrayBuffer, ...(result.counts ? [result.counts.buffer as ArrayBuffer] : [])]),
  );
}
