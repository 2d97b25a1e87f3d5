/**
 * What the resident set is made of, as parts that do not overlap, for the Status page: each
 * thread's heap and buffers, with the series index, open chunks and the range cache taken out of
 * the figure that holds them, the worker-thread pools' heaps and buffers, and what is left as
 * "other" (Node and V8 themselves, native code, SQLite's caches, thread stacks), so the parts add
 * up to RSS.
 */
import type { MemoryStatus } from '../../app/api/memory.js';
import type { PoolMemory } from '../util/worker-pool.js';

/** A pool of worker threads (main/util/worker-pool.ts) and what its threads last reported holding. */
interface PoolFigures {
  /** The part's name, e.g. "query worker threads". */
  readonly part: string;
  /** What the threads do, for the detail. */
  readonly what: string;
  readonly memory: PoolMemory;
}

export interface MemoryFigures {
  rss: number;
  /** process.memoryUsage() of the main thread: heapUsed and external (which includes arrayBuffers). */
  mainHeap: number;
  mainExternal: number;
  /** The series index's typed arrays (main thread, outside the heap). */
  indexBytes: number;
  series: number;
  /** Estimated bytes of the range result cache (main thread). */
  rangeCacheBytes: number;
  /** The storage worker: heap, buffers outside it, and open chunks (part of those buffers); not `ownThread` when its core runs on the main thread (tests, tools). */
  worker: { ownThread: boolean; heapBytes: number; outsideHeapBytes: number; headBytes: number };
  headSeries: number;
  pools?: readonly PoolFigures[];
}

const n = (x: number): string => x.toLocaleString('en-US');

export function memoryParts(f: MemoryFigures): MemoryStatus['parts'] {
  const headInMain = f.worker.ownThread ? 0 : f.worker.headBytes;
  const parts: MemoryStatus['parts'] = [
    { part: 'series index', bytes: f.indexBytes, detail: `${n(f.series)} series: label ids, postings and per-series state in typed arrays` },
    { part: 'open chunks', bytes: f.worker.headBytes, detail: `${n(f.headSeries)} series with samples not yet sealed into SQLite` },
    { part: 'range query cache', bytes: f.rangeCacheBytes, detail: 'answers kept between dashboard refreshes (estimated)' },
    { part: 'JavaScript heap, main thread', bytes: Math.max(0, f.mainHeap - f.rangeCacheBytes), detail: 'objects: scrape caches, rules, queries running, the API' },
    { part: 'buffers outside the heap, main thread', bytes: Math.max(0, f.mainExternal - f.indexBytes - headInMain), detail: 'Buffers and typed arrays besides the index' },
  ];
  if (f.worker.ownThread) {
    parts.push(
      { part: 'storage worker heap', bytes: f.worker.heapBytes, detail: 'the compression worker thread’s JavaScript heap' },
      { part: 'storage worker buffers', bytes: Math.max(0, f.worker.outsideHeapBytes - f.worker.headBytes), detail: 'batches in flight, chunk encoding' },
    );
  }
  for (const p of f.pools ?? []) {
    const m = p.memory;
    parts.push({
      part: p.part,
      bytes: m.heapBytes + m.externalBytes,
      detail:
        m.threads === 0
          ? `no thread running: they start with ${p.what} and end when idle`
          : `${n(m.threads)} thread${m.threads === 1 ? '' : 's'} for ${p.what}: JavaScript heaps and buffers (stacks and SQLite caches are in other)`,
    });
  }
  const known = parts.reduce((s, p) => s + p.bytes, 0);
  parts.push({ part: 'other', bytes: Math.max(0, f.rss - known), detail: 'Node and V8 themselves, native code, SQLite page caches, thread stacks' });
  return parts;
}
