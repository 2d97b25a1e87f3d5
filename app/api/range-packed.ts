import { ApiError, describeZodError } from './errors.js';
import { fromWire, LabelSetSchema, RangeQueryResponseSchema, toWire, WireHistogramListSchema, type RangeQueryResponse, type WireHistogram, type WireValue } from './query.js';

/**
 * A range answer with its columns in typed arrays, for the transports that copy typed arrays as
 * bytes: Electron IPC (structured clone through the context bridge) and the page's fetch worker
 * (transfer). A million wire values as a JS array cost the receiving thread tens of milliseconds
 * to deserialise, validate and convert; as Float64Arrays they are a copy of 8 MB.
 *
 * `v` holds each step's value (NaN, ±Inf as themselves); `present` flags the steps that have a
 * value, and is null when all do, which is the common case.
 */
export interface PackedSeries {
  labels: Record<string, string>;
  v: Float64Array;
  present: Uint8Array | null;
  /** Native histogram steps, as in the wire form (rare; not packed). */
  histograms?: (WireHistogram | null)[];
}

export type PackedRangeResponse = Omit<RangeQueryResponse, 'result'> & {
  result: { resultType: 'matrix'; timestamps: Float64Array; series: PackedSeries[] };
};

export function packRange(r: RangeQueryResponse): PackedRangeResponse {
  const series = r.result.series.map((s): PackedSeries => {
    const n = s.values.length;
    const v = new Float64Array(n);
    let present: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      const x = s.values[i]!;
      if (x === null) (present ??= new Uint8Array(n).fill(1))[i] = 0;
      else v[i] = typeof x === 'number' ? x : fromWire(x);
    }
    return s.histograms ? { labels: s.labels, v, present, histograms: s.histograms } : { labels: s.labels, v, present };
  });
  return { ...r, result: { resultType: 'matrix', timestamps: Float64Array.from(r.result.timestamps), series } };
}

/** The buffers a worker can transfer instead of copying. */
export function packedBuffers(p: PackedRangeResponse): ArrayBuffer[] {
  const out: ArrayBuffer[] = [p.result.timestamps.buffer as ArrayBuffer];
  for (const s of p.result.series) {
    out.push(s.v.buffer as ArrayBuffer);
    if (s.present !== null) out.push(s.present.buffer as ArrayBuffer);
  }
  return out;
}

/** Back to the contract's wire values (for callers of the plain `queryRange` channel). */
export function unpackRange(p: PackedRangeResponse): RangeQueryResponse {
  return {
    ...p,
    result: {
      resultType: 'matrix',
      timestamps: Array.from(p.result.timestamps),
      series: p.result.series.map((s) => {
        const values = new Array<WireValue | null>(s.v.length);
        for (let i = 0; i < s.v.length; i++) values[i] = s.present === null || s.present[i] ? toWire(s.v[i]!) : null;
        return s.histograms ? { labels: s.labels, values, histograms: s.histograms } : { labels: s.labels, values };
      }),
    },
  };
}

const RestSchema = RangeQueryResponseSchema.omit({ result: true });

function isTyped(x: unknown, tag: 'Float64Array' | 'Uint8Array'): boolean {
  // Realm-independent: a value copied across the context bridge or from a worker is still tagged.
  return ArrayBuffer.isView(x) && Object.prototype.toString.call(x) === `[object ${tag}]`;
}

/**
 * Checks a packed answer that crossed a process or thread boundary, as the contract's schema
 * checks a wire answer, but per array rather than per value. Throws an `internal` ApiError
 * naming `where` and the first thing wrong.
 */
export function checkPackedRange(x: unknown, where: string): PackedRangeResponse {
  const fail = (what: string): never => {
    throw new ApiError({ kind: 'internal', message: `invalid response from queryRange: ${what}`, where });
  };
  if (typeof x !== 'object' || x === null) return fail('not an object');
  const rest = RestSchema.safeParse(x);
  if (!rest.success) return fail(describeZodError(rest.error));
  const result = (x as { result?: unknown }).result as { resultType?: unknown; timestamps?: unknown; series?: unknown } | undefined;
  if (typeof result !== 'object' || result === null || result.resultType !== 'matrix') return fail('result is not a matrix');
  if (!isTyped(result.timestamps, 'Float64Array')) return fail('result.timestamps is not a Float64Array');
  if (!Array.isArray(result.series)) return fail('result.series is not an array');
  result.series.forEach((s: unknown, i) => {
    const at = `result.series[${i}]`;
    if (typeof s !== 'object' || s === null) return fail(`${at} is not an object`);
    const { labels, v, present, histograms } = s as Record<string, unknown>;
    if (histograms !== undefined && !WireHistogramListSchema.safeParse(histograms).success) fail(`${at}.histograms is not a list of histograms`);
    if (!LabelSetSchema.safeParse(labels).success) fail(`${at}.labels is not a label set`);
    if (!isTyped(v, 'Float64Array')) fail(`${at}.v is not a Float64Array`);
    if (present !== null && !(isTyped(present, 'Uint8Array') && (present as Uint8Array).length === (v as Float64Array).length)) {
      fail(`${at}.present is neither null nor a Uint8Array as long as its values`);
    }
  });
  return x as PackedRangeResponse;
}
