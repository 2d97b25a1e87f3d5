import { describe, expect, it } from 'vitest';
import { parseExpr } from '../../../app/promql/parser.js';
import { PromQLEngine } from '../../../main/promql/engine.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import { OverlayStorage } from '../../../main/rules/overlay-storage.js';
import { isStaleNaN, StaleNaN, type Appendable, type Appender, type Matcher, type Querier, type Queryable } from '../../../main/tsdb/interface.js';
import { labelsFromRecord, labelsToRecord } from '../../../main/tsdb/labels.js';

/** A real-storage stand-in that reads from memory and throws if anyone tries to write to it. */
class ReadOnlyReal implements Queryable, Appendable {
  readonly mem = new MemoryStorage();
  appenderCalls = 0;
  appender(): Appender {
    this.appenderCalls++;
    throw new Error('the real storage must never be written by an overlay');
  }
  querier(mint: number, maxt: number): Promise<Querier> {
    return this.mem.querier(mint, maxt);
  }
}

const L = labelsFromRecord;
const eq = (name: string, value: string): Matcher => ({ op: '=', name, value });

async function read(q: Queryable, matchers: Matcher[], limit?: number) {
  const querier = await q.querier(0, 1_000);
  const set = await querier.select(matchers, limit === undefined ? undefined : { start: 0, end: 1_000, limit });
  querier.close();
  return set.series.map((s) => {
    const { t, v } = s.samples();
    return { labels: labelsToRecord(s.labels), t: [...t], v: Array.from(v) };
  });
}

function setup(shadowReal = false) {
  const real = new ReadOnlyReal();
  real.mem.add(L({ __name__: 'x', a: '1' }), 0, 1);
  real.mem.add(L({ __name__: 'x', a: '1' }), 10, 2);
  real.mem.add(L({ __name__: 'x', a: '1' }), 20, 3);
  real.mem.add(L({ __name__: 'x', a: '3' }), 5, 30);
  real.mem.add(L({ __name__: 'y', env: 'prod' }), 0, 9);
  return { real, ov: new OverlayStorage(real, { shadowReal }) };
}

describe('OverlayStorage', () => {
  it('merges series present on both sides by timestamp, the overlay winning ties', async () => {
    const { ov } = setup();
    ov.add(L({ __name__: 'x', a: '1' }), 10, 99);
    ov.add(L({ __name__: 'x', a: '1' }), 15, 7);
    ov.add(L({ __name__: 'x', a: '2' }), 1, 5);
    expect(await read(ov, [eq('__name__', 'x')])).toEqual([
      { labels: { __name__: 'x', a: '1' }, t: [0, 10, 15, 20], v: [1, 99, 7, 3] },
      { labels: { __name__: 'x', a: '2' }, t: [1], v: [5] },
      { labels: { __name__: 'x', a: '3' }, t: [5], v: [30] },
    ]);
    expect(await read(ov, [eq('__name__', 'x')], 2)).toHaveLength(2);
  });

  it('can let overlay series hide real ones entirely', async () => {
    const { ov } = setup(true);
    ov.add(L({ __name__: 'x', a: '1' }), 15, 7);
    expect((await read(ov, [eq('a', '1')]))[0]).toEqual({ labels: { __name__: 'x', a: '1' }, t: [15], v: [7] });
  });

  it('keeps stale markers through the merge', async () => {
    const { ov } = setup();
    ov.add(L({ __name__: 'x', a: '1' }), 25, StaleNaN);
    const querier = await ov.querier(0, 1_000);
    const s = (await querier.select([eq('a', '1')])).series[0]!.samples();
    expect(isStaleNaN(s.v[s.v.length - 1]!)).toBe(true);
  });

  it('sends appends to the overlay only; the real storage is never written', async () => {
    const { real, ov } = setup();
    const app = ov.appender();
    app.append(L({ __name__: 'x', a: '1' }), 30, 4);
    app.append(L({ __name__: 'ALERTS', alertname: 'A' }), 30, 1);
    await app.commit();
    expect(real.appenderCalls).toBe(0);
    expect(await read(real, [eq('__name__', 'ALERTS')])).toEqual([]);
    expect((await read(real, [eq('a', '1')]))[0]!.t).toEqual([0, 10, 20]);
    expect((await read(ov, [eq('a', '1')]))[0]!.t).toEqual([0, 10, 20, 30]);
    expect(await read(ov, [eq('__name__', 'ALERTS')])).toHaveLength(1);
  });

  it('unions label names and values', async () => {
    const { ov } = setup();
    ov.add(L({ __name__: 'z', zone: 'eu', env: 'drill' }), 0, 1);
    const q = await ov.querier(0, 1_000);
    expect(await q.labelNames()).toEqual(['__name__', 'a', 'env', 'zone']);
    expect(await q.labelValues('env')).toEqual(['drill', 'prod']);
    expect(await q.labelValues('__name__')).toEqual(['x', 'y', 'z']);
    expect(await q.labelValues('a', [eq('__name__', 'x')])).toEqual(['1', '3']);
  });

  it('answers PromQL over both sides', async () => {
    const { ov } = setup();
    ov.add(L({ __name__: 'x', a: '2' }), 20, 100);
    const engine = new PromQLEngine({ parse: (q) => parseExpr(q) });
    const r = await engine.instantQuery(ov, 'sum(x)', 20);
    expect(r.result.type === 'vector' ? r.result.samples.map((s) => s.v) : r.result).toEqual([133]);
  });
});
