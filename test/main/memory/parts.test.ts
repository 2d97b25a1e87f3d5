import { describe, expect, it } from 'vitest';
import { memoryParts } from '../../../main/memory/parts.js';

describe('memory parts', () => {
  const base = { rss: 400e6, mainHeap: 100e6, mainExternal: 60e6, indexBytes: 40e6, series: 100_000, rangeCacheBytes: 10e6, headSeries: 99_000 };

  it('do not overlap and add up to the resident set, with a storage worker thread', () => {
    const parts = memoryParts({ ...base, worker: { ownThread: true, heapBytes: 20e6, outsideHeapBytes: 70e6, headBytes: 50e6 } });
    const by = Object.fromEntries(parts.map((p) => [p.part, p.bytes]));
    expect(by).toEqual({
      'series index': 40e6,
      'open chunks': 50e6,
      'range query cache': 10e6,
      'JavaScript heap, main thread': 90e6,
      'buffers outside the heap, main thread': 20e6,
      'storage worker heap': 20e6,
      'storage worker buffers': 20e6,
      other: 150e6,
    });
    expect(parts.reduce((s, p) => s + p.bytes, 0)).toBe(400e6);
  });

  it('show each worker-thread pool as a part, from what its threads reported, still adding up to RSS', () => {
    const pools = [
      { part: 'query worker threads', what: 'wide selects', memory: { threads: 2, heapBytes: 18e6, externalBytes: 2e6 } },
      { part: 'probe threads', what: 'probes', memory: { threads: 0, heapBytes: 0, externalBytes: 0 } },
    ];
    const parts = memoryParts({ ...base, worker: { ownThread: true, heapBytes: 20e6, outsideHeapBytes: 70e6, headBytes: 50e6 }, pools });
    const query = parts.find((p) => p.part === 'query worker threads')!;
    expect(query.bytes).toBe(20e6);
    expect(query.detail).toMatch(/^2 threads for wide selects/);
    expect(parts.find((p) => p.part === 'probe threads')).toMatchObject({ bytes: 0, detail: expect.stringMatching(/no thread running/) });
    expect(parts.find((p) => p.part === 'other')!.bytes).toBe(130e6);
    expect(parts.reduce((s, p) => s + p.bytes, 0)).toBe(400e6);
  });

  it('count open chunks once when storage runs on the main thread', () => {
    const parts = memoryParts({ ...base, mainExternal: 110e6, worker: { ownThread: false, heapBytes: 0, outsideHeapBytes: 0, headBytes: 50e6 } });
    expect(parts.map((p) => p.part)).not.toContain('storage worker heap');
    expect(parts.find((p) => p.part === 'buffers outside the heap, main thread')!.bytes).toBe(20e6);
    expect(parts.reduce((s, p) => s + p.bytes, 0)).toBe(400e6);
  });
});
