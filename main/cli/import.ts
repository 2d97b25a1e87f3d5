import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { importFile, ImportError, type ImportFormat } from '../import/import-file.js';
import { TSDB } from '../tsdb/db.js';
import { defaultDataDir } from '../paths.js';
import { DataDirLock } from '../data-dir.js';
import { createLogger } from '../util/log.js';
import { UsageError, type Command } from './command.js';

function bar(fraction: number, width = 30): string {
  const done = Math.round(fraction * width);
  return '[' + '#'.repeat(done) + '.'.repeat(width - done) + ']';
}

export const importCommand: Command = {
  words: ['import'],
  usage: 'vigil import [--data DIR] [--format openmetrics|prometheus] FILE',
  summary: 'backfill samples from OpenMetrics text or Prometheus text with timestamps',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: { data: { type: 'string' }, format: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new UsageError('exactly one FILE is required');
    const format = values.format as ImportFormat | undefined;
    if (format !== undefined && format !== 'openmetrics' && format !== 'prometheus') {
      throw new UsageError(`--format must be openmetrics or prometheus, got ${JSON.stringify(values.format)}`);
    }
    const file = resolve(positionals[0]!);
    const dataDir = resolve(values.data ?? defaultDataDir());
    const lock = DataDirLock.acquire(dataDir);
    // Series after series: a window is rewritten once, by compact() at the end, not at every checkpoint.
    const db = await TSDB.open({ dir: resolve(dataDir, 'tsdb'), logger: createLogger('import'), backgroundCompaction: false });
    const tty = process.stderr.isTTY;
    let lastPct = -1;
    try {
      const summary = await importFile(file, db, {
        ...(format ? { format } : {}),
        // Parsing in its own thread, beside this one's appends and the storage worker's writes.
        parseWorker: new URL('../import/parse-worker.js', import.meta.url),
        onProgress: ({ bytesRead, bytesTotal, samples }) => {
          const f = bytesTotal === 0 ? 1 : bytesRead / bytesTotal;
          const pct = Math.floor(f * 100);
          if (tty) process.stderr.write(`\r${bar(f)} ${pct}% ${samples.toLocaleString('en-US')} samples`);
          else if (pct >= lastPct + 10) {
            lastPct = pct - (pct % 10);
            process.stderr.write(`${bar(f)} ${pct}% ${samples.toLocaleString('en-US')} samples\n`);
          }
        },
      });
      if (tty) process.stderr.write('\n');
      // Seal what the import left in open chunks, merge each series' chunks per 2 h window and
      // write the file packed, so the data directory holds compressed chunks only (and its size
      // is what the data costs).
      const compaction = await db.compact(true);
      if (compaction.packError !== null) process.stderr.write(`vigil import: the data is stored, but the file could not be packed (${compaction.packError})\n`);
      const rejected = Object.entries(summary.rejected);
      const total = rejected.reduce((n, [, c]) => n + c, 0);
      process.stdout.write(
        `imported ${file} (${summary.format}): ${summary.series.toLocaleString('en-US')} series, ` +
          `${summary.samples.toLocaleString('en-US')} samples in ${summary.seconds.toFixed(1)} s ` +
          `(${Math.round(summary.samples / Math.max(summary.seconds, 1e-9)).toLocaleString('en-US')} samples/s); ` +
          `rejected ${total}${rejected.length > 0 ? ' (' + rejected.map(([k, c]) => `${k}: ${c}`).join(', ') + ')' : ''}\n`,
      );
      for (const e of summary.examples) process.stdout.write(`  rejected: ${e}\n`);
      return 0;
    } catch (err) {
      if (err instanceof ImportError) {
        process.stderr.write(`\nvigil import: ${err.message}\n`);
        return 1;
      }
      throw err;
    } finally {
      await db.close();
      lock.release();
    }
  },
};
