/**
 * Backfill: reads OpenMetrics text or Prometheus text with timestamps (what `promtool tsdb
 * create-blocks-from openmetrics` and VictoriaMetrics' importer take) and appends it to storage.
 * The file is parsed block by block (parse-blocks.ts) — in a worker thread when asked, so parsing
 * and appending run side by side — and committed block by block through the storage's bulk
 * appender. A bad sample is counted with its reason and the rest goes on; a malformed line stops
 * the import with its line number, keeping what was committed before its block.
 */
import { Worker } from 'node:worker_threads';
import { formatOf, parseBlocks, type ColumnBuffers, type ImportFormat, type ParsedBlock, type ReadOptions } from './parse-blocks.js';
import type { ParseWorkerData } from './parse-worker.js';
import type { Labels } from '../tsdb/labels.js';
import type { Appendable, SeriesRef } from '../tsdb/interface.js';
import { StorageError } from '../tsdb/interface.js';

export type { ImportFormat } from './parse-blocks.js';

interface ImportProgress {
  bytesRead: number;
  bytesTotal: number;
  samples: number;
}

export interface ImportSummary {
  series: number;
  samples: number;
  rejected: Record<string, number>;
  /** First few rejected samples with their reason, for the user to look at. */
  examples: string[];
  seconds: number;
  format: ImportFormat;
}

export class ImportError extends Error {}

const blockBytes = 4 << 20;
export interface ImportOptions {
  format?: ImportFormat;
  onProgress?: (p: ImportProgress) => void;
  nowMs?: number;
  blockBytes?: number;
  /** Parse in this worker script (dist: parse-worker.js beside this file); absent: in this thread. */
  parseWorker?: URL;
}

/** Blocks parsed ahead of the one being appended. */
const ahead = 2;

/** Parsed blocks in order; `giveBack` returns a block's columns once appended; `close` stops. */
interface BlockSource {
  blocks: AsyncIterable<ParsedBlock> | Iterable<ParsedBlock>;
  giveBack(b: ColumnBuffers): void;
  close(): Promise<void>;
}

function inThread(file: string, read: ReadOptions): BlockSource {
  const spare: ColumnBuffers[] = [];
  return { blocks: parseBlocks(file, read, spare), giveBack: (b) => void spare.push({ series: b.series, t: b.t, v: b.v, line: b.line }), close: async () => undefined };
}

/** The parsed blocks from a worker thread, in order. */
function fromWorker(url: URL, data: ParseWorkerData): BlockSource {
  const worker = new Worker(url, { workerData: data });
  const queue: (ParsedBlock | null)[] = [];
  let failure: Error | null = null;
  let waiting: (() => void) | null = null;
  worker.on('message', (m: ParsedBlock | null) => {
    queue.push(m);
    waiting?.();
  });
  worker.on('error', (e) => {
    failure = e;
    waiting?.();
  });
  worker.on('exit', (code) => {
    if (code !== 0 && failure === null) failure = new Error(`the import's parser thread exited with code ${code}`);
    waiting?.();
  });
  async function* blocks(): AsyncGenerator<ParsedBlock> {
    for (;;) {
      while (queue.length === 0 && failure === null) await new Promise<void>((r) => (waiting = r));
      const next = queue.shift();
      if (next === undefined) throw failure!;
      if (next === null) return;
      yield next;
    }
  }
  return {
    blocks: blocks(),
    // The columns go back to be filled again, which is also the worker's room for one more block.
    giveBack: (b) => worker.postMessage({ series: b.series, t: b.t, v: b.v, line: b.line }, [b.series.buffer, b.t.buffer, b.v.buffer, b.line.buffer] as ArrayBuffer[]),
    close: async () => void (await worker.terminate()),
  };
}

export async function importFile(file: string, storage: Appendable, opts: ImportOptions = {}): Promise<ImportSummary> {
  const began = performance.now();
  const format = formatOf(file, opts.format);
  const read = { format, nowMs: opts.nowMs ?? Date.now(), blockBytes: opts.blockBytes ?? blockBytes };
  const source = opts.parseWorker === undefined ? inThread(file, read) : fromWorker(opts.parseWorker, { ...read, file, ahead });
  // Series numbers of the parser → storage refs (0: none yet, e.g. its first sample was refused).
  let refs = new Float64Array(1024);
  const labels: Labels[] = [];
  let series = 0;
  const rejected: Record<string, number> = {};
  const examples: string[] = [];
  let samples = 0;

  // One commit stays in flight while the next block is appended: the appender updates the index
  // when commit() is called, so the next block's checks already see this one's samples, and the
  // storage worker makes block N durable while this thread appends block N + 1.
  let inFlight: Promise<void> | undefined;
  const settle = async (): Promise<void> => {
    const p = inFlight;
    inFlight = undefined;
    await p;
  };
  try {
    for await (const b of source.blocks) {
      if (b.error !== null) {
        await settle();
        throw new ImportError(`${file}:${b.error.line}: ${b.error.detail} (samples before this block were imported)`);
      }
      for (let i = 0; i < b.newSeries.length; i++) labels[b.firstNew + i] = b.newSeries[i]!;
      if (refs.length <= labels.length) {
        const grown = new Float64Array(labels.length * 2);
        grown.set(refs);
        refs = grown;
      }
      const app = storage.bulkAppender?.() ?? storage.appender();
      for (let i = 0; i < b.n; i++) {
        const num = b.series[i]!;
        const ref = refs[num]!;
        try {
          if (ref === 0) {
            refs[num] = app.append(labels[num]!, b.t[i]!, b.v[i]!);
            series++;
          } else app.append(ref as SeriesRef, b.t[i]!, b.v[i]!);
          samples++;
        } catch (err) {
          if (!(err instanceof StorageError)) throw err;
          rejected[err.kind] = (rejected[err.kind] ?? 0) + 1;
          if (examples.length < 5) examples.push(`line ${b.line[i]}: ${err.message}`);
        }
      }
      source.giveBack(b);
      await settle();
      inFlight = app.commit();
      // Awaited at the next settle(); until then a failed commit must not count as unhandled.
      inFlight.catch(() => undefined);
      opts.onProgress?.({ bytesRead: b.bytesRead, bytesTotal: b.bytesTotal, samples });
    }
    await settle();
  } finally {
    await source.close();
  }
  return { series, samples, rejected, examples, seconds: (performance.now() - began) / 1000, format };
}
