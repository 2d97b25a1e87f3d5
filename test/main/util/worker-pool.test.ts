/**
 * The one worker-pool implementation (main/util/worker-pool.ts and its thread side,
 * worker-pool-thread.ts), which the probe pool and the query workers use: threads start only as
 * jobs need them, one job a thread (more queue) or many, idle threads end, a dead thread fails
 * only its jobs and is replaced, a thread that cannot start stops the pool when asked to, aborts
 * take jobs off the queue or reach the thread, and every answer reports the thread's memory.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { getEventListeners } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { WorkerJobError, WorkerLostError, WorkerPool, type WorkerPoolOptions } from '../../../main/util/worker-pool.js';
import type { TestJob, TestResult } from './fixtures/pool-test-worker.js';
import { tempDir } from '../helpers.js';

const tmp = tempDir('vigil-worker-pool-');
let url: URL;
const pools: WorkerPool<TestJob, TestResult>[] = [];

function pool(opts: Partial<WorkerPoolOptions> = {}): WorkerPool<TestJob, TestResult> {
  const p = new WorkerPool<TestJob, TestResult>({ url, size: 2, ...opts });
  pools.push(p);
  return p;
}

/** Polls (never times) until `ok`, for what the pool does on a timer or a thread's exit. */
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(ok()).toBe(true);
}

beforeAll(async () => {
  // vitest runs TypeScript; a worker thread needs JavaScript, so the thread entry is bundled.
  await build({
    entryPoints: { 'pool-test-worker': 'test/main/util/fixtures/pool-test-worker.ts' },
    outdir: join(tmp.dir, 'bin'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
  url = pathToFileURL(join(tmp.dir, 'bin', 'pool-test-worker.js'));
}, 60_000);
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  tmp.cleanup();
});

describe('WorkerPool', () => {
  it('starts no thread before a job, and one for a single job even with room for more', async () => {
    const p = pool({ size: 4 });
    expect(p.threads).toBe(0);
    expect((await p.run({ kind: 'echo', value: 7 })).value).toBe(7);
    expect(p.threads).toBe(1);
    // Jobs one after another reuse the free thread.
    for (let i = 0; i < 5; i++) await p.run({ kind: 'echo', value: i });
    expect(p.threads).toBe(1);
  });

  it('runs one job a thread by default and queues the rest, never more threads than its size', async () => {
    const p = pool({ size: 2 });
    const jobs = Array.from({ length: 6 }, () => p.run({ kind: 'wait', ms: 100 }));
    expect(p.threads).toBe(2);
    expect(p.busy).toBe(6);
    const rs = await Promise.all(jobs);
    expect(new Set(rs.map((r) => r.thread)).size).toBe(2);
    expect(p.busy).toBe(0);
  });

  it('runs many jobs on one thread with jobsPerThread, starting a second only while the first is busy', async () => {
    const p = pool({ size: 2, jobsPerThread: Infinity });
    const first = await p.run({ kind: 'echo', value: 1 });
    expect(p.threads).toBe(1);
    const rs = await Promise.all(Array.from({ length: 5 }, () => p.run({ kind: 'wait', ms: 100 })));
    expect(p.threads).toBe(2);
    expect(new Set(rs.map((r) => r.thread))).toEqual(new Set([first.thread, rs.find((r) => r.thread !== first.thread)!.thread]));
  });

  it('answers with the error a job threw, synchronously or not, and the thread goes on', async () => {
    const p = pool({ size: 1 });
    await expect(p.run({ kind: 'throw', message: 'bad task' })).rejects.toEqual(new WorkerJobError('bad task'));
    await expect(p.run({ kind: 'reject', message: 'bad later' })).rejects.toBeInstanceOf(WorkerJobError);
    const a = await p.run({ kind: 'echo', value: 1 });
    const b = await p.run({ kind: 'echo', value: 2 });
    expect(a.thread).toBe(b.thread);
  });

  it('fails only the jobs of a thread that dies, and starts a fresh one for the next job', async () => {
    const p = pool({ size: 2, jobsPerThread: Infinity });
    const other = p.run({ kind: 'wait', ms: 300 });
    const dying = p.run({ kind: 'exit', code: 3 });
    const err = await dying.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerLostError);
    expect((err as WorkerLostError).message).toBe('it exited with code 3');
    expect((err as WorkerLostError).started).toBe(true);
    expect((await other).aborted).toBe(false);
    expect((await p.run({ kind: 'echo', value: 5 })).value).toBe(5);
    expect(p.startFailure).toBeUndefined();
  });

  it('a thread that cannot start fails its jobs; the next job tries again, unless stopOnStartFailure', async () => {
    const missing = pathToFileURL(join(tmp.dir, 'missing-worker.js'));
    const retrying = pool({ url: missing });
    for (let i = 0; i < 2; i++) {
      const e = await retrying.run({ kind: 'echo', value: 1 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(WorkerLostError);
      expect((e as WorkerLostError).started).toBe(false);
      expect((e as Error).message).toMatch(/missing-worker/);
    }
    expect(retrying.startFailure).toBeUndefined();

    const stopping = pool({ url: missing, jobsPerThread: Infinity, stopOnStartFailure: true });
    const rs = await Promise.allSettled([stopping.run({ kind: 'echo', value: 1 }), stopping.run({ kind: 'echo', value: 2 }), stopping.run({ kind: 'echo', value: 3 })]);
    for (const r of rs) expect(r.status === 'rejected' && r.reason instanceof WorkerLostError && !r.reason.started).toBe(true);
    expect(stopping.startFailure).toMatch(/missing-worker/);
    await expect(stopping.run({ kind: 'echo', value: 4 })).rejects.toMatchObject({ started: false });
    expect(stopping.threads).toBe(0);
  });

  it('counts a thread that exits before it says it loaded as one that cannot start', async () => {
    const early = join(tmp.dir, 'early-exit.mjs');
    writeFileSync(early, 'process.exit(2);\n');
    const p = pool({ url: pathToFileURL(early), stopOnStartFailure: true });
    await expect(p.run({ kind: 'echo', value: 1 })).rejects.toMatchObject({ started: false, message: 'it exited with code 2' });
    expect(p.startFailure).toBe('it exited with code 2');
  });

  it('takes an aborted job off the queue; a running one is rejected at once, or told with onAbort: tell', async () => {
    const p = pool({ size: 1 });
    const running = p.run({ kind: 'wait', ms: 400 });
    const queued = new AbortController();
    const behind = p.run({ kind: 'echo', value: 1 }, { signal: queued.signal });
    expect(p.busy).toBe(2);
    queued.abort(new Error('not wanted'));
    await expect(behind).rejects.toThrow('not wanted');
    expect(p.busy).toBe(1);
    await running;

    const rejecting = new AbortController();
    const r1 = p.run({ kind: 'wait', ms: 300 }, { signal: rejecting.signal });
    rejecting.abort(new Error('stop now'));
    await expect(r1).rejects.toThrow('stop now');
    // The thread is busy with the job until it answers; its answer is dropped.
    expect(p.busy).toBe(1);
    await until(() => p.busy === 0);

    const telling = new AbortController();
    const r2 = p.run({ kind: 'wait', ms: 30_000 }, { signal: telling.signal, onAbort: 'tell' });
    telling.abort();
    expect((await r2).aborted).toBe(true);
    await expect(p.run({ kind: 'echo', value: 1 }, { signal: AbortSignal.abort() })).rejects.toThrow();
  });

  it('listens once to a signal many jobs share, and aborts them all', async () => {
    const p = pool({ size: 2 });
    const ac = new AbortController();
    const jobs = Array.from({ length: 40 }, (_, i) => p.run({ kind: 'wait', ms: i < 2 ? 30_000 : 10 }, { signal: ac.signal }).catch((e: unknown) => e));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort(new Error('all of them'));
    for (const r of await Promise.all(jobs)) expect(r).toEqual(new Error('all of them'));
    expect(p.busy).toBe(2); // the two running ones until their threads answer
    await p.stopThreads();
  });

  it('ends threads idle for idleMs, and endIdle ends idle ones at once', async () => {
    const p = pool({ size: 2, idleMs: 50 });
    const both = Promise.all([p.run({ kind: 'wait', ms: 50 }), p.run({ kind: 'wait', ms: 50 })]);
    expect(p.threads).toBe(2);
    await both;
    await until(() => p.threads === 0);
    expect((await p.run({ kind: 'echo', value: 3 })).value).toBe(3);
    expect(p.threads).toBe(1);

    const q = pool({ size: 2, idleMs: 60_000 });
    const hold = new AbortController();
    const busy = q.run({ kind: 'wait', ms: 30_000 }, { signal: hold.signal }).catch((e: unknown) => e);
    await Promise.all([q.run({ kind: 'echo', value: 1 }), q.run({ kind: 'echo', value: 2 })]);
    expect(q.threads).toBe(2);
    expect(await q.endIdle()).toBe(1);
    expect(q.threads).toBe(1);
    hold.abort(new Error('done'));
    expect(await busy).toEqual(new Error('done'));
  });

  it('reports the memory its threads hold, from their answers', async () => {
    const p = pool({ size: 1 });
    expect(p.memory()).toEqual({ threads: 0, heapBytes: 0, externalBytes: 0 });
    await p.run({ kind: 'echo', value: 1 });
    const before = p.memory();
    expect(before.threads).toBe(1);
    expect(before.heapBytes).toBeGreaterThan(0);
    await p.run({ kind: 'hold', bytes: 8 << 20 });
    expect(p.memory().externalBytes).toBeGreaterThanOrEqual(before.externalBytes + (8 << 20));
    await p.stopThreads();
    expect(p.memory()).toEqual({ threads: 0, heapBytes: 0, externalBytes: 0 });
  });

  it('moves transferred buffers to the thread and back', async () => {
    const p = pool({ size: 1 });
    const values = Float64Array.of(1, 2, 3.5);
    const r = await p.run({ kind: 'sum', values }, { transfer: [values.buffer] });
    expect(values.byteLength).toBe(0); // moved, not copied
    expect(r.value).toBe(6.5);
    expect(Array.from(r.out!)).toEqual([6.5]);
  });

  it('applies resourceLimits to its threads', async () => {
    // About 50 MiB of live objects: fine on a default thread, out of memory on a 16 MiB old generation.
    expect((await pool({ size: 1 }).run({ kind: 'objects', count: 600_000 })).value).toBe(600_000);
    const small = pool({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 16 } });
    const e = await small.run({ kind: 'objects', count: 600_000 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WorkerLostError);
    expect((e as Error).message).toMatch(/out of memory/i);
  });

  it('stopThreads fails what runs and stays usable; close fails every later job', async () => {
    const p = pool({ size: 1 });
    const running = p.run({ kind: 'wait', ms: 30_000 }).catch((e: unknown) => e);
    const queued = p.run({ kind: 'echo', value: 1 }).catch((e: unknown) => e);
    await p.stopThreads('stopped for the test');
    expect(await running).toEqual(new WorkerLostError('stopped for the test', true));
    expect(await queued).toEqual(new WorkerLostError('stopped for the test', true));
    expect(p.threads).toBe(0);
    expect((await p.run({ kind: 'echo', value: 2 })).value).toBe(2);
    await p.close('closed for the test');
    expect(p.threads).toBe(0);
    await expect(p.run({ kind: 'echo', value: 3 })).rejects.toThrow('closed for the test');
  });
});
