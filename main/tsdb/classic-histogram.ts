/**
 * One classic histogram (its `_bucket{le}`, `_count` and `_sum` samples of one scrape) as a
 * native histogram with custom buckets (schema −53), with the checks of Prometheus'
 * util/convertnhcb TempHistogram (the code is ours):
 *
 * * a bucket count must be a non-negative number, and cumulative: a higher `le` may not count
 *   less than a lower one (a repeated `le` is ignored, as a duplicate sample);
 * * without `_count` the count is the highest bucket's; without a `+Inf` bucket one is added
 *   holding the count, so `_count` below the highest finite bucket is refused;
 * * with a `+Inf` bucket, `_count` (when given) must equal it.
 *
 * The finite bounds become `customValues`; bucket `i` holds the observations in
 * (customValues[i−1], customValues[i]] (the last one up to +Inf). Empty buckets are left out,
 * as Prometheus' Compact(0) does.
 */
import type { HistogramBucket, NativeHistogram } from './interface.js';

/** Prometheus' histogram.CustomBucketsSchema. */
const customBucketsSchema = -53;

/** A classic histogram that cannot be converted; the message names the offending sample. */
export class ClassicHistogramError extends Error {}

export class ClassicHistogram {
  /** Upper bounds, ascending, and their cumulative counts. */
  private les: number[] = [];
  private cums: number[] = [];
  private count = 0;
  private hasCount = false;
  private sum = 0;
  private problem: string | null = null;

  reset(): void {
    this.les = [];
    this.cums = [];
    this.count = 0;
    this.hasCount = false;
    this.sum = 0;
    this.problem = null;
  }

  /** One `_bucket` sample: the cumulative count of observations ≤ `le`. */
  setBucket(le: number, cum: number): void {
    if (this.problem !== null) return;
    if (!(cum >= 0)) {
      this.problem = `bucket le=${fmt(le)} has count ${fmt(cum)}: a bucket count must be a non-negative number`;
      return;
    }
    const n = this.les.length;
    let i = n;
    while (i > 0 && this.les[i - 1]! > le) i--;
    if (i > 0 && this.les[i - 1] === le) return;
    if (i > 0 && cum < this.cums[i - 1]!) {
      this.problem = `buckets are not cumulative: le=${fmt(le)} counts ${fmt(cum)}, less than le=${fmt(this.les[i - 1]!)} with ${fmt(this.cums[i - 1]!)}`;
      return;
    }
    if (i < n && cum > this.cums[i]!) {
      this.problem = `buckets are not cumulative: le=${fmt(le)} counts ${fmt(cum)}, more than le=${fmt(this.les[i]!)} with ${fmt(this.cums[i]!)}`;
      return;
    }
    this.les.splice(i, 0, le);
    this.cums.splice(i, 0, cum);
  }

  /** The `_count` sample. */
  setCount(count: number): void {
    if (this.problem !== null) return;
    if (!(count >= 0)) {
      this.problem = `count ${fmt(count)} must be a non-negative number`;
      return;
    }
    this.count = count;
    this.hasCount = true;
  }

  /** The `_sum` sample. */
  setSum(sum: number): void {
    this.sum = sum;
  }

  /** The native histogram; throws ClassicHistogramError when the samples do not make one. */
  toNative(): NativeHistogram {
    if (this.problem !== null) throw new ClassicHistogramError(this.problem);
    const les = this.les.slice();
    const cums = this.cums.slice();
    const n = les.length;
    const count = this.hasCount || n === 0 ? this.count : cums[n - 1]!;
    if (n === 0 || les[n - 1] !== Infinity) {
      if (n > 0 && count < cums[n - 1]!) {
        throw new ClassicHistogramError(`count ${fmt(count)} is less than bucket le=${fmt(les[n - 1]!)} with ${fmt(cums[n - 1]!)} (and there is no +Inf bucket)`);
      }
      les.push(Infinity);
      cums.push(count);
    } else if (count !== cums[n - 1]) {
      throw new ClassicHistogramError(`count ${fmt(count)} differs from the +Inf bucket's ${fmt(cums[n - 1]!)}`);
    }
    const positive: HistogramBucket[] = [];
    let prev = 0;
    for (let i = 0; i < cums.length; i++) {
      const c = cums[i]! - prev;
      prev = cums[i]!;
      if (c !== 0) positive.push({ index: i, count: c });
    }
    return {
      schema: customBucketsSchema,
      zeroThreshold: 0,
      zeroCount: 0,
      count,
      sum: this.sum,
      positive,
      negative: [],
      customValues: les.slice(0, -1),
      counterResetHint: 'unknown',
    };
  }
}

function fmt(x: number): string {
  return x === Infinity ? '+Inf' : x === -Infinity ? '-Inf' : String(x);
}
