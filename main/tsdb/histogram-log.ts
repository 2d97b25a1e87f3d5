/**
 * Native histogram samples on their way through storage (FORMAT.md, "Histogram samples"). A
 * committed batch keeps ONE sample order: a histogram sample sits in the float columns with the
 * value `HistogramMarker` (a NaN payload nothing else uses), and the histograms follow in a side
 * list, one per marker, in order. So the appender's checks, the worker protocol, the log row and
 * the head all see samples in commit order without a second ordering to reconcile.
 *
 * Also here: the binary form of that side list in the log (`wal_histograms.h`) and the checks
 * a histogram must pass before storage takes it.
 */
import type { NativeHistogram, CounterResetHint } from './interface.js';
import { checkHistogram } from './chunkenc/histogram.js';

const bitsView = new DataView(new ArrayBuffer(8));
const markerBits = 0x7ff0000000000003n;
bitsView.setBigUint64(0, markerBits);
/** Float column value of a histogram sample. Its bits survive Float64Array copies and postMessage. */
export const HistogramMarker: number = bitsView.getFloat64(0);

export function isHistogramMarker(v: number): boolean {
  if (v === v) return false;
  bitsView.setFloat64(0, v);
  return bitsView.getBigUint64(0) === markerBits;
}

const hints: readonly CounterResetHint[] = ['unknown', 'reset', 'not_reset', 'gauge'];

/**
 * Throws RangeError naming what is wrong: schema outside −4…8 and −53, unsorted or too many
 * buckets, a negative count, custom bounds on an exponential schema or out of order.
 */
export function validateHistogram(h: NativeHistogram): void {
  checkHistogram(h);
  const check = (x: number, what: string): void => {
    if (x < 0) throw new RangeError(`histogram ${what} ${x} is negative`);
  };
  check(h.count, 'count');
  check(h.zeroCount, 'zero count');
  if (!(h.zeroThreshold >= 0)) throw new RangeError(`histogram zero threshold ${h.zeroThreshold} is negative`);
  for (const side of [h.positive, h.negative]) {
    for (const b of side) {
      check(b.count, `bucket ${b.index} count`);
    }
  }
  // As Prometheus' FloatHistogram.Validate, a count below the buckets' total is let through: float
  // rounding makes that check give false alarms. Parsers of integer histograms check it (scrape).
  if (h.schema === -53) {
    for (let i = 1; i < h.customValues.length; i++) if (!(h.customValues[i]! > h.customValues[i - 1]!)) throw new RangeError('custom bucket bounds must strictly increase');
  } else if (h.customValues.length > 0) throw new RangeError(`schema ${h.schema} has custom bucket bounds; only schema -53 takes them`);
}

/** Structural equality (float bits of every field), for duplicate-sample detection. */
export function sameHistogram(a: NativeHistogram, b: NativeHistogram): boolean {
  const buckets = (x: NativeHistogram['positive'], y: NativeHistogram['positive']): boolean => x.length === y.length && x.every((p, i) => p.index === y[i]!.index && Object.is(p.count, y[i]!.count));
  return (
    a.schema === b.schema &&
    Object.is(a.zeroThreshold, b.zeroThreshold) &&
    Object.is(a.zeroCount, b.zeroCount) &&
    Object.is(a.count, b.count) &&
    Object.is(a.sum, b.sum) &&
    a.counterResetHint === b.counterResetHint &&
    buckets(a.positive, b.positive) &&
    buckets(a.negative, b.negative) &&
    a.customValues.length === b.customValues.length &&
    a.customValues.every((x, i) => Object.is(x, b.customValues[i]))
  );
}

/** Bytes of one record (FORMAT.md, "Histogram samples"): 46 fixed, then bounds and buckets. */
function recordSize(h: NativeHistogram): number {
  return 46 + 8 * h.customValues.length + 12 * (h.positive.length + h.negative.length);
}

/** Packs the side list of a batch: u32 n, then n records, every float as raw float64 bits, little-endian. */
export function packHistograms(hs: readonly NativeHistogram[]): Buffer {
  let size = 4;
  for (const h of hs) size += recordSize(h);
  const buf = Buffer.alloc(size);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  dv.setUint32(0, hs.length, true);
  let at = 4;
  for (const h of hs) {
    dv.setInt8(at, h.schema);
    dv.setUint8(at + 1, hints.indexOf(h.counterResetHint));
    dv.setFloat64(at + 2, h.zeroThreshold, true);
    dv.setFloat64(at + 10, h.zeroCount, true);
    dv.setFloat64(at + 18, h.count, true);
    dv.setFloat64(at + 26, h.sum, true);
    dv.setUint32(at + 34, h.customValues.length, true);
    dv.setUint32(at + 38, h.positive.length, true);
    dv.setUint32(at + 42, h.negative.length, true);
    at += 46;
    for (const c of h.customValues) {
      dv.setFloat64(at, c, true);
      at += 8;
    }
    for (const side of [h.positive, h.negative]) {
      for (const b of side) {
        dv.setInt32(at, b.index, true);
        dv.setFloat64(at + 4, b.count, true);
        at += 12;
      }
    }
  }
  return buf;
}

/** Inverse of packHistograms; a damaged blob yields the histograms before the damage. */
export function unpackHistograms(blob: Uint8Array): NativeHistogram[] {
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const out: NativeHistogram[] = [];
  if (blob.length < 4) return out;
  const n = dv.getUint32(0, true);
  let at = 4;
  for (let k = 0; k < n; k++) {
    if (at + 46 > blob.length) break;
    const nCustom = dv.getUint32(at + 34, true);
    const nPos = dv.getUint32(at + 38, true);
    const nNeg = dv.getUint32(at + 42, true);
    const end = at + 46 + 8 * nCustom + 12 * (nPos + nNeg);
    const hint = hints[dv.getUint8(at + 1)];
    if (end > blob.length || hint === undefined) break;
    const h = {
      schema: dv.getInt8(at),
      counterResetHint: hint,
      zeroThreshold: dv.getFloat64(at + 2, true),
      zeroCount: dv.getFloat64(at + 10, true),
      count: dv.getFloat64(at + 18, true),
      sum: dv.getFloat64(at + 26, true),
      customValues: [] as number[],
      positive: [] as { index: number; count: number }[],
      negative: [] as { index: number; count: number }[],
    };
    at += 46;
    for (let i = 0; i < nCustom; i++, at += 8) h.customValues.push(dv.getFloat64(at, true));
    for (let i = 0; i < nPos + nNeg; i++, at += 12) (i < nPos ? h.positive : h.negative).push({ index: dv.getInt32(at, true), count: dv.getFloat64(at + 4, true) });
    out.push(h);
  }
  return out;
}
