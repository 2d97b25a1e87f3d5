// A recording rule whose expression returns native histograms records native histograms in the
// running engine (it used to record the samples' float field, 0, as if it were the value).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { until } from '../interop/peers.js';
import { tempDir } from '../helpers.js';

// A classic histogram the scrape converts to a custom-bucket native histogram (schema −53).
const page = `# TYPE rpc_seconds histogram
rpc_seconds_bucket{le="0.5"} 3
rpc_seconds_bucket{le="1"} 5
rpc_seconds_bucket{le="+Inf"} 6
rpc_seconds_count 6
rpc_seconds_sum 4.5
`;

describe('histogram-valued recording rules', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('store what the expression returns: histogram_count and histogram_sum of the recorded series equal the source', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const server: Server = createServer((_req, res) => res.end(page));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    writeFileSync(join(dir, 'rules.yml'), 'groups:\n  - name: h\n    interval: 1s\n    rules:\n      - record: job:rpc_seconds:sum\n        expr: sum by (job) (rpc_seconds)\n');
    const file = join(dir, 'vigil.yml');
    writeFileSync(
      file,
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nscrape_configs:\n  - job_name: rpc\n    convert_classic_histograms_to_nhcb: true\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
    );
    const engine = await Engine.start({ dataDir: join(dir, 'data'), configFile: file, shell: 'test', logger: silentLogger, inProcessStorage: true });
    cleanups.push(() => engine.stop());
    await engine.startCollection({ selfAddress: '127.0.0.1:9', externalURL: 'http://127.0.0.1:9' });

    const scalar = async (q: string): Promise<unknown> => {
      const r = (await engine.api.query({ query: q })).result;
      return r.resultType === 'vector' && r.samples.length === 1 ? r.samples[0]!.v : null;
    };
    expect(await until(async () => scalar('histogram_count(job:rpc_seconds:sum{job="rpc"})'), 'the recorded histogram', 20_000)).toBe(6);
    expect(await scalar('histogram_sum(job:rpc_seconds:sum)')).toBe(4.5);
    expect(await scalar('histogram_fraction(0, 0.5, job:rpc_seconds:sum)')).toBe(0.5);
    const rules = await engine.api.rules({});
    expect(rules.groups.flatMap((g) => g.rules).map((r) => [r.name, r.health, r.lastError])).toEqual([['job:rpc_seconds:sum', 'ok', '']]);
  }, 30_000);
});
