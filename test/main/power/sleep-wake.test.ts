// A sleep simulated in headless mode: the engine's wall clock jumps an hour ahead while its
// monotonic clock does not, as after a suspend. Target `a` stays up; target `b` goes down during
// the "sleep". Nothing may page because of the sleep alone — `absent(up{job="a"})` and
// `up == 0` for `a` must not fire after the wake, a pending `for: 30m` must stay pending — while
// the "while you were away" summary lists `b` as down and its TargetDown alert as new.
import { describe, it, expect, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { labelsToRecord } from '../../../main/tsdb/labels.js';
import { tempDir } from '../helpers.js';
import { until } from '../interop/peers.js';

const rules = `groups:
  - name: wake
    interval: 1s
    rules:
      - alert: TargetDown
        expr: up == 0
      - alert: JobAbsent
        expr: absent(up{job="a"})
      - alert: LongPending
        expr: vector(1)
        for: 30m
`;

async function serveMetrics(): Promise<{ server: Server; address: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end('demo_value 1\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Alert names of ALERTS samples at or after `fromMs`, with their instance. */
async function alertsSince(engine: Engine, fromMs: number): Promise<string[]> {
  const q = await engine.tsdb.querier(fromMs, fromMs + 4 * 3_600_000);
  try {
    const set = await q.select([{ op: '=', name: '__name__', value: 'ALERTS' }]);
    const out: string[] = [];
    for (const s of set.series) {
      const l = labelsToRecord(s.labels);
      const { t, v } = s.samples();
      for (let i = 0; i < t.length; i++) if (t[i]! >= fromMs && v[i] === 1) out.push(`${l['alertname']}/${l['alertstate']}/${l['job'] ?? ''}`);
    }
    return [...new Set(out)].sort();
  } finally {
    q.close();
  }
}

describe('sleep and wake (headless, clock jump)', () => {
  const { dir, cleanup } = tempDir('vigil-sleep-');
  let engine: Engine | null = null;
  const servers: Server[] = [];

  afterAll(async () => {
    await engine?.stop();
    for (const s of servers) s.close();
    cleanup();
  });

  it('pages for nothing the sleep caused and summarises what really changed', async () => {
    const a = await serveMetrics();
    const b = await serveMetrics();
    servers.push(a.server, b.server);
    writeFileSync(join(dir, 'rules.yml'), rules);
    const configFile = join(dir, 'vigil.yml');
    writeFileSync(
      configFile,
      `global:\n  scrape_interval: 5s\n  evaluation_interval: 1s\nrule_files: ['${join(dir, 'rules.yml')}']\nscrape_configs:\n` +
        `  - job_name: a\n    static_configs: [{ targets: ['${a.address}'] }]\n` +
        `  - job_name: b\n    static_configs: [{ targets: ['${b.address}'] }]\n`,
    );
    let offset = 0;
    engine = await Engine.start({
      dataDir: join(dir, 'data'),
      configFile,
      shell: 'test',
      inProcessStorage: true,
      logger: silentLogger,
      clock: { wall: () => Date.now() + offset, mono: () => performance.now() },
      sleepCheckMs: 200,
    });
    const e = engine;
    await e.startCollection({ selfAddress: '127.0.0.1:1', externalURL: 'http://127.0.0.1:1' });

    // Both targets up, and a rule evaluation since that saw them.
    await until(() => {
      const t = e.collection!.scrape.targets().activeTargets;
      return t.length === 2 && t.every((x) => x.health === 'up') ? true : null;
    }, 'both targets up');
    const upSince = e.clock.now();
    await until(() => (e.alertingRuntime!.ruleManager.evaluatedSince(upSince + 1000) ? true : null), 'an evaluation with both targets up');
    expect(e.alertingRuntime!.firing().map((l) => l['alertname'])).toEqual([]);

    // Right after a scrape of `a`, so that without the wake gate the rules would run (every
    // second) on an hour-old `up` long before the next scrape (5 s): b goes down and the machine
    // sleeps for an hour, in the same turn of the event loop.
    const lastScrapeOfA = () => e.collection!.scrape.targets().activeTargets.find((t) => t.scrapePool === 'a')!.lastScrape;
    const seen = lastScrapeOfA();
    await until(() => (lastScrapeOfA() !== seen ? true : null), 'a fresh scrape of a', 15_000, 10);
    b.server.close();
    b.server.closeAllConnections();
    const sleptAt = e.clock.now();
    offset += 3_600_000;
    const wokeAt = sleptAt + 3_600_000;

    const power = await until(async () => {
      const p = await e.api.power({});
      return p.away !== null ? p : null;
    }, 'the away summary');
    const away = power.away!;
    expect(away.gap.toMs - away.gap.fromMs).toBeGreaterThanOrEqual(3_600_000 - 1000);
    expect(away.gap.toMs).toBeGreaterThanOrEqual(wokeAt);
    expect(away.targetsDown).toEqual([expect.objectContaining({ scrapePool: 'b', scrapeUrl: `http://${b.address}/metrics`, wasUp: true })]);
    expect(away.newlyFiring.map((x) => `${x.labels['alertname']}/${x.labels['job']}`)).toEqual(['TargetDown/b']);
    expect(away.series.after).toBeGreaterThanOrEqual(away.series.before);

    // Nothing but b's real outage fired after the wake; the 30m `for` did not count the hour asleep.
    const after = await alertsSince(e, sleptAt + 1);
    expect(after).toEqual(['LongPending/pending/', 'TargetDown/firing/b']);
    const metrics = e.metrics.render();
    expect(metrics).toMatch(/^vigil_suspensions_total 1$/m);
    expect(Number(/^vigil_suspended_seconds_total (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3599);
  }, 30_000);
});

describe('wall clock set back by an hour', () => {
  const { dir, cleanup } = tempDir('vigil-clock-back-');
  let engine: Engine | null = null;
  let server: Server | null = null;

  afterAll(async () => {
    await engine?.stop();
    server?.close();
    cleanup();
  });

  it('keeps scraping without a refused sample', async () => {
    const a = await serveMetrics();
    server = a.server;
    const configFile = join(dir, 'vigil.yml');
    writeFileSync(configFile, `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: a\n    static_configs: [{ targets: ['${a.address}'] }]\n`);
    let offset = 0;
    engine = await Engine.start({
      dataDir: join(dir, 'data'),
      configFile,
      shell: 'test',
      inProcessStorage: true,
      logger: silentLogger,
      clock: { wall: () => Date.now() + offset, mono: () => performance.now() },
      sleepCheckMs: 200,
      energy: { setting: 'on', factor: 2 },
    });
    const e = engine;
    // Energy mode set at start: intervals doubled, the retention sweep paused; off again by the channel.
    expect(e.metrics.render()).toMatch(/^vigil_energy_interval_factor 2$/m);
    expect(e.tsdb.backgroundPaused).toBe(true);
    expect((await e.api.setEnergyMode({ setting: 'off' })).energy).toMatchObject({ setting: 'off', active: false });
    expect(e.tsdb.backgroundPaused).toBe(false);
    await e.startCollection({ selfAddress: '127.0.0.1:1', externalURL: 'http://127.0.0.1:1' });
    const scrapes = () => e.collection!.scrape.selfMetrics().scrapesTotal;
    await until(() => (scrapes() >= 2 ? true : null), 'two scrapes');
    offset -= 3_600_000;
    const at = scrapes();
    await until(() => (scrapes() >= at + 3 ? true : null), 'three scrapes after the clock was set back');
    const m = e.metrics.render();
    expect(m).toMatch(/^vigil_clock_set_back_total 1$/m);
    expect(Number(/^vigil_clock_ahead_of_wall_seconds (\S+)$/m.exec(m)?.[1])).toBeGreaterThan(3500);
    expect(m).toMatch(/^vigil_scrape_samples_rejected_total 0$/m);
    expect(m).not.toMatch(/^vigil_tsdb_rejected_samples_total\{[^}]*\} [1-9]/m);
    // Every scrape's `up` sample was stored, in order.
    const before = scrapes();
    const q = await e.tsdb.querier(0, e.clock.now() + 1);
    try {
      const set = await q.select([{ op: '=', name: '__name__', value: 'up' }]);
      expect(set.series).toHaveLength(1);
      const stored = set.series[0]!.samples().t.length;
      expect(stored).toBeGreaterThanOrEqual(before);
      expect(stored).toBeLessThanOrEqual(scrapes());
    } finally {
      q.close();
    }
  }, 30_000);
});
