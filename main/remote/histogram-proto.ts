/**
 * Native histograms as remote write's `Histogram` message (the same fields in 1.0's prompb and in
 * 2.0's io.prometheus.write.v2): buckets as spans plus deltas (integer counts) or plus absolute
 * counts (float counts). A histogram whose counts are all whole numbers goes out in the integer
 * form, which every receiver with native histograms takes (Prometheus 2.42 takes no other);
 * anything else goes out as a float histogram.
 */
import type { CounterResetHint, HistogramBucket, NativeHistogram } from '../tsdb/interface.js';
import { bucketsFromSpans, NativeHistogramError } from '../scrape/parse/native-histogram.js';

interface PbSpan {
  offset: number;
  length: number;
}

/** The Histogram message as protobufjs takes and gives it (enums and int64 as numbers). */
export interface PbHistogram {
  count_int?: number;
  count_float?: number;
  sum: number;
  schema: number;
  zero_threshold: number;
  zero_count_int?: number;
  zero_count_float?: number;
  negative_spans: PbSpan[];
  negative_deltas: number[];
  negative_counts: number[];
  positive_spans: PbSpan[];
  positive_deltas: number[];
  positive_counts: number[];
  /** 0 unknown, 1 yes (reset), 2 no, 3 gauge. */
  reset_hint: number;
  timestamp: number;
  custom_values: number[];
  /** Set by decoding with `oneofs: true`: which member of each oneof is present. */
  count?: 'count_int' | 'count_float';
  zero_count?: 'zero_count_int' | 'zero_count_float';
}

const hints: readonly CounterResetHint[] = ['unknown', 'reset', 'not_reset', 'gauge'];

/** Spans over sorted bucket indexes: the first offset is the first index, later ones the gap. */
function spansOf(buckets: readonly HistogramBucket[]): PbSpan[] {
  const out: PbSpan[] = [];
  let next = 0;
  for (let i = 0; i < buckets.length; i++) {
    const index = buckets[i]!.index;
    const last = out[out.length - 1];
    if (last !== undefined && index === next) last.length++;
    else out.push({ offset: out.length === 0 ? index : index - next, length: 1 });
    next = index + 1;
  }
  return out;
}

function deltasOf(buckets: readonly HistogramBucket[]): number[] {
  let prev = 0;
  return buckets.map((b) => {
    const d = b.count - prev;
    prev = b.count;
    return d;
  });
}

const whole = (x: number): boolean => Number.isSafeInteger(x) && x >= 0;

/** True when every count of `h` is a whole number, so it can travel as an integer histogram. */
function isInteger(h: NativeHistogram): boolean {
  return whole(h.count) && whole(h.zeroCount) && h.positive.every((b) => whole(b.count)) && h.negative.every((b) => whole(b.count));
}

export function histogramToProto(h: NativeHistogram, t: number): PbHistogram {
  const int = isInteger(h);
  const positive = h.positive;
  const negative = h.negative;
  return {
    ...(int ? { count_int: h.count, zero_count_int: h.zeroCount } : { count_float: h.count, zero_count_float: h.zeroCount }),
    sum: h.sum,
    schema: h.schema,
    zero_threshold: h.zeroThreshold,
    negative_spans: spansOf(negative),
    negative_deltas: int ? deltasOf(negative) : [],
    negative_counts: int ? [] : negative.map((b) => b.count),
    positive_spans: spansOf(positive),
    positive_deltas: int ? deltasOf(positive) : [],
    positive_counts: int ? [] : positive.map((b) => b.count),
    reset_hint: hints.indexOf(h.counterResetHint),
    timestamp: t,
    custom_values: [...h.customValues],
  };
}

/** The storage histogram of a received message; throws NativeHistogramError naming what is wrong. */
export function histogramFromProto(p: PbHistogram): NativeHistogram {
  const float = p.count === 'count_float' || p.zero_count === 'zero_count_float' || p.positive_counts.length > 0 || p.negative_counts.length > 0;
  const hint = hints[p.reset_hint];
  if (hint === undefined) throw new NativeHistogramError(`unknown reset hint ${p.reset_hint}`);
  return {
    schema: p.schema,
    zeroThreshold: p.zero_threshold,
    zeroCount: (float ? p.zero_count_float : p.zero_count_int) ?? 0,
    count: (float ? p.count_float : p.count_int) ?? 0,
    sum: p.sum,
    positive: bucketsFromSpans(p.positive_spans, p.positive_deltas, p.positive_counts, float, 'positive'),
    negative: bucketsFromSpans(p.negative_spans, p.negative_deltas, p.negative_counts, float, 'negative'),
    customValues: p.custom_values,
    counterResetHint: hint,
  };
}
