import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../app/api/errors.js';
import type { WorkbenchApi } from '../../../app/api/channels.js';
import { HttpServer } from '../../../main/api/http-server.js';
import { registerPromApi } from '../../../main/api/prom-api.js';
import type { QueryService } from '../../../main/api/query-service.js';
import { silentLogger } from '../../../main/util/log.js';

const stats = { seriesTouched: 1, samplesTouched: 3, peakSamples: 3, totalMs: 1.5, nodes: [] };
const calls: unknown[] = [];
const queries: QueryService = {
  async query(req) {
    calls.push(['query', req]);
    if (req.query === 'bad(') throw new ApiError({ kind: 'bad_request', errorType: 'bad_data', message: '1:5: parse error: unclosed left parenthesis' });
    return { result: { resultType: 'vector', samples: [{ labels: { __name__: 'up', job: 'a' }, t: req.time!, v: 1 }] }, warnings: [], infos: [], stats };
  },
  async queryRange(req) {
    calls.push(['queryRange', req]);
    return {
      result: { resultType: 'matrix', timestamps: [req.start, req.start + req.step], series: [{ labels: { job: 'a' }, values: [1.5, null] }, { labels: { job: 'b' }, values: ['NaN', '+Inf'] }] },
      warnings: ['PromQL warning: something'],
      infos: [],
      stats,
    };
  },
  async estimateQuery() {
    return { series: 0, samples: 0, tooHeavy: false, reason: null };
  },
  async cancelQuery() {
    return { cancelled: false };
  },
  async labelNames(req) {
    calls.push(['labelNames', req]);
    return { values: ['__name__', 'job'], truncated: false };
  },
  async labelValues(req) {
    calls.push(['labelValues', req]);
    return { values: ['a', 'b'], truncated: false };
  },
  async metadata() {
    return { metrics: [{ name: 'up', type: 'gauge', help: 'target up', unit: '' }], truncated: false };
  },
};

function get(port: number, path: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', headers: body === undefined ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('Prometheus HTTP API shapes', () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = new HttpServer({ api: {} as WorkbenchApi, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    registerPromApi(server, {
      queries,
      series: { series: async () => [{ __name__: 'up', job: 'a' }] },
      formatQuery: (q) => q.trim(),
      buildInfo: () => ({ version: '0.1.0' }),
    });
    await server.listen();
  });
  afterAll(() => server.close());

  it('instant query: vector JSON with float seconds and string values', async () => {
    const r = await get(server.port, '/api/v1/query?query=up&time=1700000000.5');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'success', data: { resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'a' }, value: [1700000000.5, '1'] }] } });
  });

  it('range query: matrix JSON, missing points skipped, NaN/Inf as Prometheus spells them, warnings passed on', async () => {
    const r = await get(server.port, '/api/v1/query_range', 'query=x&start=100&end=115&step=15s');
    expect(r.json).toEqual({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { job: 'a' }, values: [[100, '1.5']] },
          { metric: { job: 'b' }, values: [[100, 'NaN'], [115, '+Inf']] },
        ],
      },
      warnings: ['PromQL warning: something'],
    });
  });

  it('errors: Prometheus errorType and status code', async () => {
    const parse = await get(server.port, '/api/v1/query?query=bad(');
    expect(parse.status).toBe(400);
    expect(parse.json).toEqual({ status: 'error', errorType: 'bad_data', error: '1:5: parse error: unclosed left parenthesis' });
    const step = await get(server.port, '/api/v1/query_range?query=x&start=0&end=10&step=0');
    expect(step.json).toMatchObject({ errorType: 'bad_data', error: expect.stringMatching(/zero or negative query resolution step/) });
    const noMatch = await get(server.port, '/api/v1/series');
    expect(noMatch.json).toEqual({ status: 'error', errorType: 'bad_data', error: 'no match[] parameter provided' });
  });

  it('labels, label values (path parameter), series, metadata, format_query', async () => {
    expect((await get(server.port, '/api/v1/labels')).json).toEqual({ status: 'success', data: ['__name__', 'job'] });
    expect((await get(server.port, '/api/v1/label/job/values?match[]=up')).json).toEqual({ status: 'success', data: ['a', 'b'] });
    expect(calls).toContainEqual(['labelValues', expect.objectContaining({ name: 'job', match: ['up'] })]);
    expect((await get(server.port, '/api/v1/series?match[]=up')).json).toEqual({ status: 'success', data: [{ __name__: 'up', job: 'a' }] });
    expect((await get(server.port, '/api/v1/metadata')).json).toEqual({ status: 'success', data: { up: [{ type: 'gauge', help: 'target up', unit: '' }] } });
    expect((await get(server.port, '/api/v1/format_query?query=%20up%20')).json).toEqual({ status: 'success', data: 'up' });
  });
});
