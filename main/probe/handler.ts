/**
 * `/probe?module=&target=&debug=true`, answered exactly as blackbox_exporter answers it: the
 * exposition text, 400 with blackbox's messages for a missing target or an unknown module, and
 * the debug page (logs, metrics, module configuration). Framework-free: the lead mounts it.
 */
import { stringify } from 'yaml';
import { formatDuration } from '../../app/dialect/duration.js';
import { formatExposition } from './exposition.js';
import { formatLogLine, type ProbeHistory } from './history.js';
import { runProbe } from './runner.js';
import { isGoRegex } from '../../app/dialect/regex.js';
import type { ProbeModule } from './module-schema.js';
import type { ProbeRunner } from './pool.js';
import type { Logger } from '../util/log.js';

export interface ProbeHttpResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface ProbeHandlerOptions {
  readonly modules: ReadonlyMap<string, ProbeModule>;
  readonly logger?: Logger;
  readonly history?: ProbeHistory;
  readonly pingPath?: string;
  /** Seconds subtracted from Prometheus' scrape timeout header (blackbox's --timeout-offset). */
  readonly timeoutOffset?: number;
  /** Where the probe runs: a ProbePool's run, or (default) runProbe in this thread. */
  readonly runner?: ProbeRunner;
}

/** blackbox's getTimeout: the scrape timeout header (default 120 s) minus the offset, capped by the module's. */
export function probeTimeoutSeconds(module: ProbeModule, scrapeTimeoutHeader: string | undefined, offset = 0.5): number | Error {
  let t = 0;
  if (scrapeTimeoutHeader !== undefined && scrapeTimeoutHeader !== '') {
    t = Number(scrapeTimeoutHeader);
    if (!Number.isFinite(t)) return new Error(`Failed to parse timeout from Prometheus header: invalid value "${scrapeTimeoutHeader}"`);
  }
  if (t === 0) t = 120;
  const max = t - offset;
  const moduleSeconds = (module.timeout ?? 0) / 1000;
  return (moduleSeconds > 0 && moduleSeconds < max) || max < 0 ? moduleSeconds : max;
}

const secretFields = new Set(['password', 'bearer_token', 'credentials', 'client_secret', 'key']);

/** The module as YAML for the debug page: regexps as their source, durations as text, secrets hidden (as blackbox prints them). */
function moduleYaml(module: ProbeModule): string {
  return stringify(module, (k, v: unknown) => {
    if (isGoRegex(v)) return v.pattern;
    if (k === 'timeout' && typeof v === 'number') return formatDuration(v);
    if (secretFields.has(k) && typeof v === 'string' && v !== '') return '<secret>';
    return v;
  });
}

export async function handleProbe(
  params: URLSearchParams,
  headers: { readonly scrapeTimeoutSeconds?: string },
  opts: ProbeHandlerOptions,
  signal?: AbortSignal,
): Promise<ProbeHttpResponse> {
  const text = (status: number, body: string): ProbeHttpResponse => ({ status, contentType: 'text/plain; charset=utf-8', body });
  const moduleName = params.get('module') ?? 'http_2xx';
  const module = opts.modules.get(moduleName);
  if (module === undefined) return text(400, `Unknown module "${moduleName}"\n`);
  const target = params.get('target') ?? '';
  if (target === '') return text(400, 'Target parameter is missing\n');
  const timeout = probeTimeoutSeconds(module, headers.scrapeTimeoutSeconds, opts.timeoutOffset);
  if (timeout instanceof Error) return text(500, timeout.message + '\n');
  const started = Date.now();
  const result = await (opts.runner ?? runProbe)(module, target, {
    timeoutSeconds: timeout,
    ...(signal ? { signal } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.pingPath !== undefined ? { pingPath: opts.pingPath } : {}),
  });
  opts.history?.record({ job: '/probe', module: moduleName, target, time: started, success: result.success, durationMs: result.durationMs, log: result.log });
  const metrics = formatExposition(result.samples);
  if (params.get('debug') === 'true') {
    const logs = result.log.map((e) => formatLogLine(e, moduleName, target) + '\n').join('');
    return text(200, `Logs for the probe:\n${logs}\n\n\nMetrics that would have been returned:\n${metrics}\n\n\nModule configuration:\n${moduleYaml(module)}\n`);
  }
  return { status: 200, contentType: 'text/plain; version=0.0.4; charset=utf-8', body: metrics };
}
