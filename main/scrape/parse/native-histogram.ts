/**
 * A protobuf `Histogram` message's native part as a storage histogram, checked as Prometheus
 * checks an integer histogram (spans against bucket counts, no negative count, the count adding
 * up), and reduced in resolution as `native_histogram_bucket_limit` and
 * `native_histogram_min_bucket_factor` ask (Prometheus' scrape/target.go bucketLimitAppender and
 * maxSchemaAppender; the code is ours).
 */
import type { CounterResetHint, HistogramBucket, NativeHistogram } from '../../tsdb/interface.js';

interface PbSpan {
  offset?: number;
  length?: number;
}

/** The native-histogram fields of io.prometheus.client.Histogram, as protobufjs decodes them. */
export interface PbHistogram {
  sample_count?: number;
  sample_count_float?: number;
  sample_sum?: number;
  schema?: number;
  zero_threshold?: number;
  zero_count?: number;
  zero_count_float?: number;
  negative_span?: PbSpan[];
  negative_delta?: number[];
  negative_count?: number[];
  positive_span?: PbSpan[];
  positive_delta?: number[];
  positive_count?: number[];
}

/** A native histogram the scrape cannot take; only its series is skipped. */
export class NativeHistogramError extends Error {}

/** Prometheus' rule: spans or a zero bucket (threshold or count) make a histogram native. */
export function isNative(h: PbHistogram): boolean {
  return (h.positive_span?.length ?? 0) > 0 || (h.negative_span?.length ?? 0) > 0 || (h.zero_threshold ?? 0) > 0 || (h.zero_count ?? 0) > 0 || (h.zero_count_float ?? 0) > 0;
}

const minSchema = -4;
const maxSchema = 8;

/**
 * Buckets of one side from spans and either deltas (integer histograms) or absolute counts
 * (float); throws NativeHistogramError naming `what` (also used by remote write's receiver).
 */
export function bucketsFromSpans(spans: PbSpan[] | undefined, deltas: number[] | undefined, counts: number[] | undefined, float: boolean, what: string): HistogramBucket[] {
  const out: HistogramBucket[] = [];
  const values = float ? (counts ?? []) : (deltas ?? []);
  let at = 0;
  let index = 0;
  let acc = 0;
  // The first span's offset is its first index; each later one's is the gap after the previous.
  for (const s of spans ?? []) {
    const len = s.length ?? 0;
    index += s.offset ?? 0;
    for (let i = 0; i < len; i++, at++) {
      if (at >= values.length) throw new NativeHistogramError(`${what} spans need ${spanTotal(spans)} buckets, have ${values.length}`);
      const v = values[at]!;
      acc = float ? v : acc + v;
      if (acc < 0) throw new NativeHistogramError(`${what} bucket ${index + i} has a negative count ${acc}`);
      out.push({ index: index + i, count: acc });
    }
    index += len;
  }
  if (at !== values.length) throw new NativeHistogramError(`${what} spans need ${at} buckets, have ${values.length}`);
  return out;
}

function spanTotal(spans: PbSpan[] | undefined): number {
  return (spans ?? []).reduce((a, s) => a + (s.length ?? 0), 0);
}

/** The storage histogram of a native protobuf histogram; throws NativeHistogramError naming what is wrong. */
export function fromProtobuf(h: PbHistogram, gauge: boolean): NativeHistogram {
  const schema = h.schema ?? 0;
  if (!Number.isInteger(schema) || schema < minSchema || schema > maxSchema) throw new NativeHistogramError(`schema ${schema} is outside ${minSchema}…${maxSchema}`);
  const float = (h.sample_count_float ?? 0) > 0 || (h.zero_count_float ?? 0) > 0 || (h.positive_count?.length ?? 0) > 0 || (h.negative_count?.length ?? 0) > 0;
  const positive = bucketsFromSpans(h.positive_span, h.positive_delta, h.positive_count, float, 'positive');
  const negative = bucketsFromSpans(h.negative_span, h.negative_delta, h.negative_count, float, 'negative');
  const zeroCount = float ? (h.zero_count_float ?? 0) : (h.zero_count ?? 0);
  const count = float ? (h.sample_count_float ?? 0) : (h.sample_count ?? 0);
  const sum = h.sample_sum ?? 0;
  if (zeroCount < 0 || count < 0) throw new NativeHistogramError(`negative count (count ${count}, zero count ${zeroCount})`);
  let observed = zeroCount;
  for (const b of positive) observed += b.count;
  for (const b of negative) observed += b.count;
  // As Prometheus' Histogram.Validate: an integer count must equal its buckets' total (at least
  // it when the sum is NaN, which hides NaN observations); float counts only must not fall short.
  if (!float && (Number.isNaN(sum) ? count < observed : count !== observed)) throw new NativeHistogramError(`count ${count} does not match the ${observed} observations in its buckets`);
  if (float && count < observed * (1 - 1e-12)) throw new NativeHistogramError(`count ${count} is below the ${observed} observations in its buckets`);
  const hint: CounterResetHint = gauge ? 'gauge' : 'unknown';
  return { schema, zeroThreshold: h.zero_threshold ?? 0, zeroCount, count, sum, positive, negative, customValues: [], counterResetHint: hint };
}

/** Buckets of one side at one schema lower: bucket i joins ⌈i/2⌉ (its two halves become one). */
function halve(buckets: readonly HistogramBucket[]): HistogramBucket[] {
  const out: HistogramBucket[] = [];
  for (const b of buckets) {
    const index = Math.floor((b.index + 1) / 2);
    const last = out[out.length - 1];
    if (last !== undefined && last.index === index) out[out.length - 1] = { index, count: last.count + b.count };
    else out.push({ index, count: b.count });
  }
  return out;
}

function reduceTo(h: NativeHistogram, schema: number): NativeHistogram {
  let { positive, negative } = h;
  for (let s = h.schema; s > schema; s--) {
    positive = halve(positive);
    negative = halve(negative);
  }
  return { ...h, schema, positive, negative };
}

/** Prometheus' pickSchema: the highest schema whose bucket growth factor is at least `factor`. */
export function schemaForFactor(factor: number): number {
  const f = factor <= 1 ? 1.00271 : factor;
  const floor = Math.floor(-Math.log2(Math.log2(f)));
  return Math.max(minSchema, Math.min(maxSchema, floor)) + 0; // + 0: never -0
}

/**
 * Applies `native_histogram_min_bucket_factor` (0: none) and then `native_histogram_bucket_limit`
 * (0: none): the schema goes down one step at a time until the buckets fit; a histogram that
 * does not fit at schema −4 is refused.
 */
export function limitResolution(h: NativeHistogram, bucketLimit: number, minBucketFactor: number): NativeHistogram {
  if (h.schema < minSchema) return h; // custom buckets keep their bounds
  let out = h;
  if (minBucketFactor > 0) {
    const s = schemaForFactor(minBucketFactor);
    if (out.schema > s) out = reduceTo(out, s);
  }
  if (bucketLimit > 0) {
    while (out.positive.length + out.negative.length > bucketLimit) {
      if (out.schema <= minSchema) throw new NativeHistogramError(`histogram has ${out.positive.length + out.negative.length} buckets at schema ${minSchema}, above native_histogram_bucket_limit ${bucketLimit}`);
      out = reduceTo(out, out.schema - 1);
    }
  }
  return out;
}
