import { describe, it, expect, afterEach } from 'vitest';
import { join } from 'node:path';
import { WorkerCore } from '../../../main/tsdb/worker-core.js';
import type { AppendBatch } from '../../../main/tsdb/worker-protocol.js';
import { tempDir } from '../helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function batch(id: number, t: number, withSeries: boolean): AppendBatch {
  return {
    id,
    newRefs: withSeries ? Uint32Array.of(1, 2) : new Uint32Array(0),
    newLabels: withSeries ? ['["__name__","a"]', '["__name__","b"]'] : [],
    refs: Uint32Array.of(1, 2),
    t: Float64Array.of(t, t),
    v: Float64Array.of(t / 1000, -t / 1000),
  };
}

describe('WorkerCore', () => {
  it('applies a batch id once, also across a restart (a re-sent batch after a crash)', () => {
    const { dir, cleanup } = tempDir('vigil-core-');
    cleanups.push(cleanup);
    const file = join(dir, 'vigil.db');
    let core = new WorkerCore({ file, maxChunkSamples: 2 });
    core.append(batch(1, 1000, true));
    core.append(batch(2, 2000, false));
    core.append(batch(2, 2000, false)); // duplicate delivery
    expect(core.initialState().lastBatchId).toBe(2);
    // Simulate a crash: drop the core without close(), then reopen from disk.
    core = new WorkerCore({ file, maxChunkSamples: 2 });
    cleanups.push(() => core.close());
    core.append(batch(2, 2000, false)); // re-sent after the crash: must be a no-op, not a PK error
    core.append(batch(3, 3000, false));
    const head = core.read(Uint32Array.of(1, 2), 0, 10_000);
    // maxChunkSamples 2: samples 1000 and 2000 were sealed; 3000 is in the head.
    expect(Array.from(head.t)).toEqual([3000, 3000]);
    expect(Array.from(head.offsets)).toEqual([0, 1, 2]);
    const st = core.initialState();
    expect(st.lastBatchId).toBe(3);
    expect(Array.from(st.lastT.subarray(1, 3))).toEqual([3000, 3000]);
    expect(core.stats().chunksWritten).toBe(2);
  });

  it('truncates the log behind sealed chunks at checkpoints', () => {
    const { dir, cleanup } = tempDir('vigil-core-');
    cleanups.push(cleanup);
    const core = new WorkerCore({ file: join(dir, 'vigil.db'), maxChunkSamples: 4, checkpointEvery: 1 });
    cleanups.push(() => core.close());
    for (let i = 1; i <= 9; i++) core.append(batch(i, i * 1000, i === 1));
    // Samples 1–8 are in two sealed chunks; only batch 9 (the open chunk) must stay logged.
    expect(core.stats().logBatches).toBe(1);
    core.flush();
    expect(core.stats().logBatches).toBe(0);
    expect(core.stats().chunksWritten).toBe(6);
  });
});
