import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StatusSchema } from '../../../app/api/status.js';
import { HttpServer } from '../../../main/api/http-server.js';
import { registerServeRoutes } from '../../../main/api/serve-routes.js';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';

const rules = 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n';
const config = (job: string, ruleFiles: string[]) => `rule_files: [${ruleFiles.join(', ')}]\nscrape_configs:\n  - job_name: ${job}\n    static_configs:\n      - targets: ['127.0.0.1:9']\n`;

describe('POST /-/reload refuses a config whose rule files are missing or invalid', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function start(): Promise<{ engine: Engine; server: HttpServer; dir: string; file: string }> {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = join(dir, 'vigil.yml');
    writeFileSync(join(dir, 'rules.yml'), rules);
    writeFileSync(file, config('first', ['rules.yml']));
    const engine = await Engine.start({ dataDir: join(dir, 'data'), configFile: file, shell: 'test', logger: silentLogger, inProcessStorage: true });
    cleanups.push(() => engine.stop());
    const server = new HttpServer({ api: engine.api, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    registerServeRoutes(server, engine);
    await server.listen();
    cleanups.push(() => server.close());
    await engine.startCollection({ selfAddress: `127.0.0.1:${server.port}`, externalURL: server.url });
    return { engine, server, dir, file };
  }

  const reload = (s: HttpServer) => fetch(`http://127.0.0.1:${s.port}/-/reload`, { method: 'POST' });
  const job = (e: Engine) => e.collection?.config.current()?.scrape_configs[0]?.job_name;

  it('a missing rule file: 500 naming it, the running config stays, the Status page shows why', async () => {
    const { engine, server, file, dir } = await start();
    writeFileSync(file, config('second', ['rules.yml', 'missing.yml']));
    const res = await reload(server);
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(new RegExp(`^failed to reload config: ${file}: rule_files: ${join(dir, 'missing.yml')}: ENOENT`));
    expect(job(engine)).toBe('first');
    const status = StatusSchema.parse(await engine.api.status({}));
    expect(status.configErrors).toEqual([expect.stringContaining('missing.yml: ENOENT')]);

    // Fixed: the reload applies and the Status page clears.
    writeFileSync(join(dir, 'missing.yml'), rules.replace('name: g', 'name: g2'));
    expect((await reload(server)).status).toBe(200);
    expect(job(engine)).toBe('second');
    expect(StatusSchema.parse(await engine.api.status({})).configErrors).toEqual([]);
  });

  it('an invalid rule file: refused with its file:line error', async () => {
    const { engine, server, file, dir } = await start();
    writeFileSync(join(dir, 'bad.yml'), 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: sum(\n');
    writeFileSync(file, config('second', ['bad.yml']));
    const res = await reload(server);
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/bad\.yml: 5:15: group "g", rule 1, "r": could not parse expression: 1:5: parse error: unclosed left parenthesis/);
    expect(job(engine)).toBe('first');
  });
});
