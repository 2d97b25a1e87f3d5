import { describe, expect, it } from 'vitest';
import { StorageUnavailableError, isStaleNaN } from '../../../main/tsdb/interface.js';
import { labelsFromRecord, type Labels } from '../../../main/tsdb/labels.js';
import { ScrapeLoop, scrapeOffset, scrapeSlotMs } from '../../../main/scrape/loop.js';
import { ScrapeHttpError } from '../../../main/scrape/http.js';
import { MemoryAppendable, makeTarget, pageFetcher, steppingClock } from './loop-fixtures.js';

const base = { job: 'node', instance: 'host:9100' };

describe('scrape loop', () => {
  it('relabels a series once, then serves repeat scrapes from the cache', async () => {
    const db = new MemoryAppendable();
    const { fetch } = pageFetcher('a{x="1"} 1\na{x="2"} 2\ndrop_me 3\n');
    let relabelCalls = 0;
    const metricRelabel = (l: Labels) => {
      relabelCalls++;
      return l.some((x) => x.value === 'drop_me') ? null : l;
    };
    const loop = new ScrapeLoop(makeTarget({ metricRelabel }), { appendable: db, fetch, now: steppingClock() });
    const r1 = await loop.scrapeOnce();
    expect(r1).toMatchObject({ up: true, counts: { total: 3, added: 2, seriesAdded: 2 } });
    expect(relabelCalls).toBe(3);
    const r2 = await loop.scrapeOnce();
    expect(r2).toMatchObject({ up: true, counts: { total: 3, added: 2, seriesAdded: 0 } });
    expect(relabelCalls).toBe(3); // cache hits and remembered drops: no relabeling at all
    expect(db.samples({ __name__: 'a', x: '2', ...base }).map((s) => s.v)).toEqual([2, 2]);
    expect(db.samples({ __name__: 'drop_me', ...base })).toEqual([]);
    expect(loop.cacheSize).toBe(3);
  });

  it('forgets cache entries not seen for two scrapes', async () => {
    const db = new MemoryAppendable();
    const { page, fetch } = pageFetcher('a 1\nb 1\n');
    const loop = new ScrapeLoop(makeTarget(), { appendable: db, fetch, now: steppingClock() });
    await loop.scrapeOnce();
    page.body = 'a 1\n';
    await loop.scrapeOnce();
    expect(loop.cacheSize).toBe(2);
    await loop.scrapeOnce();
    expect(loop.cacheSize).toBe(1);
  });

  it('writes a staleness marker for a series that disappears, once', async () => {
    const db = new MemoryAppendable();
    const t0 = 1_700_000_000_000;
    const { page, fetch } = pageFetcher(`a 1\nb 2\nwith_ts 5 ${t0}\n`);
    const loop = new ScrapeLoop(makeTarget(), { appendable: db, fetch, now: steppingClock(t0) });
    await loop.scrapeOnce();
    page.body = 'a 1\n';
    const r = await loop.scrapeOnce();
    expect(r.staleMarkers).toBe(1);
    expect(db.staleSeries()).toEqual(['b{instance="host:9100", job="node"}']);
    // A series with its own timestamp bypasses staleness, as in Prometheus.
    expect(db.samples({ __name__: 'with_ts', ...base })).toEqual([{ t: t0, v: 5 }]);
    await loop.scrapeOnce();
    expect(db.samples({ __name__: 'b', ...base })).toHaveLength(2);
    // A series that comes back is just appended again.
    page.body = 'a 1\nb 3\n';
    await loop.scrapeOnce();
    expect(db.last({ __name__: 'b', ...base })).toBe(3);
  });

  it('attaches target labels and resolves conflicts per honor_labels', async () => {
    const body = 'm{job="page",instance="p:1",exported_job="x",other="o"} 1\n';
    const plain = new MemoryAppendable();
    await new ScrapeLoop(makeTarget(), { appendable: plain, fetch: pageFetcher(body).fetch }).scrapeOnce();
    expect(plain.committedSeries()).toContain(
      // `exported_job` is taken by the page, so the page's `job` moves one prefix further.
      'm{exported_exported_job="page", exported_instance="p:1", exported_job="x", instance="host:9100", job="node", other="o"}',
    );
    const honored = new MemoryAppendable();
    await new ScrapeLoop(makeTarget({ honorLabels: true }), { appendable: honored, fetch: pageFetcher(body).fetch }).scrapeOnce();
    expect(honored.committedSeries()).toContain('m{exported_job="x", instance="p:1", job="page", other="o"}');
    // A target label the page lacks is added either way.
    expect(honored.committedSeries()).toContain('up{instance="host:9100", job="node"}');
  });

  it('honors or overrides exposed timestamps', async () => {
    const own = Date.now() - 60_000;
    const body = `m 1 ${own}\n`;
    const a = new MemoryAppendable();
    await new ScrapeLoop(makeTarget(), { appendable: a, fetch: pageFetcher(body).fetch }).scrapeOnce();
    expect(a.samples({ __name__: 'm', ...base })[0]!.t).toBe(own);
    const b = new MemoryAppendable();
    await new ScrapeLoop(makeTarget({ honorTimestamps: false }), { appendable: b, fetch: pageFetcher(body).fetch }).scrapeOnce();
    expect(b.samples({ __name__: 'm', ...base })[0]!.t).toBeGreaterThan(own);
  });

  it('writes the synthetic series with the target labels', async () => {
    const db = new MemoryAppendable();
    const { page, fetch } = pageFetcher('a 1\nb 2\nc 3\n');
    const loop = new ScrapeLoop(makeTarget({ metricRelabel: (l: Labels) => (l[0]!.value === 'c' ? null : l) }), { appendable: db, fetch, now: steppingClock() });
    await loop.scrapeOnce();
    const val = (name: string) => db.last({ __name__: name, ...base });
    expect(val('up')).toBe(1);
    expect(val('scrape_samples_scraped')).toBe(3);
    expect(val('scrape_samples_post_metric_relabeling')).toBe(2);
    expect(val('scrape_series_added')).toBe(2);
    expect(val('scrape_duration_seconds')).toBeGreaterThan(0);
    const t = db.samples({ __name__: 'up', ...base })[0]!.t;
    expect(db.samples({ __name__: 'a', ...base })[0]!.t).toBe(t); // one scrape, one timestamp
    page.body = 'a 1\nb 2\nc 3\nd 4\n';
    await loop.scrapeOnce();
    expect(val('scrape_series_added')).toBe(1);
    expect(loop.state()).toMatchObject({ health: 'up', lastError: '', lastSamples: 3 });
  });

  it('on a failed scrape reports up 0, marks every series stale and keeps the error', async () => {
    const db = new MemoryAppendable();
    const { page, fetch } = pageFetcher('a 1\nb 2\n');
    const loop = new ScrapeLoop(makeTarget(), { appendable: db, fetch, now: steppingClock() });
    await loop.scrapeOnce();
    page.fail = new ScrapeHttpError('http_status', 'server returned HTTP status 503 Service Unavailable');
    const r = await loop.scrapeOnce();
    expect(r).toMatchObject({ up: false, failure: 'http_status', staleMarkers: 2 });
    expect(db.last({ __name__: 'up', ...base })).toBe(0);
    expect(db.last({ __name__: 'scrape_samples_scraped', ...base })).toBe(0);
    expect(db.staleSeries()).toEqual(['a{instance="host:9100", job="node"}', 'b{instance="host:9100", job="node"}']);
    expect(loop.state()).toMatchObject({ health: 'down', lastError: 'server returned HTTP status 503 Service Unavailable' });
    // A second failure does not repeat the markers.
    expect((await loop.scrapeOnce()).staleMarkers).toBe(0);
  });

  it('commits nothing of a page that breaks a limit, with Prometheus wording', async () => {
    const cases: [Partial<ReturnType<typeof makeTarget>['limits']>, string, string][] = [
      [{ sampleLimit: 2 }, 'a 1\nb 2\nc 3\n', 'sample limit exceeded'],
      [{ labelLimit: 3 }, 'ok 1\nm{a="1",b="2"} 1\n', 'label_limit exceeded (metric: m, number of labels: 5, limit: 3)'],
      // As in Prometheus, __name__ counts too.
      [{ labelNameLengthLimit: 5 }, 'm 1\n', 'label_name_length_limit exceeded (metric: m, label name: __name__, length: 8, limit: 5)'],
      [{ labelNameLengthLimit: 8 }, 'm{abcdefghi="1"} 1\n', 'label_name_length_limit exceeded (metric: m, label name: abcdefghi, length: 9, limit: 8)'],
      [{ labelValueLengthLimit: 4 }, 'm{a="ééé"} 1\n', 'label_value_length_limit exceeded (metric: m, label name: a, value: "ééé", length: 6, limit: 4)'],
      [{}, 'm{a="1" 1\n', 'line 1: expected comma or "}" after label value, got "1"'],
    ];
    for (const [limits, body, message] of cases) {
      const db = new MemoryAppendable();
      const loop = new ScrapeLoop(makeTarget({ limits: { ...makeTarget().limits, ...limits } }), { appendable: db, fetch: pageFetcher(body).fetch });
      const r = await loop.scrapeOnce();
      expect(r.error).toBe(message);
      expect(db.committedSeries().every((s) => s.startsWith('up') || s.startsWith('scrape_'))).toBe(true);
      expect(db.last({ __name__: 'up', ...base })).toBe(0);
    }
  });

  it('fails a scrape whose relabeling removes the metric name', async () => {
    const db = new MemoryAppendable();
    const loop = new ScrapeLoop(makeTarget({ metricRelabel: (l: Labels) => l.filter((x: Labels[number]) => x.name !== '__name__') }), {
      appendable: db,
      fetch: pageFetcher('a 1\n').fetch,
    });
    expect((await loop.scrapeOnce()).error).toBe('missing metric name (__name__ label)');
  });

  it('marks every series and the synthetic ones stale when stopped', async () => {
    const db = new MemoryAppendable();
    const loop = new ScrapeLoop(makeTarget(), { appendable: db, fetch: pageFetcher('a 1\n').fetch });
    await loop.scrapeOnce();
    await loop.stop();
    expect(db.staleSeries()).toEqual([
      'a{instance="host:9100", job="node"}',
      'scrape_duration_seconds{instance="host:9100", job="node"}',
      'scrape_samples_post_metric_relabeling{instance="host:9100", job="node"}',
      'scrape_samples_scraped{instance="host:9100", job="node"}',
      'scrape_series_added{instance="host:9100", job="node"}',
      'up{instance="host:9100", job="node"}',
    ]);
    expect(db.samples({ __name__: 'up', ...base }).map((s) => isStaleNaN(s.v))).toEqual([false, true]);
  });

  it('skips samples storage rejects and keeps the rest', async () => {
    const db = new MemoryAppendable();
    const t = Date.now() - 5000;
    const loop = new ScrapeLoop(makeTarget(), { appendable: db, fetch: pageFetcher(`a 1 ${t}\na 2 ${t - 1000}\nb 1\n`).fetch });
    const r = await loop.scrapeOnce();
    expect(r).toMatchObject({ up: true, counts: { total: 3, added: 2, rejected: 1, outOfBounds: 0 } });
  });

  it('skips samples timestamped outside the head window as out of bounds and keeps the rest', async () => {
    const db = new MemoryAppendable();
    const now = 1_700_000_000_000;
    const yearAgo = now - 365 * 86_400_000;
    const page = `old 1 ${yearAgo}\nfuture 1 ${now + 3_600_000}\nrecent 1 ${now - 60_000}\nplain 1\n`;
    const loop = new ScrapeLoop(makeTarget(), { appendable: db, fetch: pageFetcher(page).fetch, now: () => now });
    const r = await loop.scrapeOnce();
    expect(r).toMatchObject({ up: true, error: '', counts: { total: 4, added: 2, rejected: 2, outOfBounds: 2 } });
    expect(db.samples({ __name__: 'old', ...base })).toEqual([]);
    expect(db.samples({ __name__: 'future', ...base })).toEqual([]);
    expect(db.samples({ __name__: 'recent', ...base })).toEqual([{ t: now - 60_000, v: 1 }]);
  });

  it('rejects a page with a label value that is not UTF-8, as Prometheus does', async () => {
    const db = new MemoryAppendable();
    const body = Buffer.concat([Buffer.from('ok 1\nbad{v="'), Buffer.from([0x61, 0xff, 0xfe]), Buffer.from('"} 1\n')]);
    const loop = new ScrapeLoop(makeTarget(), {
      appendable: db,
      fetch: () => Promise.resolve({ body, contentType: 'text/plain; version=0.0.4' }),
    });
    const r = await loop.scrapeOnce();
    expect(r).toMatchObject({ up: false, failure: 'parse', error: 'line 2: invalid UTF-8 label value' });
    expect(db.samples({ __name__: 'ok', ...base })).toEqual([]);
    // Valid multi-byte UTF-8 is fine.
    const good = new ScrapeLoop(makeTarget(), { appendable: db, fetch: pageFetcher('city{name="Zürich 東京"} 1\n').fetch });
    expect(await good.scrapeOnce()).toMatchObject({ up: true });
    expect(db.samples({ __name__: 'city', name: 'Zürich 東京', ...base })).toHaveLength(1);
  });

  it('reports a storage failure on commit and recovers on the next scrape', async () => {
    const db = new MemoryAppendable();
    let failNext = true;
    const flaky = {
      appender: () => {
        const app = db.appender();
        return {
          ...app,
          commit: async () => {
            if (failNext) {
              failNext = false;
              app.rollback();
              throw new StorageUnavailableError('disk full');
            }
            await app.commit();
          },
        };
      },
    };
    const loop = new ScrapeLoop(makeTarget(), { appendable: flaky, fetch: pageFetcher('a 1\n').fetch, now: steppingClock() });
    expect(await loop.scrapeOnce()).toMatchObject({ up: false, failure: 'storage', error: 'storage: disk full' });
    expect(loop.state().health).toBe('down');
    expect(await loop.scrapeOnce()).toMatchObject({ up: true, counts: { added: 1, seriesAdded: 1 } });
    expect(db.last({ __name__: 'a', ...base })).toBe(1);
  });

  it('handles a page bigger than one time slice', async () => {
    const db = new MemoryAppendable();
    const body = Array.from({ length: 1000 }, (_, i) => `s{i="${i}"} ${i}`).join('\n');
    const loop = new ScrapeLoop(makeTarget(), { appendable: db, fetch: pageFetcher(body).fetch, sliceMs: 0 });
    expect((await loop.scrapeOnce()).counts.added).toBe(1000);
  });
});

describe('scrape offset', () => {
  it('is a stable phase within the interval, different across targets', () => {
    const offs = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const key = `job\u0000http://h${i}:9100/metrics`;
      const o = scrapeOffset(key, 15_000, 1_000_000);
      expect(o).toBeGreaterThanOrEqual(0);
      expect(o).toBeLessThanOrEqual(15_000);
      // Same phase later: start time + offset is the same modulo the interval.
      expect((1_000_000 + o) % 15_000).toBe((1_007_777 + scrapeOffset(key, 15_000, 1_007_777)) % 15_000);
      offs.add(o);
    }
    expect(offs.size).toBeGreaterThan(40);
  });

  it("with 'slots' puts targets on at most 8 phases an interval, 1 s or more apart, stable over time", () => {
    for (const [interval, slot, maxPhases] of [[15_000, 1875, 8], [5_000, 1000, 5], [1_000, 1000, 1], [60_000, 7500, 8]] as const) {
      expect(scrapeSlotMs(interval)).toBe(slot);
      const phases = new Set<number>();
      for (let i = 0; i < 200; i++) {
        const key = `job\u0000http://h${i}:9100/metrics`;
        const now = 1_000_000 + i * 37;
        const o = scrapeOffset(key, interval, now, 0, 'slots');
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o).toBeLessThanOrEqual(interval);
        const phase = (now + o) % interval;
        expect(phase % slot).toBe(0);
        expect((now + 12_345 + scrapeOffset(key, interval, now + 12_345, 0, 'slots')) % interval).toBe(phase);
        phases.add(phase);
      }
      expect(phases.size).toBe(maxPhases);
    }
  });
});

describe('labels helper', () => {
  it('builds sorted target labels', () => {
    expect(labelsFromRecord({ b: '1', a: '2' }).map((l) => l.name)).toEqual(['a', 'b']);
  });
});
