/**
 * The thread side of a WorkerPool (worker-pool.ts): says it loaded, runs each job it is sent
 * with `handle` (one at a time when it is synchronous, interleaved when it awaits), and posts the
 * answer, or the error's message, with the isolate's heap figures. An abort from the pool aborts
 * the job's signal. Call once from a thread entry, after whatever the entry needs to load.
 */
import { parentPort, type Transferable } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import type { PoolMessage, ThreadMessage } from './worker-pool.js';

export function serveJobs<J, R>(handle: (job: J, signal: AbortSignal) => R | Promise<R>, transferOf?: (result: R) => readonly Transferable[]): void {
  const port = parentPort;
  if (port === null) throw new Error('serveJobs runs in a worker thread');
  const heap = (): { heap: number; external: number } => {
    const h = getHeapStatistics();
    return { heap: h.total_physical_size, external: h.external_memory };
  };
  const running = new Map<number, AbortController>();
  port.postMessage({ ready: true, ...heap() } satisfies ThreadMessage<R>);
  const answer = (id: number, result: R): void => {
    running.delete(id);
    port.postMessage({ id, result, ...heap() } satisfies ThreadMessage<R>, transferOf?.(result));
  };
  const fail = (id: number, e: unknown): void => {
    running.delete(id);
    port.postMessage({ id, error: e instanceof Error ? e.message : String(e), ...heap() } satisfies ThreadMessage<R>);
  };
  port.on('message', (m: PoolMessage<J>) => {
    if ('abort' in m) {
      running.get(m.id)?.abort(new Error('aborted'));
      return;
    }
    const controller = new AbortController();
    running.set(m.id, controller);
    let out: R | Promise<R>;
    try {
      out = handle(m.job, controller.signal);
    } catch (e) {
      return fail(m.id, e);
    }
    if (out instanceof Promise) out.then((r) => answer(m.id, r), (e: unknown) => fail(m.id, e));
    else answer(m.id, out);
  });
}
