import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { opensslPath, selfSignedCert, tempDir } from '../helpers.js';

const noOpenssl = !existsSync(opensslPath);
if (noOpenssl) console.warn(`skipping the lint-over-TLS test: ${opensslPath} is not installed`);

describe('a running engine reads prometheus.yml as Prometheus does', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function engineWith(dir: string, config: string): Promise<Engine> {
    const file = join(dir, 'vigil.yml');
    writeFileSync(file, config);
    const engine = await Engine.start({ dataDir: join(dir, 'data'), configFile: file, shell: 'test', logger: silentLogger, inProcessStorage: true });
    cleanups.push(() => engine.stop());
    await engine.startCollection({ selfAddress: '127.0.0.1:9', externalURL: 'http://127.0.0.1:9' });
    return engine;
  }

  it('loads every rule file a rule_files glob names (they were read as literal paths before)', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    mkdirSync(join(dir, 'rules'));
    for (const n of ['a', 'b']) writeFileSync(join(dir, 'rules', `${n}.yml`), `groups:\n  - name: ${n}\n    rules:\n      - record: r_${n}\n        expr: vector(1)\n`);
    writeFileSync(join(dir, 'rules', 'notes.txt'), 'not a rule file');
    const engine = await engineWith(dir, "rule_files: ['rules/*.yml']\nscrape_configs: []\n");
    const rules = await engine.api.rules({});
    expect(rules.errors).toEqual([]);
    expect(rules.groups.map((g) => g.name).sort()).toEqual(['a', 'b']);
  });

  it.skipIf(noOpenssl)("lints an https target with the job's CA, as its scrapes reach it (the lint used a client without TLS settings)", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { key, cert: ca } = selfSignedCert(dir, 'IP:127.0.0.1');
    const server = https.createServer({ key: readFileSync(key), cert: readFileSync(ca) }, (_req, res) => res.end('# HELP x_total Things.\n# TYPE x_total counter\nx_total 1\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    const port = (server.address() as AddressInfo).port;
    const engine = await engineWith(
      dir,
      `scrape_configs:\n  - job_name: tls\n    scheme: https\n    scrape_interval: 1h\n    tls_config:\n      ca_file: cert.pem\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
    );
    const scrapeUrl = `https://127.0.0.1:${port}/metrics`;
    for (let i = 0; i < 200 && !(await engine.api.targets({})).activeTargets.some((t) => t.scrapeUrl === scrapeUrl); i++) await new Promise((res) => setTimeout(res, 10));
    const lint = await engine.api.lintTarget({ scrapeUrl });
    expect(lint.error).toBeNull();
    expect(lint.problems).toEqual([]);
  });
});
