// Fuzzers over what arrives from outside: Prometheus' HTTP API and the contract over HTTP
// (random methods, paths, parameters, bodies, headers), the contract channels (random payloads
// against their zod schemas), and the config loaders (mutated YAML). Fixed seeds keep runs
// reproducible; run counts keep the file under a few seconds.
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelNames, type WorkbenchApi } from '../../../app/api/channels.js';
import { ApiError } from '../../../app/api/errors.js';
import { parseExpr } from '../../../app/promql/parser.js';
import { dispatch } from '../../../main/api/dispatch.js';
import { HttpServer } from '../../../main/api/http-server.js';
import { MetadataStore } from '../../../main/api/metadata-store.js';
import { registerPromApi } from '../../../main/api/prom-api.js';
import { EngineQueryService } from '../../../main/api/query-service-impl.js';
import { parseWebConfig } from '../../../main/api/web-config.js';
import { parseConfig } from '../../../main/config/load.js';
import { PromQLEngine } from '../../../main/promql/engine.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { silentLogger } from '../../../main/util/log.js';

const storage = new MemoryStorage();
for (let s = 0; s < 20; s++) for (let i = 0; i < 40; i++) storage.add(labelsFromRecord({ __name__: 'm', i: String(s) }), i * 15_000, i);
const service = new EngineQueryService(new PromQLEngine({ parse: (x) => parseExpr(x), timeoutMs: 2000 }), storage, new MetadataStore());

/** The query channels go to the real query service; every other channel is "not running". */
const api = new Proxy({} as WorkbenchApi, {
  get(_t, name: string) {
    const fn = (service as unknown as Record<string, unknown>)[name];
    if (typeof fn === 'function') return (req: unknown) => (fn as (r: unknown) => unknown).call(service, req);
    return () => Promise.reject(new ApiError({ kind: 'unavailable', message: `${name} is not running` }));
  },
});

const errorKinds = ['bad_request', 'unknown_channel', 'forbidden', 'unavailable'];

describe('contract channels: random payloads get a typed answer, never a crash', () => {
  it('dispatch always resolves to a value or a typed, non-internal error', async () => {
    const names = fc.oneof(fc.constantFrom(...channelNames), fc.string({ maxLength: 12 }));
    await fc.assert(
      fc.asyncProperty(names, fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true }), async (name, payload) => {
        const r = await dispatch(api, name, payload, 'fuzz');
        if (!r.ok) expect(errorKinds).toContain(r.error.kind);
      }),
      { numRuns: 400, seed: 19 },
    );
  });

  it('near-valid query payloads (right keys, random values) are checked by the schema, not the engine', async () => {
    const payload = fc.record(
      { query: fc.oneof(fc.constantFrom('m', 'sum(m)', 'rate(m[1m])', 'm{i=~"1.*"}', '('), fc.string({ maxLength: 40 })), time: fc.oneof(fc.double(), fc.string()), start: fc.double(), end: fc.double(), step: fc.double(), queryId: fc.string({ maxLength: 80 }) },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('query', 'queryRange', 'estimateQuery', 'labelNames', 'labelValues'), payload, async (name, p) => {
        const r = await dispatch(api, name, p, 'fuzz');
        if (!r.ok) expect(errorKinds).toContain(r.error.kind);
      }),
      { numRuns: 300, seed: 20 },
    );
  });
});

describe('HTTP API: random requests never get a 500 or a dropped connection', () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = new HttpServer({ api, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    registerPromApi(server, { queries: service, series: { series: async () => [] }, formatQuery: (q) => q, buildInfo: () => ({}) });
    await server.listen();
  });
  afterAll(() => server.close());

  const paramValue = fc.oneof(
    fc.constantFrom('m', 'sum(m)', 'rate(m[5m])', '1', '-1', '0', 'NaN', 'Inf', '1e400', '15s', '2023-11-14T22:13:20Z', '{', '"', '%zz', ''),
    fc.string({ maxLength: 30 }),
    fc.integer().map(String),
  );
  const params = fc.array(fc.tuple(fc.constantFrom('query', 'time', 'start', 'end', 'step', 'timeout', 'match[]', 'limit', 'stats', 'x'), paramValue), { maxLength: 6 });
  const path = fc.oneof(
    fc.constantFrom('/api/v1/query', '/api/v1/query_range', '/api/v1/series', '/api/v1/labels', '/api/v1/label/job/values', '/api/v1/label/%ff/values', '/api/v1/format_query', '/api/v1/metadata', '/api/vigil/query', '/api/vigil/status', '/api/vigil/nope', '/', '/../../etc/passwd'),
    fc.string({ maxLength: 20 }).map((s) => `/${encodeURIComponent(s)}`),
  );
  const request = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'),
    path,
    params,
    contentType: fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', 'application/json; charset=latin1', ''),
    body: fc.oneof(fc.constant(''), fc.string({ maxLength: 200 }), fc.json({ maxDepth: 3 }), params.map((p) => new URLSearchParams(p).toString())),
    header: fc.tuple(fc.constantFrom('Accept', 'X-Forwarded-For', 'Accept-Encoding', 'Cookie', 'Range'), fc.string({ maxLength: 40 }).filter((v) => /^[\x20-\x7e]*$/.test(v))),
  });

  function send(r: { method: string; path: string; params: Array<[string, string]>; contentType: string; body: string; header: [string, string] }): Promise<number> {
    return new Promise((resolve, reject) => {
      const qs = new URLSearchParams(r.params).toString();
      const headers: Record<string, string> = { [r.header[0]]: r.header[1] };
      if (r.contentType !== '') headers['Content-Type'] = r.contentType;
      const req = httpRequest({ host: '127.0.0.1', port: server.port, method: r.method, path: qs ? `${r.path}?${qs}` : r.path, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body);
    });
  }

  it('every answer is < 500 (503 for a query over its time is allowed)', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const status = await send(r);
        expect(status).toBeGreaterThanOrEqual(200);
        expect(status === 503 || status < 500).toBe(true);
      }),
      { numRuns: 300, seed: 21 },
    );
    // And it still serves.
    expect(await send({ method: 'GET', path: '/api/v1/query', params: [['query', 'sum(m)'], ['time', '300']], contentType: '', body: '', header: ['Accept', '*/*'] })).toBe(200);
  });
});

/** String-level damage to YAML: truncate, delete, duplicate, insert YAML-significant characters. */
const yamlMutation = fc.record({ op: fc.constantFrom('truncate', 'delete', 'dup', 'insert'), at: fc.nat(), len: fc.integer({ min: 1, max: 30 }), text: fc.constantFrom(':', '- ', '\n', '  ', '"', "'", '{', '[', '&a', '*a', '!!binary', '#', '\t', '%', '|', '>', 'x: y\n', '\u0000') });

function mutateText(seed: string, muts: ReadonlyArray<{ op: string; at: number; len: number; text: string }>): string {
  let s = seed;
  for (const m of muts) {
    const at = s.length === 0 ? 0 : m.at % s.length;
    if (m.op === 'truncate') s = s.slice(0, at);
    else if (m.op === 'delete') s = s.slice(0, at) + s.slice(at + m.len);
    else if (m.op === 'dup') s = s.slice(0, at) + s.slice(at, at + m.len) + s.slice(at);
    else s = s.slice(0, at) + m.text + s.slice(at);
  }
  return s;
}

const configSeed = `global:
  scrape_interval: 15s
  external_labels:
    site: home
rule_files: [rules.yml]
scrape_configs:
  - job_name: node
    scrape_timeout: 5s
    metrics_path: /metrics
    static_configs:
      - targets: ['127.0.0.1:9100']
        labels: { env: lab }
    relabel_configs:
      - source_labels: [__address__]
        regex: '(.*):\\d+'
        target_label: host
  - job_name: files
    file_sd_configs:
      - files: [targets/*.json]
`;

describe('config loaders: mutated YAML is an error naming the file (and a line), never a crash', () => {
  it('prometheus.yml', () => {
    fc.assert(
      fc.property(fc.array(yamlMutation, { minLength: 1, maxLength: 4 }), (muts) => {
        const r = parseConfig(mutateText(configSeed, muts), '/etc/vigil/prometheus.yml');
        if (r.ok) return;
        expect(r.errors.length).toBeGreaterThan(0);
        for (const e of r.errors) expect(String(e)).toMatch(/^\/etc\/vigil\/prometheus\.yml(:\d+)?: /);
        // A text that parsed as YAML but broke the schema is located on a line.
        if (!r.errors.some((e) => e.message.startsWith('YAML'))) expect(r.errors.some((e) => e.line > 0)).toBe(true);
      }),
      { numRuns: 1500, seed: 22 },
    );
  });

  it('the web config', () => {
    const seed = 'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\nbasic_auth_users:\n  alice: $2y$10$abcdefghijklmnopqrstuu5Q2ZlE8dV7a4XwYI5ZxJ3cW7M9n3oK\n';
    fc.assert(
      fc.property(fc.array(yamlMutation, { minLength: 1, maxLength: 4 }), (muts) => {
        const r = parseWebConfig(mutateText(seed, muts), 'web.yml');
        if (!r.ok) for (const e of r.errors) expect(String(e)).toMatch(/^web\.yml(:\d+)?: /);
      }),
      { numRuns: 800, seed: 23 },
    );
  });
});
