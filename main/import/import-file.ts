/**
 * Backfill: reads OpenMetrics text or Prometheus text with timestamps (what `promtool tsdb
 * create-blocks-from openmetrics` and VictoriaMetrics' importer take) and appends it to storage,
 * streaming the file in blocks of whole lines. Samples are committed block by block; a bad sample
 * is counted with its reason and the rest goes on; a malformed line stops the import with its
 * line number, keeping what was committed before it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createParser, ExpositionParseError } from '../scrape/parse/parser.js';
import { parseFloatBytes, parseIntBytes } from '../scrape/parse/number.js';
import type { Labels } from '../tsdb/labels.js';
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

const NL = 0x0a;
const SP = 0x20;
const TAB = 0x09;
const HASH = 0x23;

/** A series seen in the file: its id bytes (name and label block), ref, and the series that followed it last. */
interface Known {
  readonly id: Buffer;
  readonly ref: SeriesRef;
  next: Known | null;
}

/** End of the token at `p` (a space, tab or newline ends it), at most `end`. */
function tokenEnd(b: Buffer, p: number, end: number): number {
  while (p < end) {
    const c = b[p]!;
    if (c === SP || c === NL || c === TAB) break;
    p++;
  }
  return p;
}

/**
 * The line at `p` starts with the series' id and a space. Buffer#compare: for ids of 60–110
 * bytes its native loop cost a third less of the whole parse than a JavaScript one.
 */
function startsLine(b: Buffer, p: number, end: number, k: Known): boolean {
  const len = k.id.length;
  return p + len < end && b[p + len] === SP && k.id.compare(b, p, p + len) === 0;
}

/** Whitespace only in b[p, end). */
function blank(b: Buffer, p: number, end: number): boolean {
  for (; p < end; p++) if (!/\s/.test(String.fromCharCode(b[p]!))) return false;
  return true;
}

/**
 * Reads the file in blocks of whole lines. A line that repeats the previous sample's series bytes
 * followed by one space, a number, and (one space and) a timestamp, is read here with the
 * exposition parser's own number functions — that is nearly every line of a backfill file, which
 * holds a series' samples one after another. Every other line (comments, a series' first sample,
 * anything unusual: tabs, exemplars, an odd token) goes alone through the exposition parser, which
 * validates it and names what is wrong. The parser keeps no state from line to line but `# EOF`,
 * so reading lines apart accepts and refuses what it would on the whole file.
 */
export async function importFile(
  file: string,
  storage: Appendable,
  opts: { format?: ImportFormat; onProgress?: (p: ImportProgress) => void; nowMs?: number; blockBytes?: number } = {},
): Promise<ImportSummary> {
  const began = performance.now();
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const format = opts.format ?? (size > 0 ? detectFormat(fd, size) : 'prometheus');
    const om = format === 'openmetrics';
    const contentType = om ? openMetricsType : promType;
    const now = opts.nowMs ?? Date.now();
    const known = new Map<string, Known>();
    const rejected: Record<string, number> = {};
    const examples: string[] = [];
    let samples = 0;
    let pos = 0;
    let carried = 0; // bytes of a partial line kept at the start of `work`
    let lineNo = 0; // lines read so far
    let sawEof = false;
    const block = opts.blockBytes ?? blockBytes;
    const eofMark = Buffer.from('# EOF\n');
    let work = Buffer.allocUnsafe(block + 4096);
    let scratch = Buffer.allocUnsafe(4096);
    // The previous sample's series (null: none, or its sample was refused before it had a ref).
    let prev: Known | null = null;

    // One commit stays in flight while the next block is parsed: the appender updates the index
    // when commit() is called, so the next block's checks already see this one's samples, and the
    // storage worker makes block N durable while this thread parses block N + 1.
    let inFlight: Promise<void> | undefined;
    const settle = async (): Promise<void> => {
      const p = inFlight;
      inFlight = undefined;
      await p;
    };
    const fail = (line: number, detail: string): ImportError => new ImportError(`${file}:${line}: ${detail} (samples before this block were imported)`);

    for (;;) {
      if (work.length < carried + block) {
        const grown = Buffer.allocUnsafe(carried + block + 4096);
        work.copy(grown, 0, 0, carried);
        work = grown;
      }
      const n = pos < size ? readSync(fd, work, carried, block, pos) : 0;
      pos += n;
      const last = pos >= size || n === 0;
      const avail = carried + n;
      if (avail === 0) break;
      const nl = work.lastIndexOf(NL, avail - 1);
      const end = last ? avail : nl + 1;
      if (end === 0) {
        carried = avail; // no whole line yet: read on
        continue;
      }
      const text = work;
      const app = storage.bulkAppender?.() ?? storage.appender();
      const add = (series: SeriesRef | Labels, t: number, v: number): SeriesRef | undefined => {
        try {
          const ref = app.append(series, t, v);
          samples++;
          return ref;
        } catch (err) {
          if (!(err instanceof StorageError)) throw err;
          rejected[err.kind] = (rejected[err.kind] ?? 0) + 1;
          if (examples.length < 5) examples.push(`line ${lineNo}: ${err.message}`);
          return typeof series === 'number' ? series : undefined;
        }
      };
      try {
        let p = 0;
        while (p < end) {
          lineNo++;
          if (sawEof) {
            const e = text.indexOf(NL, p);
            const le = e < 0 || e >= end ? end : e;
            if (!blank(text, p, le)) throw fail(lineNo, 'unexpected data after "# EOF"');
            p = le + 1;
            continue;
          }
          // Fast path: the previous series again, or the one that followed it last time (a
          // histogram's buckets come in turn), then ` value[ timestamp]\n`, single spaces.
          const guess: Known | null = prev === null ? null : startsLine(text, p, end, prev) ? prev : prev.next !== null && startsLine(text, p, end, prev.next) ? prev.next : null;
          if (guess !== null) {
            const vs = p + guess.id.length + 1;
            const ve = tokenEnd(text, vs, end);
            const v = ve > vs ? parseFloatBytes(text, vs, ve) : undefined;
            if (v !== undefined) {
              let t: number | undefined = now;
              let q = ve;
              if (q < end && text[q] === SP && text[q + 1] !== HASH) {
                const te = tokenEnd(text, q + 1, end);
                if (om) {
                  const ts = te > q + 1 ? parseFloatBytes(text, q + 1, te) : undefined;
                  t = ts !== undefined && Number.isFinite(ts) ? Math.trunc(ts * 1000) : undefined; // as the parser
                } else t = te > q + 1 ? parseIntBytes(text, q + 1, te) : undefined;
                q = te;
              }
              if (t !== undefined && (q === end || text[q] === NL)) {
                add(guess.ref, t, v);
                if (prev !== guess) prev!.next = guess;
                prev = guess;
                p = q + 1;
                continue;
              }
            }
          }
          // Slow path: this line alone through the exposition parser.
          const e = text.indexOf(NL, p);
          const le = e < 0 || e >= end ? end : e;
          if (om && le - p === 5 && text.toString('latin1', p, le) === '# EOF') {
            sawEof = true;
            p = le + 1;
            continue;
          }
          const need = le - p + 1 + eofMark.length;
          if (scratch.length < need) scratch = Buffer.allocUnsafe(need * 2);
          text.copy(scratch, 0, p, le);
          scratch[le - p] = NL;
          const len = le - p + 1 + (om ? eofMark.copy(scratch, le - p + 1) : 0);
          const parser = createParser(scratch.subarray(0, len), contentType);
          let kind;
          try {
            kind = parser.next();
          } catch (err) {
            if (err instanceof ExpositionParseError) throw fail(lineNo, err.detail);
            throw err;
          }
          p = le + 1;
          if (kind !== 'series') continue;
          const id = parser.seriesId();
          let k = known.get(id);
          const t = parser.timestamp() ?? now;
          if (k !== undefined) add(k.ref, t, parser.value());
          else {
            const ref = add(parser.labels(), t, parser.value());
            if (ref !== undefined) {
              k = { id: Buffer.from(scratch.subarray(parser.seriesIdStart(), parser.seriesIdEnd())), ref, next: null };
              known.set(id, k);
            }
          }
          // A first sample refused before its series had a ref: the series is looked up again next time.
          if (prev !== null && k !== undefined) prev.next = k;
          prev = k ?? null;
        }
      } catch (err) {
        app.rollback();
        await settle();
        if (err instanceof ExpositionParseError) throw fail(lineNo, err.detail);
        throw err;
      }
      await settle();
      inFlight = app.commit();
      // Awaited at the next settle(); until then a failed commit must not count as unhandled.
      inFlight.catch(() => undefined);
      carried = avail - end;
      work.copy(work, 0, end, avail);
      opts.onProgress?.({ bytesRead: pos - carried, bytesTotal: size, samples });
      if (last && carried === 0) break;
    }
    await settle();
    return { series: known.size, samples, rejected, examples, seconds: (performance.now() - began) / 1000, format };
  } finally {
    closeSync(fd);
  }
}
