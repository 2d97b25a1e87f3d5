import { afterEach, describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { ScrapeManager } from '../../../main/scrape/manager.js';
import { MemoryAppendable, makeTarget } from './loop-fixtures.js';

const until = async (what: string, cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 400; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};

const target = (host: string, job = 'node') =>
  makeTarget({
    job,
    url: `http://${host}/metrics`,
    labels: labelsFromRecord({ job, instance: host }),
    discoveredLabels: labelsFromRecord({ __address__: host, __meta_x: 'y' }),
    interval: 30,
    timeout: 20,
  });

describe('scrape manager', () => {
  let manager: ScrapeManager | null = null;
  afterEach(async () => {
    await manager?.stop();
  });

  it('starts new targets, keeps unchanged ones and stops removed ones with staleness markers', async () => {
    const db = new MemoryAppendable();
    const fetched: string[] = [];
    manager = new ScrapeManager({
      appendable: db,
      fetch: async (req) => {
        fetched.push(req.url);
        return { body: Buffer.from(`m{u="${req.url}"} 1\n`), contentType: 'text/plain' };
      },
    });
    const m = manager;
    await m.sync([target('a:1'), target('b:1')], [{ job: 'node', discoveredLabels: labelsFromRecord({ __address__: 'c:1' }), relabelSteps: () => [] }]);
    await until('both targets scraped', () => m.targets().activeTargets.every((t) => t.health === 'up'));
    const loopA = m.loop(target('a:1').key);
    expect(loopA).toBeDefined();

    await m.sync([target('a:1')]);
    expect(m.loop(target('a:1').key)).toBe(loopA); // same loop object: cache and staleness kept
    expect(m.targets().activeTargets.map((t) => t.scrapeUrl)).toEqual(['http://a:1/metrics']);
    expect(db.staleSeries()).toContain('up{instance="b:1", job="node"}');
    expect(db.staleSeries()).toContain('m{instance="b:1", job="node", u="http://b:1/metrics"}');
    expect(db.staleSeries().some((s) => s.includes('a:1'))).toBe(false);

    const before = fetched.filter((u) => u.includes('b:1')).length;
    await new Promise((r) => setTimeout(r, 100));
    expect(fetched.filter((u) => u.includes('b:1')).length).toBe(before); // the removed loop is gone
  });

  it('answers in the shape of /api/v1/targets and counts its own work', async () => {
    const db = new MemoryAppendable();
    manager = new ScrapeManager({
      appendable: db,
      fetch: async (req) => {
        if (req.url.includes('bad')) throw new Error('boom');
        return { body: Buffer.from('# HELP x The x.\n# TYPE x gauge\nx 1\ny 2\n'), contentType: 'text/plain' };
      },
    });
    const m = manager;
    await m.sync([target('good:1'), target('bad:1', 'other')], [{ job: 'node', discoveredLabels: labelsFromRecord({ __address__: 'c:1' }), relabelSteps: () => [] }]);
    const before = m.targets();
    expect(before.activeTargets.map((t) => [t.health, t.lastScrape])).toEqual([
      ['unknown', '0001-01-01T00:00:00Z'],
      ['unknown', '0001-01-01T00:00:00Z'],
    ]);
    await until('both scraped', () => m.targets().activeTargets.every((t) => t.health !== 'unknown'));
    const res = m.targets();
    expect(res.droppedTargets).toEqual([{ discoveredLabels: { __address__: 'c:1' } }]);
    const good = res.activeTargets.find((t) => t.scrapeUrl === 'http://good:1/metrics')!;
    expect(good).toMatchObject({
      discoveredLabels: { __address__: 'good:1', __meta_x: 'y' },
      labels: { instance: 'good:1', job: 'node' },
      scrapePool: 'node',
      globalUrl: 'http://good:1/metrics',
      lastError: '',
      health: 'up',
      scrapeInterval: '30ms',
      scrapeTimeout: '20ms',
    });
    expect(Number.isNaN(Date.parse(good.lastScrape))).toBe(false);
    expect(good.lastScrapeDuration).toBeGreaterThanOrEqual(0);
    const bad = res.activeTargets.find((t) => t.scrapePool === 'other')!;
    expect(bad).toMatchObject({ health: 'down', lastError: 'boom' });
    const self = m.selfMetrics();
    expect(self.activeTargets).toBe(2);
    expect(self.scrapesTotal).toBeGreaterThanOrEqual(2);
    expect(self.failuresTotal.error).toBeGreaterThanOrEqual(1);
    expect(self.samplesAppendedTotal).toBeGreaterThanOrEqual(2);
    expect(self.cacheEntries).toBe(2);
    expect(m.metadata()).toEqual({ x: [{ type: 'gauge', help: 'The x.', unit: '' }] });
    expect(m.metadata('y')).toEqual({});
  });
});
