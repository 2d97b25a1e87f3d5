/** Maps protocol requests onto WorkerCore calls; shared by the thread entry and the in-process host. */
import type { WorkerCore } from './worker-core.js';
import type { Reply, Request } from './worker-protocol.js';

/** Errors that mean "storage cannot write now" rather than a bug (disk full, I/O, read-only). */
const unavailableCodes = /^(SQLITE_(FULL|IOERR|READONLY|BUSY|LOCKED|CANTOPEN)|VIGIL_SERIES_GAP)/;

export function handleRequest(core: WorkerCore, req: Request): { reply: Reply; transfer?: ArrayBuffer[] } {
  try {
    switch (req.kind) {
      case 'append':
        core.append(req.batch);
        return { reply: { kind: 'ok', id: req.id, counters: core.stats() } };
      case 'read': {
        const head = core.read(req.refs, req.mint, req.maxt, req.points);
        return {
          reply: { kind: 'ok', id: req.id, counters: core.stats(), head },
          transfer: [head.offsets.buffer as ArrayBuffer, head.t.buffer as ArrayBuffer, head.v.buffer as ArrayBuffer],
        };
      }
      case 'flush':
        core.flush();
        return { reply: { kind: 'ok', id: req.id, counters: core.stats() } };
      case 'compact': {
        const compaction = core.compact(req.vacuum);
        return { reply: { kind: 'ok', id: req.id, counters: core.stats(), compaction } };
      }
      case 'retention':
        return { reply: { kind: 'ok', id: req.id, counters: core.stats(), retention: core.retention(req.retentionMs, req.retentionBytes, req.heldLogMaxBytes) } };
      case 'max_pages':
        core.setMaxPages(req.pages);
        return { reply: { kind: 'ok', id: req.id, counters: core.stats() } };
      case 'hold_log':
        core.holdLog(req.fromBatch);
        return { reply: { kind: 'ok', id: req.id, counters: core.stats() } };
      case 'memory':
        return { reply: { kind: 'ok', id: req.id, counters: core.stats(), memory: core.memory(req.shrink) } };
      case 'quarantine':
        core.quarantineChunk(req.ref, req.minT, req.reason);
        return { reply: { kind: 'ok', id: req.id, counters: core.stats() } };
      case 'close':
        core.close();
        return { reply: { kind: 'ok', id: req.id, counters: core.stats() } };
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    return { reply: { kind: 'error', id: req.id, message: err.message, unavailable: unavailableCodes.test(err.code ?? '') } };
  }
}

/** Runs the request loop over a message port-like transport. */
export function serveCore(
  core: WorkerCore,
  post: (msg: Reply, transfer?: ArrayBuffer[]) => void,
  onMessage: (handler: (req: Request) => void) => void,
  close: () => void,
): void {
  post({ kind: 'ready', state: core.initialState(), counters: core.stats() });
  onMessage((req) => {
    const { reply, transfer } = handleRequest(core, req);
    post(reply, transfer);
    if (req.kind === 'close') close();
  });
}
