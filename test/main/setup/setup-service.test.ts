// The first-launch settings through the engine's channels: toggles change what is scraped at
// once and survive a restart; "Add a website" probes over HTTPS at once and is refused with a
// clear error for a bad address; a broken settings file is reported, not fatal.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApiError } from '../../../app/api/errors.js';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { until } from '../interop/peers.js';
import { opensslPath, selfSignedCert, tempDir } from '../helpers.js';

const opensslMissing = spawnSync(opensslPath, ['version']).status !== 0;

describe('first-launch settings', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function engineIn(dataDir: string, configFile: string | null = null): Promise<Engine> {
    const engine = await Engine.start({ dataDir, configFile, shell: 'test', logger: silentLogger, inProcessStorage: true });
    cleanups.push(() => engine.stop());
    // Nothing listens on port 9: the vigil and node jobs are down, which these tests do not look at.
    await engine.startCollection({ selfAddress: '127.0.0.1:9', externalURL: 'http://127.0.0.1:9' });
    return engine;
  }

  const pools = async (e: Engine) => [...new Set((await e.api.targets({})).activeTargets.map((t) => t.scrapePool))].sort();

  it('switches the demo fleet on (scraped, up) and Vigil itself off, at once and after a restart', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const data = join(dir, 'data');
    let engine = await engineIn(data);
    expect((await engine.api.setup({})).jobs.map((j) => j.job)).toEqual(['vigil', 'node']);
    await until(async () => ((await pools(engine)).join() === 'node,vigil' ? true : null), 'the built-in jobs');

    const after = await engine.api.setSetupToggles({ demoFleet: true, self: false });
    expect(after.settings).toMatchObject({ self: false, host: true, demoFleet: true, demoMesh: false });
    expect(after.jobs.map((j) => j.job)).toEqual(['node', 'demo-fleet']);
    expect(after.problems).toEqual([]);
    await until(async () => ((await pools(engine)).join() === 'demo-fleet,node' ? true : null), 'demo-fleet in and vigil out');
    const up = await until(
      async () => {
        const t = (await engine.api.targets({})).activeTargets.filter((x) => x.scrapePool === 'demo-fleet');
        return t.length === 10 && t.every((x) => x.health === 'up') ? t : null;
      },
      'ten demo hosts scraped successfully',
      20_000,
      200,
    );
    expect(up.map((t) => t.labels['instance']).sort()[0]).toBe('demo-host-01');
    expect(JSON.parse(readFileSync(join(data, 'setup.json'), 'utf8'))).toMatchObject({ version: 1, self: false, demoFleet: true });

    await engine.stop();
    engine = await engineIn(data);
    expect((await engine.api.setup({})).jobs.map((j) => j.job)).toEqual(['node', 'demo-fleet']);
    await until(async () => ((await pools(engine)).join() === 'demo-fleet,node' ? true : null), 'the saved toggles after a restart');

    // Off again: the demo servers stop and their targets go.
    await engine.api.setSetupToggles({ demoFleet: false });
    await until(async () => ((await pools(engine)).join() === 'node' ? true : null), 'demo-fleet gone');
  }, 60_000);

  it('reports a broken settings file and runs with the defaults', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    writeFileSync(join(dir, 'setup.json'), '{"version": 1, "self": "yes"');
    const engine = await engineIn(dir);
    const s = await engine.api.setup({});
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toContain(join(dir, 'setup.json'));
    expect(s.problems[0]).toMatch(/not JSON/);
    expect(s.jobs.map((j) => j.job)).toEqual(['vigil', 'node']);
  });

  it('refuses a bad website address with an error naming it, and changes nothing', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const engine = await engineIn(dir);
    const err = await engine.api.addWebsite({ url: 'http://example.com' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(/^"http:\/\/example\.com": plain http:\/\//);
    expect((await engine.api.setup({})).settings.websites).toEqual([]);
    expect((await engine.api.probes({})).probes).toEqual([]);
  });

  it.skipIf(opensslMissing)('adds a website: probed over HTTPS at once, its certificate read, kept in the settings', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { key, cert } = selfSignedCert(dir, 'IP:127.0.0.1', 'website.test');
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const port = (server.address() as AddressInfo).port;
    // The built-in module trusts the system's CAs; a module of the same name in the user's
    // blackbox file wins, so this test trusts its own certificate that way.
    writeFileSync(join(dir, 'blackbox.yml'), `modules:\n  vigil_website:\n    prober: http\n    http:\n      fail_if_not_ssl: true\n      tls_config:\n        ca_file: ${JSON.stringify(cert)}\n`);
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  blackbox_config_file: blackbox.yml\n');
    const engine = await engineIn(join(dir, 'data'), join(dir, 'prometheus.yml'));

    const url = `https://127.0.0.1:${port}/`;
    const s = await engine.api.addWebsite({ url: `127.0.0.1:${port}`, name: ' Shop ' });
    expect(s.settings.websites).toEqual([{ url, name: 'Shop' }]);
    expect(s.jobs).toEqual([{ toggle: 'websites', job: 'websites' }]);
    // Probed before the answer came back, not a minute later.
    const probe = (await engine.api.probes({})).probes.find((p) => p.target === url);
    expect(probe).toMatchObject({ job: 'websites', module: 'vigil_website', success: true });
    expect(probe!.certificates.map((c) => c.subject)).toEqual(['CN=website.test']);
    const q = await engine.querySvc.query({ query: `probe_ssl_earliest_cert_expiry{instance="${url}"}` });
    expect(q.result.resultType === 'vector' ? q.result.samples.length : 0).toBe(1);

    // The user's prometheus.yml is not touched; the website lives in Vigil's settings.
    expect(readFileSync(join(dir, 'prometheus.yml'), 'utf8')).toBe('global:\n  blackbox_config_file: blackbox.yml\n');
    expect(JSON.parse(readFileSync(join(dir, 'data', 'setup.json'), 'utf8')).websites).toEqual([{ url, name: 'Shop' }]);

    await engine.api.removeWebsite({ url });
    expect((await engine.api.probes({})).probes).toEqual([]);
  }, 30_000);
});
