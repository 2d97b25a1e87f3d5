/**
 * Everything `vigil serve` answers besides the renderer and the contract: the Prometheus HTTP
 * API, /metrics, blackbox's /probe, health and reload endpoints.
 */
import type { Engine } from '../engine.js';
import { readBuildInfo } from '../build-info.js';
import { configYaml } from '../config/redact.js';
import type { HttpServer } from './http-server.js';
import { sendJson } from './http-server.js';
import { registerPromApi } from './prom-api.js';
import { prometheusRules } from './alerting-service.js';
import { hostMetricsPath, serveHostMetrics } from '../host/http.js';
import { BadParamError, parseTimeParam } from './prom-params.js';
import { queryExemplars } from './exemplars-api.js';
import { registerRemoteRoutes, type RemoteRouteOptions } from './remote-routes.js';

export function registerServeRoutes(server: HttpServer, engine: Engine, remote: RemoteRouteOptions = { remoteWriteReceiver: false }): void {
  registerRemoteRoutes(server, engine, remote);
  registerPromApi(server, {
    queries: engine.querySvc,
    series: { series: (match, start, end, limit) => engine.seriesLookup(match, start, end, limit) },
    formatQuery: (q) => engine.formatQuery(q),
    buildInfo: () => {
      const b = readBuildInfo();
      return { version: b.version, revision: b.revision, branch: '', buildUser: '', buildDate: '', goVersion: b.runtime };
    },
    extra: {
      '/api/v1/query_exemplars': async (p) => {
        const query = p.get('query') ?? '';
        if (query === '') throw new BadParamError('invalid parameter "query": query is empty');
        const start = parseTimeParam(p.get('start'), 'start', -9223372036854.775);
        const end = parseTimeParam(p.get('end'), 'end', 9223372036854.775);
        return { status: 'success', data: queryExemplars(engine.exemplars, query, start, end) };
      },
      '/api/v1/targets': async (p) => {
        const t = engine.collection?.scrape.targets() ?? { activeTargets: [], droppedTargets: [] };
        const state = p.get('state') ?? 'any';
        return {
          status: 'success',
          data: {
            activeTargets: state === 'dropped' ? [] : t.activeTargets,
            droppedTargets: state === 'active' ? [] : t.droppedTargets,
          },
        };
      },
      '/api/v1/rules': async (p) => ({ status: 'success', data: prometheusRules(engine.alertingRuntime?.ruleManager, p) }),
      '/api/v1/alerts': async () => ({ status: 'success', data: engine.alertingRuntime?.ruleManager.alertsApi() ?? { alerts: [] } }),
      '/api/v1/status/config': async () => {
        const cfg = engine.collection?.config.current();
        return { status: 'success', data: { yaml: cfg ? configYaml(cfg) : '' } };
      },
      '/api/v1/status/tsdb': async (p) => {
        const raw = p.get('limit');
        const limit = raw === null || raw === '' ? 10 : Number(raw);
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
          throw new BadParamError(`limit must be an integer from 1 to 10000, got ${JSON.stringify(raw)}`);
        }
        return { status: 'success', data: engine.tsdbStatus(limit) };
      },
      '/api/v1/status/runtimeinfo': async () => {
        const s = engine.tsdb.stats();
        return {
          status: 'success',
          data: { startTime: new Date(engine.startTimeMs).toISOString(), CWD: process.cwd(), storageRetention: '', timeSeriesCount: s.headSeries, corruptionCount: s.quarantinedChunks },
        };
      },
    },
  });
  server.route('/metrics', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(engine.metrics.render());
  });
  server.route(hostMetricsPath, (req, res, url) => serveHostMetrics(engine.host, req, res, url));
  server.route('/probe', async (req, res, url) => {
    if (!engine.probing) {
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end('probing is not running\n');
      return;
    }
    await engine.probing.handle(req, res, url);
  });
  server.route('/-/healthy', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('Vigil is Healthy.\n');
  });
  server.route('/-/ready', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('Vigil is Ready.\n');
  });
  server.route('/-/reload', async (req, res) => {
    if (req.method !== 'POST' && req.method !== 'PUT') {
      sendJson(res, 405, { error: 'use POST' });
      return;
    }
    const r = await engine.collection?.reload();
    if (!r || r.ok) res.writeHead(200).end();
    // As Prometheus: 500 and the reasons; the running config stays (shown on the Status page).
    else res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`failed to reload config: ${r.errors.map(String).join('\n')}\n`);
  });
}
