import { describe, it, expect, afterEach } from 'vitest';
import { TSDB } from '../../../main/tsdb/db.js';
import { mergeParts } from '../../../main/tsdb/querier.js';
import { compareLabels, labelsFromRecord } from '../../../main/tsdb/labels.js';
import { tempDir } from '../helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function seeded(): Promise<TSDB> {
  const { dir, cleanup } = tempDir('vigil-querier-');
  cleanups.push(cleanup);
  const db = await TSDB.open({ dir, worker: false, maxChunkSamples: 3 });
  cleanups.push(() => db.close());
  const a = db.appender();
  // Appended in an order unrelated to label order.
  const sets: Record<string, string>[] = [
    { __name__: 'up', job: 'z', instance: 'b' },
    { __name__: 'up', job: 'a', instance: 'c' },
    { __name__: 'http_requests_total', job: 'a', code: '500' },
    { __name__: 'http_requests_total', job: 'a', code: '200' },
    { __name__: 'old', job: 'gone' },
  ];
  sets.forEach((r, i) => {
    const ref = a.append(labelsFromRecord(r), 0, i);
    if (r['__name__'] !== 'old') for (let k = 1; k < 10; k++) a.append(ref, k * 1000, i + k);
  });
  await a.commit();
  return db;
}

describe('TsdbQuerier', () => {
  it('returns series sorted by labels, only those with samples in range, honouring limit', async () => {
    const db = await seeded();
    const q = await db.querier(2000, 5000);
    const set = await q.select([{ op: '=~', name: '__name__', value: '.+' }]);
    const labels = set.series.map((s) => s.labels);
    expect(labels.map((l) => l.map((x) => x.value).join(','))).toEqual(['http_requests_total,200,a', 'http_requests_total,500,a', 'up,b,z', 'up,c,a']);
    expect([...labels].sort(compareLabels)).toEqual(labels);
    expect(Array.from(set.series[0]!.samples().t)).toEqual([2000, 3000, 4000, 5000]);
    expect((await q.select([{ op: '=', name: 'job', value: 'a' }], { start: 0, end: 0, limit: 2 })).series).toHaveLength(2);
    // `old` has one sample at t=0, outside the range.
    expect((await q.select([{ op: '=', name: '__name__', value: 'old' }])).series).toHaveLength(0);
  });

  it('scopes label names and values by matchers', async () => {
    const db = await seeded();
    const q = await db.querier(0, 10_000);
    expect(await q.labelNames()).toEqual(['__name__', 'code', 'instance', 'job']);
    expect(await q.labelNames([{ op: '=', name: '__name__', value: 'up' }])).toEqual(['__name__', 'instance', 'job']);
    expect(await q.labelValues('job')).toEqual(['a', 'gone', 'z']);
    expect(await q.labelValues('code', [{ op: '=', name: 'job', value: 'a' }])).toEqual(['200', '500']);
    expect(await q.labelValues('nope')).toEqual([]);
  });

  it('merges chunk and head parts, dropping a repeated overlap', () => {
    const part = (t: number[]) => ({ t: Float64Array.from(t), v: Float64Array.from(t, (x) => x / 10) });
    const m = mergeParts([part([1, 2, 3]), part([1, 2, 3, 4, 5])], 2, 4);
    expect(Array.from(m.t)).toEqual([2, 3, 4]);
    expect(Array.from(m.v)).toEqual([0.2, 0.3, 0.4]);
  });
});

describe('a wide select', () => {
  it('reads chunks in batches of series and returns every series whole, in label order', async () => {
    const { dir, cleanup } = tempDir('vigil-querier-wide-');
    cleanups.push(cleanup);
    const db = await TSDB.open({ dir, worker: false, maxChunkSamples: 4 });
    cleanups.push(() => db.close());
    const n = 2_500; // more than two batches
    const a = db.appender();
    for (let s = 0; s < n; s++) {
      const ref = a.append(labelsFromRecord({ __name__: 'w', i: String(s).padStart(4, '0') }), 0, s);
      for (let k = 1; k < 10; k++) a.append(ref, k * 1000, s + k);
    }
    await a.commit();
    await db.flush(); // sealed chunks in SQLite, not only the head
    const set = await (await db.querier(0, 9000)).select([{ op: '=', name: '__name__', value: 'w' }]);
    expect(set.series).toHaveLength(n);
    set.series.forEach((s, i) => {
      expect(s.labels[1]!.value).toBe(String(i).padStart(4, '0'));
      const { t, v } = s.samples();
      expect(Array.from(t)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
      expect(Array.from(v)).toEqual(Array.from({ length: 10 }, (_, k) => i + k));
    });
  });

  it('stops with the abort reason when its signal is aborted', async () => {
    const db = await seeded();
    const controller = new AbortController();
    controller.abort(new Error('client went away'));
    await expect((await db.querier(0, 10_000)).select([{ op: '=~', name: '__name__', value: '.+' }], { start: 0, end: 10_000, signal: controller.signal })).rejects.toThrow('client went away');
  });
});
