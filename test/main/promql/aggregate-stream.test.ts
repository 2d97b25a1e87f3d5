import { describe, it, expect, afterEach } from 'vitest';
import { TSDB } from '../../../main/tsdb/db.js';
import { StaleNaN } from '../../../main/tsdb/interface.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { tempDir } from '../helpers.js';
import { bits, engine, load } from './harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Values that stress Kahan compensation, NaN handling in min/max, infinities and staleness. */
const values = [1e16, 1, -1e16, 0.1, 0.2, NaN, Infinity, -Infinity, -0, 3.5, 1e-300, 7, StaleNaN];

// `op(m)` is fused (aggregate-stream.ts); `op((m))` goes through the vector path: the two must agree exactly.
const ops = ['count', 'group', 'sum', 'min', 'max'];
const groupings = ['', ' by (g)', ' without (i)', ' by (__name__)', ' without (g, i)'];

describe('fused aggregation over a selector', () => {
  it('answers exactly as the unfused evaluation, for selectors and range functions over the on-disk TSDB (thinned reads, chunks and head)', async () => {
    const { dir, cleanup } = tempDir('vigil-fused-');
    cleanups.push(cleanup);
    const db = await TSDB.open({ dir, worker: false, maxChunkSamples: 5 });
    cleanups.push(() => db.close());
    let x = 1;
    for (let s = 0; s < 40; s++) {
      const a = db.appender();
      for (let i = 0; i < 12; i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        if (x % 5 === 0) continue; // gaps: some steps see nothing
        a.append(labelsFromRecord({ __name__: 'm', g: String(i % 3), i: String(i) }), s * 15_000, values[x % values.length]!);
      }
      await a.commit();
    }
    const e = engine();
    let compared = 0;
    for (const op of ops) {
      for (const g of groupings) {
        for (const [start, end, step] of [
          [0, 585_000, 15_000],
          [7_000, 500_000, 40_000],
        ] as const) {
          for (const inner of ['m', 'rate(m[1m])', 'increase(m[45s])', 'irate(m[2m])', 'sum_over_time(m[1m])', 'min_over_time(m[30s])', 'last_over_time(m[1m])']) {
            const fused = await e.rangeQuery(db, `${op}${g} (${inner})`, start, end, step);
            const plain = await e.rangeQuery(db, `${op}${g} ((${inner}))`, start, end, step);
            expect(bits(fused), `${op}${g} (${inner})`).toEqual(bits(plain));
            compared += bits(plain).length;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('falls back to the usual evaluation when a series holds native histograms', async () => {
    const storage = load('1m', `
      m{g="a"} 1 2 3
      m{g="b"} {{schema:0 sum:5 count:4 buckets:[1 2 1]}}x2
    `);
    const e = engine();
    for (const [q, plainQ] of [
      ['sum(m)', 'sum((m))'],
      ['count(m)', 'count((m))'],
      ['max(m)', 'max((m))'],
      ['sum(rate(m[2m]))', 'sum((rate(m[2m])))'],
      ['max(last_over_time(m[2m]))', 'max((last_over_time(m[2m])))'],
    ] as const) {
      const fused = await e.rangeQuery(storage, q, 0, 120_000, 60_000);
      const plain = await e.rangeQuery(storage, plainQ, 0, 120_000, 60_000);
      expect(JSON.stringify(fused.result)).toEqual(JSON.stringify(plain.result));
      expect(fused.infos).toEqual(plain.infos);
    }
  });
});
