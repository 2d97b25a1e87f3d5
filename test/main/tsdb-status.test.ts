// The cardinality explorer's channel: top metric names by series in the index, and for those,
// active series now against a day ago.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine.js';
import { silentLogger } from '../../main/util/log.js';
import { tempDir } from './helpers.js';

describe('tsdbStatus channel', () => {
  let engine: Engine | null = null;
  let cleanup = (): void => {};
  const now = Date.now();
  const day = 86_400_000;

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    engine = await Engine.start({ dataDir: t.dir, shell: 'test', logger: silentLogger, inProcessStorage: true });
    const app = engine.tsdb.appender();
    const s = (name: string, i: number) => [
      { name: '__name__', value: name },
      { name: 'i', value: String(i) },
    ];
    // requests: 3 series a day ago, 5 now; errors: 2 a day ago, none now; new_metric: only now.
    for (let i = 0; i < 3; i++) app.append(s('requests', i), now - day - 60_000, 1);
    for (let i = 0; i < 2; i++) app.append(s('errors', i), now - day - 60_000, 1);
    await app.commit();
    const app2 = engine.tsdb.appender();
    for (let i = 0; i < 5; i++) app2.append(s('requests', i), now - 30_000, 2);
    app2.append(s('new_metric', 0), now - 30_000, 2);
    await app2.commit();
  });
  afterAll(async () => {
    await engine?.stop();
    cleanup();
  });

  it('ranks metric names and compares them with a day ago', async () => {
    const r = await engine!.api.tsdbStatus({ limit: 3, sinceYesterday: true });
    expect(r.headStats.numSeries).toBe(8);
    expect(r.seriesCountByMetricName).toEqual([
      { name: 'requests', value: 5 },
      { name: 'errors', value: 2 },
      { name: 'new_metric', value: 1 },
    ]);
    expect(r.sinceYesterday).toEqual([
      { name: 'requests', now: 5, dayAgo: 3 },
      { name: 'errors', now: 0, dayAgo: 2 },
      { name: 'new_metric', now: 1, dayAgo: 0 },
    ]);
    const plain = await engine!.api.tsdbStatus({});
    expect(plain.sinceYesterday).toBeUndefined();
    expect(plain.seriesCountByLabelValuePair.slice(0, 2)).toEqual([
      { name: '__name__=requests', value: 5 },
      { name: 'i=0', value: 3 },
    ]);
  });

  it('says how far back the stored data reaches', async () => {
    // requests' chunks from a day ago were sealed when the newer samples arrived in a later window.
    await engine!.tsdb.flush();
    const status = await engine!.api.status({});
    expect(status.costs!.retention.oldestSampleMs).toBe(now - day - 60_000);
  });
});
