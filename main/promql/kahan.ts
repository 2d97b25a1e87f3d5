/** Mutable accumulator to avoid tuple allocations in hot loops. */
export class KahanSum {
  sum = 0;
  c = 0;
  add(inc: number): void {
    const t = this.sum + inc;
    if (t === Infinity || t === -Infinity) this.c = 0;
    else if (Math.abs(this.sum) >= Math.abs(inc)) this.c += this.sum - t + inc;
    else this.c += inc - t + this.sum;
    this.sum = t;
  }
  value(): number {
    // Prometheus drops the compensation when the sum is infinite (c would be NaN).
    return this.sum === Infinity || this.sum === -Infinity ? this.sum : this.sum + this.c;
  }
  reset(): void {
    this.sum = 0;
    this.c = 0;
  }
}

/**
 * Prometheus' mean of values[lo, hi): a Kahan sum divided by the count, switching to an
 * incremental (Kahan-compensated) mean once the running sum would overflow. Used by `avg` and
 * `avg_over_time`.
 */
export function kahanMean(values: ArrayLike<number>, lo = 0, hi = values.length): number {
  const k = new KahanSum();
  let count = 0;
  let incremental = false;
  let mean = 0;
  let c = 0;
  for (let i = lo; i < hi; i++) {
    const x = values[i]!;
    count++;
    if (!incremental) {
      const prevSum = k.sum;
      const prevC = k.c;
      k.add(x);
      if (Number.isFinite(k.sum) || Number.isNaN(k.sum)) continue;
      incremental = true;
      mean = count > 1 ? prevSum / (count - 1) : 0;
      c = count > 1 ? prevC / (count - 1) : 0;
    }
    const q = (count - 1) / count;
    const acc = new KahanSum();
    acc.sum = q * mean;
    acc.c = q * c;
    acc.add(x / count);
    mean = acc.sum;
    c = acc.c;
  }
  if (incremental) return Number.isFinite(mean) ? mean + c : mean;
  return k.value() / count;
}
