import { describe, it, expect, afterEach } from 'vitest';
import { TSDB } from '../../../main/tsdb/db.js';
import { StaleNaN, isStaleNaN, type LookbackPoints } from '../../../main/tsdb/interface.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { thinInto } from '../../../main/tsdb/lookback.js';
import { tempDir } from '../helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** What an instant selector answers at each time: the picked sample's time and value bits, or null. */
function picks(t: Float64Array, v: Float64Array, p: LookbackPoints): (string | null)[] {
  return Array.from(p.times, (at) => {
    let k = -1;
    for (let j = 0; j < t.length && t[j]! <= at; j++) k = j;
    if (k < 0 || t[k]! <= at - p.delta) return null;
    return `${t[k]}:${isStaleNaN(v[k]!) ? 'stale' : v[k]}`;
  });
}

/** Deterministic pseudo-random numbers (tests must not depend on Math.random's seed). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomCase(r: () => number): { t: Float64Array; v: Float64Array; p: LookbackPoints } {
  const n = Math.floor(r() * 40);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let at = Math.floor(r() * 100);
  for (let i = 0; i < n; i++) {
    at += 1 + Math.floor(r() * 30);
    t[i] = at;
    v[i] = r() < 0.15 ? StaleNaN : Math.floor(r() * 100);
  }
  const steps = 1 + Math.floor(r() * 20);
  const times = new Float64Array(steps);
  let T = Math.floor(r() * 200);
  const step = Math.floor(r() * 40); // 0: every step at the same time, as `@` pins them
  for (let i = 0; i < steps; i++) times[i] = T += i === 0 ? 0 : step;
  return { t, v, p: { times, delta: 1 + Math.floor(r() * 60) } };
}

describe('lookback thinning', () => {
  it('keeps exactly what an instant selector picks, at most one sample per time, stale markers intact', () => {
    const r = rng(18);
    for (let c = 0; c < 2000; c++) {
      const { t, v, p } = randomCase(r);
      const ot = new Float64Array(t.length);
      const ov = new Float64Array(t.length);
      const k = thinInto(t, v, 0, t.length, p, ot, ov, 0);
      expect(k).toBeLessThanOrEqual(p.times.length);
      expect(picks(ot.subarray(0, k), ov.subarray(0, k), p)).toEqual(picks(t, v, p));
      // Idempotent, and older samples put in front of a thinned tail thin to the same set.
      const cut = Math.floor(t.length / 2);
      const tail = new Float64Array(t.length);
      const tailV = new Float64Array(t.length);
      const m = thinInto(t, v, cut, t.length, p, tail, tailV, 0);
      const joinedT = Float64Array.from([...t.subarray(0, cut), ...tail.subarray(0, m)]);
      const joinedV = new Float64Array(joinedT.length);
      joinedV.set(v.subarray(0, cut));
      joinedV.set(tailV.subarray(0, m), cut);
      const again = new Float64Array(joinedT.length);
      const againV = new Float64Array(joinedT.length);
      const k2 = thinInto(joinedT, joinedV, 0, joinedT.length, p, again, againV, 0);
      expect(Array.from(again.subarray(0, k2))).toEqual(Array.from(ot.subarray(0, k)));
    }
  });

  it('a thinned select of chunks and head answers as the full one does', async () => {
    const { dir, cleanup } = tempDir('vigil-lookback-');
    cleanups.push(cleanup);
    const db = await TSDB.open({ dir, worker: false, maxChunkSamples: 7 });
    cleanups.push(() => db.close());
    const r = rng(7);
    for (let s = 0; s < 60; s++) {
      const a = db.appender();
      for (let i = 0; i < 20; i++) {
        if (r() < 0.3) continue; // gaps longer than the lookback in some series
        a.append(labelsFromRecord({ __name__: 'm', i: String(i) }), s * 10_000, r() < 0.1 ? StaleNaN : s * 100 + i);
      }
      await a.commit();
    }
    for (const [mint, maxt, step, delta] of [
      [0, 590_000, 20_000, 30_000],
      [100_000, 100_000, 1, 300_000],
      [55_000, 400_000, 35_000, 20_000],
    ] as const) {
      const times = new Float64Array(Math.floor((maxt - mint) / step) + 1).map((_, i) => mint + i * step);
      const p = { times, delta };
      const q = await db.querier(mint - delta + 1, maxt);
      const full = await q.select([{ op: '=', name: '__name__', value: 'm' }]);
      const thin = await q.select([{ op: '=', name: '__name__', value: 'm' }], { start: mint - delta + 1, end: maxt, lookback: p });
      expect(thin.series.map((s) => s.labels)).toEqual(full.series.map((s) => s.labels));
      let fewer = false;
      full.series.forEach((s, i) => {
        const a = s.samples();
        const b = thin.series[i]!.samples();
        expect(picks(b.t, b.v, p)).toEqual(picks(a.t, a.v, p));
        if (b.t.length < a.t.length) fewer = true;
      });
      expect(fewer).toBe(true);
    }
  });
});
