/**
 * Backfill: reads OpenMetrics text or Prometheus text with timestamps (what `promtool tsdb
 * create-blocks-from openmetrics` and VictoriaMetrics' importer take) and appends it to storage,
 * streaming the file in blocks of whole lines. Samples are committed block by block; a bad sample
 * is counted with its reason and the rest goes on; a malformed line stops the import with its
 * line number, keeping what was committed before it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createParser, ExpositionParseError } from '../scrape/parse/parser.js';
import type { Appendable, SeriesRef } from '../tsdb/interface.js';
import { StorageError } from '../tsdb/interface.js';

export type ImportFormat = 'openmetrics' | 'prometheus';

export interface ImportProgress {
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
const openMetricsType = 'application/openmetrics-text; version=1.0.0';
const promType = 'text/plain; version=0.0.4';

/** OpenMetrics files end with `# EOF`; anything else is read as Prometheus text (ms timestamps). */
function detectFormat(fd: number, size: number): ImportFormat {
  const tail = Buffer.alloc(Math.min(64, size));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  return /# EOF\s*$/.test(tail.toString('latin1')) ? 'openmetrics' : 'prometheus';
}

export async function importFile(
  file: string,
  storage: Appendable,
  opts: { format?: ImportFormat; onProgress?: (p: ImportProgress) => void; nowMs?: number } = {},
): Promise<ImportSummary> {
  const began = performance.now();
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const format = opts.format ?? (size > 0 ? detectFormat(fd, size) : 'prometheus');
    const contentType = format === 'openmetrics' ? openMetricsType : promType;
    const now = opts.nowMs ?? Date.now();
    const refs = new Map<string, SeriesRef>();
    const rejected: Record<string, number> = {};
    const examples: string[] = [];
    let samples = 0;
    let pos = 0;
    let carry = Buffer.alloc(0);
    let lineBase = 0; // lines before the current block
    let header = ''; // the current family's `# TYPE` line
    const buf = Buffer.alloc(blockBytes);

    while (pos < size || carry.length > 0) {
      const n = pos < size ? readSync(fd, buf, 0, buf.length, pos) : 0;
      pos += n;
      let data = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, n)]) : Buffer.from(buf.subarray(0, n));
      let end = data.lastIndexOf(0x0a) + 1;
      if (pos >= size) end = data.length;
      if (end === 0) {
        carry = data;
        continue;
      }
      carry = Buffer.from(data.subarray(end));
      data = data.subarray(0, end);
      const text = data.toString('latin1');
      let body = data;
      const prefix = header;
      if (prefix !== '') body = Buffer.concat([Buffer.from(prefix, 'latin1'), data]);
      if (format === 'openmetrics' && !/# EOF\s*$/.test(text)) body = Buffer.concat([body, Buffer.from('# EOF\n')]);
      // The family type in effect at the end of this block is re-sent before the next one, so a
      // family split across blocks keeps its type (OpenMetrics counters need it).
      const lastType = text.lastIndexOf('# TYPE ');
      if (lastType >= 0 && (lastType === 0 || text[lastType - 1] === '\n')) {
        header = text.slice(lastType, text.indexOf('\n', lastType) + 1);
      }
      const prefixLines = prefix === '' ? 0 : prefix.split('\n').length - 1;

      const parser = createParser(body, contentType);
      const app = storage.appender();
      try {
        for (;;) {
          const kind = parser.next();
          if (kind === 'eof') break;
          if (kind !== 'series') continue;
          const id = parser.seriesId();
          const t = parser.timestamp() ?? now;
          const v = parser.value();
          let ref = refs.get(id);
          try {
            if (ref === undefined) {
              ref = app.append(parser.labels(), t, v);
              refs.set(id, ref);
            } else app.append(ref, t, v);
            samples++;
          } catch (err) {
            if (!(err instanceof StorageError)) throw err;
            rejected[err.kind] = (rejected[err.kind] ?? 0) + 1;
            if (examples.length < 5) examples.push(`line ${lineBase + parser.line() - prefixLines}: ${err.message}`);
          }
        }
      } catch (err) {
        app.rollback();
        if (err instanceof ExpositionParseError) {
          throw new ImportError(`${file}:${lineBase + err.line - prefixLines}: ${err.message} (samples before this block were imported)`);
        }
        throw err;
      }
      await app.commit();
      lineBase += text.split('\n').length - 1;
      opts.onProgress?.({ bytesRead: pos - carry.length, bytesTotal: size, samples });
      if (n === 0 && carry.length === 0) break;
    }
    return { series: refs.size, samples, rejected, examples, seconds: (performance.now() - began) / 1000, format };
  } finally {
    closeSync(fd);
  }
}
