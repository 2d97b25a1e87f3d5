/**
 * Issue #19, CI-sized: `vigil serve` in a child process scrapes healthy targets every second
 * beside one target of each hostile kind (gzip bomb, slowloris, oversized body, endless page,
 * a page of 150k series, a 1 MB label). Healthy scrapes stay fast and on schedule, the child's
 * peak resident memory stays under 1 GB, and each hostile target is down with its own error
 * within its own timeout. Full size: `npm run bench:hostile`.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { healthyTargets, hostileConfig, hostileKinds, spawnHostileTargets } from '../../../build/bench/hostile-targets.js';
import { healthyFigures, memoryOf, targetStates } from '../../../build/bench/scrape-health.js';
import { startVigilServe } from '../../../build/bench/vigil-system.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const built = existsSync(join(root, 'dist/main/cli.js'));

describe.skipIf(!built)(`hostile targets beside healthy ones in vigil serve${built ? '' : ' (skipped: run npm run build:main first)'}`, () => {
  it('cost only their own budget', { timeout: 60_000 }, async () => {
    const healthy = await healthyTargets(5);
    const hostile = await spawnHostileTargets('ci');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-hostile-'));
    const cfg = join(dir, 'prometheus.yml');
    // Smaller than the defaults so the CI-sized pages still cross them (the 150k-series page must
    // hit the sample limit even when this machine parses it within the deadline).
    writeFileSync(cfg, hostileConfig({ healthy, hostileBase: hostile.base, hostileInterval: '3s', hostileTimeout: '2s', limits: { body_size_limit: '8MiB', sample_limit: 100000 } }));
    const serve = await startVigilServe(join(dir, 'data'), ['--config', cfg]);
    try {
      // Two rounds of hostile scrapes after a warm-up second.
      const fromMs = Date.now() + 1000;
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(serve.pid).peak)), 200);
      await new Promise((r) => setTimeout(r, 8000));
      clearInterval(sampler);
      const toMs = Date.now();
      peak = Math.max(peak, memoryOf(serve.pid).peak);

      const h = await healthyFigures(serve.url, { jobRegex: 'healthy-.*', intervalMs: 1000, fromMs, toMs });
      expect(h.targets).toBe(5);
      expect(h.scrapes).toBeGreaterThanOrEqual(5 * 6);
      expect(h.down).toBe(0);
      // The bound of issue #19 on nine scrapes in ten; the slowest one gets slack because this
      // machine is shared (load ~10 on 2 cores during test runs), not because the budget allows it.
      expect(h.durationP90).toBeLessThan(0.5);
      expect(h.durationMax).toBeLessThan(1);
      // A hostile target that blocked the loop would delay every healthy scrape; a loaded CI
      // machine delays a few. The on-schedule figure proper is npm run bench:hostile's.
      expect(h.gaps).toBeLessThanOrEqual(Math.floor(h.scrapes / 5));
      expect(peak).toBeLessThan(1024 ** 3);

      const states = await targetStates(serve.url, 'hostile-');
      expect(Object.keys(states).sort()).toEqual(Object.keys(hostileKinds).map((p) => `hostile-${p.slice(1)}`).sort());
      for (const [job, s] of Object.entries(states)) {
        const expected = hostileKinds[`/${job.slice('hostile-'.length)}`]!;
        expect({ job, health: s.health, error: s.lastError }).toEqual({ job, health: 'down', error: expect.stringMatching(expected) });
        // Within its own 2 s timeout, plus a turn of a busy shared machine's event loop.
        expect(s.lastScrapeDuration, job).toBeLessThan(2.5);
      }
    } finally {
      await serve.stop();
      await hostile.stop();
      await healthy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
