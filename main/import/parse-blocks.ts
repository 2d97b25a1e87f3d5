/**
 * The reading half of `vigil import`: the file in blocks of whole lines, each parsed into columns
 * (series number, time, value, line) plus the series the block met for the first time. It knows
 * nothing of storage, so it runs in a worker thread (parse-worker.ts) beside the thread that
 * appends, or in the same thread (tests, small files).
 *
 * A line that repeats the previous sample's series bytes — or those of the series that followed it
 * last time (a histogram's buckets come in turn) — followed by one space, a number and (one space
 * and) a timestamp is read here with the exposition parser's own number functions: that is nearly
 * every line of a backfill file. Every other line (comments, a series' first sample, anything
 * unusual: tabs, exemplars, an odd token) goes alone through the exposition parser, which
 * validates it and names what is wrong. The parser keeps no state from line to line but `# EOF`,
 * so reading lines apart accepts and refuses what it would on the whole file.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createParser, ExpositionParseError } from '../scrape/parse/parser.js';
import { parseFloatBytes, parseIntBytes } from '../scrape/parse/number.js';
import type { Labels } from '../tsdb/labels.js';
import { grown } from '../util/typed-arrays.js';

export type ImportFormat = 'openmetrics' | 'prometheus';

/**
 * One block's samples in file order, the first `n` entries of the columns; series are numbered
 * from 1 in order of first appearance.
 */
export interface ParsedBlock {
  readonly n: number;
  readonly series: Uint32Array;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** Line of each sample in the file (1-based). */
  readonly line: Uint32Array;
  /** Series first met in this block: numbers `firstNew`, `firstNew + 1`, … */
  readonly firstNew: number;
  readonly newSeries: readonly Labels[];
  /** Bytes of the file read up to the end of this block. */
  readonly bytesRead: number;
  readonly bytesTotal: number;
  /** A malformed line: the block's samples must not be stored, and reading stops. */
  readonly error: { readonly line: number; readonly detail: string } | null;
}

export interface ReadOptions {
  readonly format?: ImportFormat;
  readonly nowMs: number;
  readonly blockBytes: number;
}

const openMetricsType = 'application/openmetrics-text; version=1.0.0';
const promType = 'text/plain; version=0.0.4';

/** OpenMetrics files end with `# EOF`; anything else is read as Prometheus text (ms timestamps). */
function detectFormat(fd: number, size: number): ImportFormat {
  const tail = Buffer.alloc(Math.min(64, size));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  return /# EOF\s*$/.test(tail.toString('latin1')) ? 'openmetrics' : 'prometheus';
}

/** The format of a file: `format` when given, else detected from its end. */
export function formatOf(file: string, format?: ImportFormat): ImportFormat {
  if (format !== undefined) return format;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    return size > 0 ? detectFormat(fd, size) : 'prometheus';
  } finally {
    closeSync(fd);
  }
}

const NL = 0x0a;
const SP = 0x20;
const TAB = 0x09;
const HASH = 0x23;

/** A series seen in the file: its id bytes (name and label block), number, and the series that followed it last. */
interface Known {
  readonly id: Buffer;
  readonly num: number;
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

/**
 * 1 to 15 digits as an integer (whole seconds, the usual OpenMetrics timestamp), else -1. The
 * parser's float path gives the same number for these, exactly, and its `× 1000` too.
 */
function wholeSeconds(b: Buffer, p: number, end: number): number {
  if (end <= p || end - p > 15) return -1;
  let x = 0;
  for (; p < end; p++) {
    const c = b[p]! - 0x30;
    if (c < 0 || c > 9) return -1;
    x = x * 10 + c;
  }
  return x;
}

/** Whitespace only in b[p, end). */
function blank(b: Buffer, p: number, end: number): boolean {
  for (; p < end; p++) if (!/\s/.test(String.fromCharCode(b[p]!))) return false;
  return true;
}

/** A block's column arrays, given back by the consumer to be filled again. */
export interface ColumnBuffers {
  readonly series: Uint32Array;
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly line: Uint32Array;
}

/** Growable sample columns of one block. */
class Columns {
  n = 0;
  series: Uint32Array;
  t: Float64Array;
  v: Float64Array;
  line: Uint32Array;

  constructor(reuse: ColumnBuffers | undefined) {
    this.series = reuse?.series ?? new Uint32Array(1 << 16);
    this.t = reuse?.t ?? new Float64Array(1 << 16);
    this.v = reuse?.v ?? new Float64Array(1 << 16);
    this.line = reuse?.line ?? new Uint32Array(1 << 16);
  }

  push(series: number, t: number, v: number, line: number): void {
    if (this.n === this.t.length) this.grow();
    const i = this.n++;
    this.series[i] = series;
    this.t[i] = t;
    this.v[i] = v;
    this.line[i] = line;
  }

  /** Twice the room, amortised (main/util/typed-arrays.ts). */
  private grow(): void {
    const size = this.n * 2;
    this.series = grown(this.series, size);
    this.t = grown(this.t, size);
    this.v = grown(this.v, size);
    this.line = grown(this.line, size);
  }
}

/**
 * Parses the file block by block; stops after a block with an error. Columns given back in
 * `spare` are filled again (a new set of arrays per block kept V8 collecting garbage).
 */
export function* parseBlocks(file: string, opts: ReadOptions, spare: ColumnBuffers[] = []): Generator<ParsedBlock, void, undefined> {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const om = formatOf(file, opts.format) === 'openmetrics';
    const contentType = om ? openMetricsType : promType;
    const now = opts.nowMs;
    const block = opts.blockBytes;
    const known = new Map<string, Known>();
    let pos = 0;
    let carried = 0; // bytes of a partial line kept at the start of `work`
    let lineNo = 0; // lines read so far
    let sawEof = false;
    const eofMark = Buffer.from('# EOF\n');
    let work = Buffer.allocUnsafe(block + 4096);
    let scratch = Buffer.allocUnsafe(4096);
    // The previous sample's series (null at the start).
    let prev: Known | null = null;

    for (;;) {
      if (work.length < carried + block) {
        const grown = Buffer.allocUnsafe(carried + block + 4096);
        work.copy(grown, 0, 0, carried);
        work = grown;
      }
      const got = pos < size ? readSync(fd, work, carried, block, pos) : 0;
      pos += got;
      const last = pos >= size || got === 0;
      const avail = carried + got;
      if (avail === 0) return;
      const end = last ? avail : work.lastIndexOf(NL, avail - 1) + 1;
      if (end === 0) {
        carried = avail; // no whole line yet: read on
        continue;
      }
      const text = work;
      const cols = new Columns(spare.pop());
      const firstNew = known.size + 1;
      const newSeries: Labels[] = [];
      let error: ParsedBlock['error'] = null;
      let p = 0;
      while (p < end) {
        lineNo++;
        if (sawEof) {
          const e = text.indexOf(NL, p);
          const le = e < 0 || e >= end ? end : e;
          if (!blank(text, p, le)) {
            error = { line: lineNo, detail: 'unexpected data after "# EOF"' };
            break;
          }
          p = le + 1;
          continue;
        }
        // Fast path: the previous series again, or the one that followed it last time.
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
              const secs = om ? wholeSeconds(text, q + 1, te) : -1;
              if (secs >= 0) t = secs * 1000;
              else if (om) {
                const ts = te > q + 1 ? parseFloatBytes(text, q + 1, te) : undefined;
                t = ts !== undefined && Number.isFinite(ts) ? Math.trunc(ts * 1000) : undefined; // as the parser
              } else t = te > q + 1 ? parseIntBytes(text, q + 1, te) : undefined;
              q = te;
            }
            if (t !== undefined && (q === end || text[q] === NL)) {
              cols.push(guess.num, t, v, lineNo);
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
        p = le + 1;
        try {
          const parser = createParser(scratch.subarray(0, len), contentType);
          if (parser.next() !== 'series') continue;
          const key = parser.seriesId();
          let k = known.get(key);
          if (k === undefined) {
            newSeries.push(parser.labels());
            k = { id: Buffer.from(scratch.subarray(parser.seriesIdStart(), parser.seriesIdEnd())), num: known.size + 1, next: null };
            known.set(key, k);
          }
          cols.push(k.num, parser.timestamp() ?? now, parser.value(), lineNo);
          if (prev !== null) prev.next = k;
          prev = k;
        } catch (err) {
          if (!(err instanceof ExpositionParseError)) throw err;
          error = { line: lineNo, detail: err.detail };
          break;
        }
      }
      carried = avail - end;
      work.copy(work, 0, end, avail);
      const n = cols.n;
      // The columns' own buffers (a new set per block): the first n entries are the block's.
      yield {
        n,
        series: cols.series,
        t: cols.t,
        v: cols.v,
        line: cols.line,
        firstNew,
        newSeries,
        bytesRead: pos - carried,
        bytesTotal: size,
        error,
      };
      if (error !== null || (last && carried === 0)) return;
    }
  } finally {
    closeSync(fd);
  }
}
