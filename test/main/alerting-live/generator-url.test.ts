// The generatorURL Vigil sends must be a URI Alertmanager 0.25 accepts, for an external URL
// given with or without a trailing slash (Prometheus' --web.external-url is usually without).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { missingPeers, startAlertmanager, until, type Peer } from '../interop/peers.js';

const skip = missingPeers('alertmanager');

interface AmAlert {
  labels: Record<string, string>;
  generatorURL: string;
}

describe.skipIf(skip !== '')(`generatorURL accepted by Alertmanager 0.25${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let am: Peer | null = null;
  let cleanup = (): void => {};
  let dir = '';
  const engines: Engine[] = [];

  beforeAll(async () => {
    am = await startAlertmanager('route:\n  receiver: none\nreceivers:\n  - name: none\n');
    const t = tempDir('vigil-generator-url-');
    cleanup = t.cleanup;
    dir = t.dir;
  }, 30_000);

  afterAll(async () => {
    for (const e of engines) await e.stop();
    await am?.stop();
    cleanup();
  });

  async function alertIn(externalURL: string, alertname: string): Promise<AmAlert> {
    const sub = join(dir, alertname);
    const notify = join(dir, `${alertname}-notify.yml`);
    writeFileSync(notify, 'route:\n  receiver: none\n  group_wait: 0s\n  group_interval: 1s\nreceivers:\n  - name: none\n');
    const rules = join(dir, `${alertname}-rules.yml`);
    writeFileSync(rules, `groups:\n  - name: g\n    rules:\n      - alert: ${alertname}\n        expr: vector(1)\n`);
    const configFile = join(dir, `${alertname}.yml`);
    writeFileSync(
      configFile,
      `global:\n  evaluation_interval: 1s\n  notification_config_file: ${notify}\nrule_files: ['${rules}']\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['${am!.url.replace('http://', '')}']\nscrape_configs: []\n`,
    );
    const e = await Engine.start({ dataDir: sub, configFile, shell: 'test', inProcessStorage: true, logger: silentLogger });
    engines.push(e);
    await e.startCollection({ selfAddress: '127.0.0.1:1', externalURL });
    return until(async () => {
      const list = (await (await fetch(`${am!.url}/api/v2/alerts`)).json()) as AmAlert[];
      return list.find((a) => a.labels['alertname'] === alertname) ?? null;
    }, `${alertname} in Alertmanager`, 8000);
  }

  it('with a trailing slash (what vigil serve passes)', async () => {
    const a = await alertIn('http://vigil.test/', 'GenUrlSlash');
    expect(a.generatorURL.startsWith('http://vigil.test/')).toBe(true);
  }, 20_000);

  // Alertmanager refuses a generatorURL that is not a URI (`http://host#/…` without the slash).
  it('without a trailing slash', async () => {
    const a = await alertIn('http://vigil.test', 'GenUrlNoSlash');
    expect(a.generatorURL.startsWith('http://vigil.test/')).toBe(true);
  }, 20_000);
});
