/**
 * The experimental trim operators on native histograms: `h </ x` keeps the observations below x,
 * `h >/ x` those above it (Prometheus' FloatHistogram.TrimBuckets). A bucket the cut falls
 * inside keeps the share of its count on the kept side: exponential interpolation in
 * exponential buckets, linear in the zero bucket and in custom buckets. When anything is cut
 * the sum is estimated anew from the kept buckets: the geometric mean of each exponential
 * bucket's kept bounds, the midpoint of a linear one. Buckets open to ±Inf cannot be
 * interpolated; the rules for them (a custom first bucket with a positive upper bound counts
 * from 0, as in histogram_quantile) are the ones the upstream test scripts pin down, and
 * README.md states them. A cut that removes nothing returns the histogram unchanged.
 */
import type { HistogramBucket, NativeHistogram } from '../tsdb/interface.js';
import { bucketBound, usesCustomBuckets } from './histogram.js';

/** The kept share of one bucket's count, and the value that stands for each kept observation. */
interface Kept {
  readonly share: number;
  readonly rep: number;
}

const all = (rep: number): Kept => ({ share: 1, rep });
const none: Kept = { share: 0, rep: 0 };

/** A bucket [lo, hi] of finite bounds, interpolated linearly. */
function linear(lo: number, hi: number, cut: number, below: boolean): Kept {
  if (below) {
    if (hi <= cut) return all((lo + hi) / 2);
    if (lo >= cut) return none;
    return { share: (cut - lo) / (hi - lo), rep: (lo + cut) / 2 };
  }
  if (lo >= cut) return all((lo + hi) / 2);
  if (hi <= cut) return none;
  return { share: (hi - cut) / (hi - lo), rep: (cut + hi) / 2 };
}

/** An exponential bucket between |a| < |b| of one sign (negative buckets mirror positive ones). */
function exponential(lo: number, hi: number, cut: number, below: boolean): Kept {
  const sign = lo < 0 ? -1 : 1;
  const gm = (x: number, y: number): number => sign * Math.sqrt(x * y);
  if (below ? hi <= cut : lo >= cut) return all(gm(lo, hi));
  if (below ? lo >= cut : hi <= cut) return none;
  // The cut lies inside: share by the logarithm of the bound ratios, as quantiles interpolate.
  const [small, large] = sign > 0 ? [lo, hi] : [-hi, -lo];
  const c = Math.abs(cut);
  const keepsSmallEnd = below === sign > 0;
  const share = keepsSmallEnd ? Math.log(c / small) / Math.log(large / small) : Math.log(large / c) / Math.log(large / small);
  return { share, rep: keepsSmallEnd ? gm(sign * small, cut) : gm(cut, sign * large) };
}

/** A custom bucket (lo, hi], either bound possibly infinite. */
function custom(lo: number, hi: number, cut: number, below: boolean): Kept {
  if (Number.isFinite(lo) && Number.isFinite(hi)) return linear(lo, hi, cut, below);
  const whole = (): number => (lo === -Infinity ? (hi === Infinity ? 0 : hi > 0 ? hi / 2 : hi) : lo);
  if (below ? hi <= cut : lo >= cut) return all(whole());
  if (below ? lo >= cut : hi <= cut) return none;
  if (below) {
    // (lo, +Inf] cannot be split; (-Inf, hi] with hi > 0 counts from 0, else it stays whole.
    if (hi === Infinity) return none;
    if (hi > 0) return cut <= 0 ? none : { share: cut / hi, rep: cut / 2 };
    return all(cut);
  }
  if (lo !== -Infinity) return all(cut);
  if (hi !== Infinity && hi > 0 && cut >= 0) return { share: (hi - cut) / hi, rep: (cut + hi) / 2 };
  return none;
}

/** `h </ cut` (below = true) or `h >/ cut`. */
export function trimHistogram(h: NativeHistogram, cut: number, below: boolean): NativeHistogram {
  const isCustom = usesCustomBuckets(h);
  let count = 0;
  let sum = 0;
  let cutAny = false;
  const side = (bs: readonly HistogramBucket[], negative: boolean): HistogramBucket[] =>
    bs.map((b) => {
      const a = bucketBound(b.index - 1, h.schema, h.customValues);
      const z = bucketBound(b.index, h.schema, h.customValues);
      const k = isCustom ? custom(a, z, cut, below) : negative ? exponential(-z, -a, cut, below) : exponential(a, z, cut, below);
      if (b.count !== 0 && k.share < 1) cutAny = true;
      const kept = b.count * k.share;
      count += kept;
      if (kept !== 0) sum += kept * k.rep;
      return { index: b.index, count: kept };
    });
  const positive = side(h.positive, false);
  const negative = side(h.negative, true);
  // The zero bucket leans to the side that has buckets: [0, t] with positive ones only.
  const pos = h.positive.some((b) => b.count > 0);
  const neg = h.negative.some((b) => b.count > 0);
  const t = h.zeroThreshold;
  const zk = linear(pos && !neg ? 0 : -t, neg && !pos ? 0 : t, cut, below);
  if (h.zeroCount !== 0 && zk.share < 1) cutAny = true;
  const zeroCount = h.zeroCount * zk.share;
  count += zeroCount;
  if (zeroCount !== 0) sum += zeroCount * zk.rep;
  if (!cutAny) return h;
  return { ...h, count, sum, zeroCount, positive, negative };
}
