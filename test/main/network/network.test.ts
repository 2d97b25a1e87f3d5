// Networks: the current network read from /proc/net/route and resolv.conf text; changes taken
// only once stable (a flapping network changes nothing); jobs bound with `vigil_network` paused
// away from their network, resumed on it, with rules held for fresh data after the change.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dnsSuffixesFromResolvConf, gatewayFromProcRoute, onNetwork, type NetworkFacts } from '../../../main/network/facts.js';
import { NetworkWatch } from '../../../main/network/watch.js';
import { parseConfig } from '../../../main/config/load.js';
import { Engine } from '../../../main/engine.js';
import { Dispatcher } from '../../../main/notify/dispatcher.js';
import { silentLogger } from '../../../main/util/log.js';
import { until } from '../interop/peers.js';
import { tempDir } from '../helpers.js';

const route = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
wlan0\t0000A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0
wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
`;
const home: NetworkFacts = { gateway: '192.168.1.1', interfaces: ['wlan0'], dnsSuffixes: ['home.arpa'] };
const office: NetworkFacts = { gateway: '10.0.0.1', interfaces: ['eth0'], dnsSuffixes: ['corp.example'] };

describe('the current network', () => {
  it('reads the default gateway from /proc/net/route and the search suffixes from resolv.conf', () => {
    expect(gatewayFromProcRoute(route)).toBe('192.168.1.1');
    expect(gatewayFromProcRoute(route.split('\n').slice(0, 2).join('\n'))).toBe(null);
    expect(dnsSuffixesFromResolvConf('nameserver 1.1.1.1\nsearch Corp.Example. lab.corp.example # comment\n')).toEqual(['corp.example', 'lab.corp.example']);
    expect(dnsSuffixesFromResolvConf('domain a.example\nsearch b.example\n')).toEqual(['b.example']);
  });

  it('matches a binding when every field it names matches', () => {
    expect(onNetwork({ gateway: '10.0.0.1' }, office)).toBe(true);
    expect(onNetwork({ gateway: '10.0.0.1', interface: 'wlan0' }, office)).toBe(false);
    expect(onNetwork({ dns_suffix: 'CORP.example.' }, office)).toBe(true);
    expect(onNetwork({ dns_suffix: 'corp.example' }, home)).toBe(false);
  });

  it('takes a new network only once it lasted stableChecks checks: flapping changes nothing', async () => {
    let now = home;
    const watch = new NetworkWatch({ source: async () => now, logger: silentLogger, stableChecks: 3, checkEveryMs: 3_600_000 });
    const seen: NetworkFacts[] = [];
    watch.onChange((f) => seen.push(f));
    await watch.start();
    for (let i = 0; i < 20; i++) {
      now = i % 2 === 0 ? office : home;
      await watch.check();
    }
    expect(seen).toEqual([]);
    expect(watch.current()).toEqual(home);
    now = office;
    await watch.check();
    await watch.check();
    expect(seen).toEqual([]);
    await watch.check();
    expect(seen).toEqual([office]);
    watch.stop();
  });

  it('refuses a vigil_network that names nothing, with its line', () => {
    const r = parseConfig('scrape_configs:\n  - job_name: a\n    vigil_network: {}\n', 'p.yml');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map(String).join()).toMatch(/p\.yml:3: .*vigil_network names no gateway, interface or dns_suffix/);
  });
});

describe('jobs bound to a network', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('pause away from their network, resume on it with rules held for fresh data, and ignore flapping', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const server = createServer((_q, res) => res.end('x 1\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files: [rules.yml]\nscrape_configs:\n  - job_name: office\n    vigil_network: {gateway: 10.0.0.1}\n    static_configs: [{targets: ['${address}']}]\n  - job_name: anywhere\n    static_configs: [{targets: ['${address}']}]\n`,
    );
    // Only the absence of a paused job: held. The same kind of alert for a job that runs: sent.
    writeFileSync(
      join(dir, 'rules.yml'),
      'groups:\n  - name: g\n    rules:\n      - alert: OfficeGone\n        expr: absent(up{job="office"})\n      - alert: NothingHere\n        expr: absent(no_such_metric{job="anywhere"})\n',
    );
    let now = home;
    // On the prototype, before the engine starts: the first send can come before any later point
    // in the test (and a sent alert is sent again only after the 1 min resend delay).
    const put = vi.spyOn(Dispatcher.prototype, 'put');
    cleanups.push(() => put.mockRestore());
    const engine = await Engine.start({
      dataDir: join(dir, 'data'),
      configFile: join(dir, 'prometheus.yml'),
      shell: 'test',
      logger: silentLogger,
      inProcessStorage: true,
      network: { source: async () => now, checkEveryMs: 3_600_000, stableChecks: 2 },
    });
    cleanups.push(() => engine.stop());
    await engine.startCollection({ selfAddress: '127.0.0.1:9', externalURL: 'http://127.0.0.1:9' });
    const pools = async () => [...new Set((await engine.api.targets({})).activeTargets.map((t) => t.scrapePool))].sort().join();
    await until(async () => ((await pools()) === 'anywhere' ? true : null), 'only the unbound job');
    const sentNames = () => put.mock.calls.flatMap((c) => c[0].map((a) => a.labels['alertname']));
    const firing = async () => (await engine.api.alerts({ states: ['firing'] })).alerts.map((a) => a.labels['alertname']).sort().join();
    await until(async () => ((await firing()) === 'NothingHere,OfficeGone' ? true : null), 'both alerts firing in the inbox', 10_000);
    await until(() => (sentNames().includes('NothingHere') ? true : null), 'the unbound job’s alert sent', 10_000);
    expect(sentNames()).not.toContain('OfficeGone');
    const s = await engine.api.setup({});
    expect(s.away).toEqual([{ job: 'office', network: 'gateway 10.0.0.1' }]);
    expect(s.network).toEqual(home);

    // Flapping: no change, nothing held.
    for (let i = 0; i < 10; i++) {
      now = i % 2 === 0 ? office : home;
      await engine.network!.check();
    }
    expect((await engine.api.setup({})).away).toHaveLength(1);
    expect(engine.metrics.render()).toMatch(/^vigil_network_changes_total 0$/m);

    // At the office: the job runs again, and rules wait until every target scraped once more.
    now = office;
    await engine.network!.check();
    await engine.network!.check();
    await until(async () => ((await engine.api.setup({})).away.length === 0 ? true : null), 'the office job resumed', 5_000, 5);
    await until(async () => ((await engine.api.power({})).rulesHeld ? true : null), 'rules held after the change', 5_000, 5);
    await until(async () => ((await pools()) === 'anywhere,office' ? true : null), 'the office job scraped');
    expect(engine.metrics.render()).toMatch(/^vigil_network_changes_total 1$/m);
    expect(engine.metrics.render()).toMatch(/^vigil_network_info\{dns_suffix="corp\.example",gateway="10\.0\.0\.1",interfaces="eth0"\} 1$/m);
  }, 30_000);
});
