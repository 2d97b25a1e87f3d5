import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Head, type SealedRun } from '../../../main/tsdb/worker-head.js';

const bits = (v: Float64Array): string[] => Array.from(new BigUint64Array(v.buffer, v.byteOffset, v.length), (b) => b.toString(16));

/** Float64 values as bit patterns, incl. StaleNaN, other NaN payloads, −0, ±Inf, subnormals. */
const valueBits = fc.oneof(
  fc.double({ noNaN: true }),
  fc.constantFrom(0x7ff0000000000002n, 0x7ff8000000000001n, 0xfff8000000000000n, 0x8000000000000000n, 1n).map((b) => new Float64Array(new BigUint64Array([b]).buffer)[0]!),
  fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 100),
);

describe('head', () => {
  it('gives back every appended sample bit for bit, across encoded pages and chunk cuts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ref: fc.integer({ min: 1, max: 5 }), dt: fc.integer({ min: 1, max: 40_000 }), v: valueBits }), { maxLength: 700 }),
        fc.constantFrom(4, 32, 50, 120),
        (ops, maxSamples) => {
          const head = new Head(maxSamples);
          head.ensure(5);
          const clock = new Map<number, number>();
          // Expected values kept as bit strings: a plain array would quiet NaN payloads.
          const want = new Map<number, { t: number[]; v: string[] }>();
          const one = new Float64Array(1);
          const sealed: SealedRun[] = [];
          for (const op of ops) {
            const t = (clock.get(op.ref) ?? 1_700_000_000_000) + op.dt;
            clock.set(op.ref, t);
            const run = head.append(op.ref, t, op.v, 1);
            if (run) sealed.push(run);
            const w = want.get(op.ref) ?? { t: [], v: [] };
            w.t.push(t);
            one[0] = op.v;
            w.v.push(bits(one)[0]!);
            want.set(op.ref, w);
          }
          for (let ref = 1; ref <= 5; ref++) {
            const w = want.get(ref) ?? { t: [], v: [] };
            const runs = sealed.filter((r) => r.ref === ref);
            for (const r of runs) expect(r.t.length).toBeLessThanOrEqual(maxSamples);
            const open = head.read(new Uint32Array([ref]), -Infinity, Infinity);
            const t = [...runs.flatMap((r) => Array.from(r.t)), ...Array.from(open.t)];
            const vOut = new Float64Array(w.v.length);
            let k = 0;
            for (const r of runs) for (let j = 0; j < r.v.length; j++) vOut[k++] = r.v[j]!;
            for (let j = 0; j < open.v.length; j++) vOut[k++] = open.v[j]!;
            expect(t).toEqual(w.t);
            expect(k).toBe(w.v.length);
            expect(bits(vOut)).toEqual(w.v);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads a time window out of encoded and raw pages, and keeps head memory small', () => {
    const head = new Head(120);
    const series = 10_000;
    head.ensure(series);
    for (let i = 0; i < 100; i++) for (let ref = 1; ref <= series; ref++) head.append(ref, 1_700_000_000_000 + i * 15_000, ref + i * 0.25, i);
    const r = head.read(new Uint32Array([7]), 1_700_000_000_000 + 10 * 15_000, 1_700_000_000_000 + 40 * 15_000);
    expect(Array.from(r.t)).toEqual(Array.from({ length: 31 }, (_, i) => 1_700_000_000_000 + (10 + i) * 15_000));
    expect(Array.from(r.v)).toEqual(Array.from({ length: 31 }, (_, i) => 7 + (10 + i) * 0.25));
    // 100 samples a series: 6 encoded pages + 4 raw samples. All raw it would be 1,200 B.
    expect(head.pageBytes / series).toBeLessThan(800);
  });
});
