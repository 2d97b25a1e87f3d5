/** Kahan–Babuška compensated summation, as Prometheus' kahanSumInc. Returns [sum, c]. */
export function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (!Number.isFinite(t) && !Number.isNaN(t)) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

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
