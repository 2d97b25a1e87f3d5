/**
 * Thread entry of the probe pool: runs each probe it is sent with runProbe, exactly as the main
 * thread would, and posts the result back. Loaded by pool.ts as `new URL('./pool-worker.js', import.meta.url)`.
 */
import { parentPort } from 'node:worker_threads';
import { runProbe } from './runner.js';
import { moduleFromWire, type PoolReply, type PoolRequest } from './pool-protocol.js';
import type { ProbeModule } from './module-schema.js';

if (parentPort) {
  const port = parentPort;
  const post = (m: PoolReply): void => port.postMessage(m);
  /** Parsed modules by wire text: a probe job sends the same module again and again. */
  const modules = new Map<string, ProbeModule>();
  const running = new Map<number, AbortController>();
  post({ kind: 'ready' });
  port.on('message', (m: PoolRequest) => {
    if (m.kind === 'abort') {
      running.get(m.id)?.abort(new Error('probe aborted'));
      return;
    }
    let module = modules.get(m.module);
    try {
      if (module === undefined) {
        module = moduleFromWire(m.module);
        if (modules.size >= 64) modules.clear();
        modules.set(m.module, module);
      }
    } catch (err) {
      post({ kind: 'error', id: m.id, message: `cannot read the module: ${(err as Error).message}` });
      return;
    }
    const controller = new AbortController();
    running.set(m.id, controller);
    runProbe(module, m.target, {
      signal: controller.signal,
      ...(m.timeoutSeconds !== undefined ? { timeoutSeconds: m.timeoutSeconds } : {}),
      ...(m.pingPath !== undefined ? { pingPath: m.pingPath } : {}),
    }).then(
      (result) => post({ kind: 'result', id: m.id, result }),
      (err: unknown) => post({ kind: 'error', id: m.id, message: String(err) }),
    ).finally(() => running.delete(m.id));
  });
}
