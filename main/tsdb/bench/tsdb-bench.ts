/**
 * Storage figures of docs/benchmarks.md: raw append throughput, resident memory per active series,
 * and bytes on disk per sample. Run compiled (`node --expose-gc dist/main/tsdb/bench/tsdb-bench.js`)
 * so the worker thread can load `worker.js`. Flags: --series N --samples N --offline-series N
 * --offline-samples N --chunk N --memory-samples N --only append|memory|disk|recovery.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TSDB } from '../db.js';
import { buildMix } from './mix.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const num = (k: string, d: number): number => (args.has(k) ? Number(args.get(k)) : d);
const only = args.get('only');
const gc = (globalThis as { gc?: () => void }).gc;

const reference = {
  append: 'Prometheus 6.3–10.5 M samples/s (reference in docs/benchmarks.md, not measured in this run)',
  memory: 'Prometheus ~2,950 B, VictoriaMetrics 1,490 B (reference in docs/benchmarks.md, W-fleet live scrape)',
  disk: 'Prometheus 2.60 chunks-only / 2.87 all-in, VictoriaMetrics 1.23 / 1.67 (reference in docs/benchmarks.md)',
};

function tmp(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Appends `samples` rounds of every series, one commit per target of 2,000 series. */
async function ingest(db: TSDB, mix: ReturnType<typeof buildMix>, samples: number, t0: number, stepMs: number): Promise<number> {
  const refs = new Array<number | undefined>(mix.labels.length);
  const perCommit = 2000;
  let n = 0;
  for (let s = 0; s < samples; s++) {
    const t = t0 + s * stepMs;
    const commits: Promise<void>[] = [];
    for (let lo = 0; lo < mix.labels.length; lo += perCommit) {
      const app = db.appender();
      const hi = Math.min(mix.labels.length, lo + perCommit);
      for (let i = lo; i < hi; i++) refs[i] = app.append(refs[i] ?? mix.labels[i]!, t, mix.values[i]!);
      commits.push(app.commit());
      n += hi - lo;
    }
    await Promise.all(commits);
    mix.advance(stepMs / 1000);
  }
  return n;
}

async function appendBench(worker: boolean): Promise<void> {
  const series = num('series', 100_000);
  const samples = num('samples', 10);
  const mix = buildMix(Math.ceil(series / 2000), 2000);
  const { dir, done } = tmp();
  const db = await TSDB.open({ dir, worker });
  try {
    await ingest(db, mix, 1, 0, 15_000); // creates the series; not timed
    const start = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const n = await ingest(db, mix, samples, 15_000, 15_000);
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    // CPU time (both threads) is the figure to compare: wall time on a shared, busy machine is noise.
    const cpu = process.cpuUsage(cpu0);
    const cpuSecs = (cpu.user + cpu.system) / 1e6;
    console.log(
      `raw append (${worker ? 'worker thread' : 'in-process, one core'}): ${mix.labels.length} series × ${samples} samples: ` +
        `${(n / secs / 1e6).toFixed(2)} M samples/s wall, ${(cpuSecs / (n / 1e6)).toFixed(2)} CPU-s per 1 M samples`,
    );
  } finally {
    await db.close();
    done();
  }
}

async function memoryBench(): Promise<void> {
  const series = num('series', 100_000);
  const mix = buildMix(Math.ceil(series / 2000), 2000);
  const { dir, done } = tmp();
  gc?.();
  const m0 = process.memoryUsage();
  const rss0 = m0.rss;
  const db = await TSDB.open({ dir });
  try {
    await ingest(db, mix, num('memory-samples', 60), 0, 15_000);
    gc?.();
    const m1 = process.memoryUsage();
    const rss1 = m1.rss;
    const st = db.stats();
    const per = (a: number, b: number): string => ((b - a) / mix.labels.length).toFixed(0);
    console.log(
      `  breakdown per series: main JS heap ${per(m0.heapUsed, m1.heapUsed)} B, array buffers (both threads) ${per(m0.arrayBuffers, m1.arrayBuffers)} B, ` +
        `rest (worker heap, SQLite caches, allocator) ${per(m0.rss - m0.heapUsed - m0.arrayBuffers, m1.rss - m1.heapUsed - m1.arrayBuffers)} B`,
    );
    console.log(
      `memory per active series: ${((rss1 - rss0) / mix.labels.length).toFixed(0)} B RSS (${mix.labels.length} series, ${st.headSamples} head samples, ` +
        `index arrays ${(db.index.arrayBytes() / mix.labels.length).toFixed(0)} B/series${gc ? ', after GC' : ', no --expose-gc'}); ${reference.memory}`,
    );
  } finally {
    await db.close();
    done();
  }
}

async function diskBench(): Promise<void> {
  const series = num('offline-series', 10_000);
  const samples = num('offline-samples', 720);
  const mix = buildMix(Math.ceil(series / 2000), 2000);
  const { dir, done } = tmp();
  const chunk = num('chunk', 0);
  const db = await TSDB.open({ dir, ...(chunk > 0 ? { maxChunkSamples: chunk } : {}) });
  try {
    const start = process.hrtime.bigint();
    const n = await ingest(db, mix, samples, 1_700_000_000_000, 15_000);
    await db.flush(); // seals every chunk, empties the log, PRAGMA wal_checkpoint(TRUNCATE)
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    const st = db.stats();
    const { default: Database } = await import('better-sqlite3');
    const ro = new Database(join(dir, 'vigil.db'), { readonly: true });
    const chunkBytes = ro.prepare('SELECT sum(length(data)) FROM chunks').pluck().get() as number;
    const chunks = ro.prepare('SELECT count(*) FROM chunks').pluck().get() as number;
    ro.close();
    const selectMs = async (matchers: Parameters<Awaited<ReturnType<TSDB['querier']>>['select']>[0]): Promise<string> => {
      const times: number[] = [];
      let samplesRead = 0;
      for (let r = 0; r < 5; r++) {
        const t0 = process.hrtime.bigint();
        const q = await db.querier(-Infinity, Infinity);
        const set = await q.select(matchers);
        samplesRead = 0;
        for (const s of set.series) samplesRead += s.samples().t.length;
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      times.sort((a, b) => a - b);
      return `${times[2]!.toFixed(0)} ms for ${samplesRead} samples`;
    };
    console.log(`select + decode, median of 5: all series ${await selectMs([{ op: '=~', name: '__name__', value: '.+' }])}; ` +
      `http_requests_total ${await selectMs([{ op: '=', name: '__name__', value: 'http_requests_total' }])}`);
    console.log(
      `bytes on disk per sample (W-offline-like, ${mix.labels.length} series × ${samples} samples): ${(st.bytesOnDisk / n).toFixed(3)} all-in, ` +
        `${(chunkBytes / n).toFixed(3)} chunk bytes only (${chunks} chunks); import ${(n / secs / 1e6).toFixed(2)} M samples/s; ${reference.disk}`,
    );
  } finally {
    await db.close();
    done();
  }
}

/** Reopen time after an unflushed hour of 15 s samples for 10k series (log replay + index load). */
async function recoveryBench(): Promise<void> {
  const series = num('offline-series', 10_000);
  const mix = buildMix(Math.ceil(series / 2000), 2000);
  const { dir, done } = tmp();
  try {
    let db = await TSDB.open({ dir });
    await ingest(db, mix, 240, 1_700_000_000_000, 15_000);
    const logBatches = db.stats().logBatches;
    await db.close();
    const t0 = process.hrtime.bigint();
    db = await TSDB.open({ dir });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`reopen after 1 h of 15 s samples for ${mix.labels.length} series: ${ms.toFixed(0)} ms (${logBatches} log batches, ${db.stats().headSamples} head samples replayed)`);
    await db.close();
  } finally {
    done();
  }
}

console.log(`tsdb bench on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
// Memory first: RSS never shrinks back after another phase, which would hide this one's growth.
if (!only || only === 'memory') await memoryBench();
if (!only || only === 'append') {
  await appendBench(false);
  await appendBench(true);
  console.log(`  ${reference.append}`);
}
if (!only || only === 'disk') await diskBench();
if (!only || only === 'recovery') await recoveryBench();
