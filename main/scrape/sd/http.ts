/**
 * http_sd_configs: GET a JSON list of target groups every refresh_interval, as Prometheus'
 * HTTP SD: sends `X-Prometheus-Refresh-Interval-Seconds`, requires HTTP 200 and a JSON content
 * type, adds `__meta_url`, and removes groups that a shorter answer no longer lists. A failed
 * refresh keeps the previous targets.
 */
import type { HttpSdConfig } from '../../config/schema-sd.js';
import { authorizationHeader } from '../../http-client/auth.js';
import { httpRequest, type HttpResponse } from '../../http-client/request.js';
import { authSettings, proxySettings, tlsSettings, type HttpAuth } from '../../http-client/settings.js';
import { nodeTlsOptions } from '../../http-client/tls.js';
import { sleep, type Discoverer, type OnDiscoveryError, type TargetGroup } from './discoverer.js';
import { parseGroups } from './group-parse.js';

const jsonContentType = /^application\/json(;\s*charset=("utf-8"|utf-8))?$/i;
const maxBody = 16 * 1024 * 1024; // an SD answer larger than this is a mistake, not a fleet

export class HttpDiscoverer implements Discoverer {
  private lastCount = 0;
  /** Built once so an OAuth2 token is reused across refreshes until it expires. */
  private readonly auth: HttpAuth;

  constructor(
    private readonly config: HttpSdConfig,
    private readonly onError: OnDiscoveryError = () => {},
  ) {
    this.auth = authSettings(config);
  }

  /** One refresh; throws with a message naming the URL on failure. */
  async refresh(signal: AbortSignal = new AbortController().signal): Promise<TargetGroup[]> {
    const url = new URL(this.config.url);
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': 'Vigil',
      'X-Prometheus-Refresh-Interval-Seconds': String(this.config.refresh_interval / 1000),
    };
    const auth = await authorizationHeader(this.auth);
    if (auth !== undefined) headers['Authorization'] = auth;
    const where = `HTTP SD ${this.config.url}`;
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        method: 'GET',
        headers,
        tls: nodeTlsOptions(tlsSettings(this.config.tls_config)),
        timeoutMs: Math.max(1000, this.config.refresh_interval),
        signal,
        maxBodyBytes: maxBody,
        followRedirects: this.config.follow_redirects,
        proxy: proxySettings(this.config),
        http2: this.config.enable_http2,
      });
    } catch (err) {
      throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (res.status !== 200) throw new Error(`${where}: server returned HTTP status ${res.status}`);
    const contentType = res.headers['content-type'] ?? '';
    if (!jsonContentType.test(contentType.trim())) throw new Error(`${where}: unsupported content type ${JSON.stringify(contentType)}: serve application/json`);
    let data: unknown;
    try {
      data = JSON.parse(res.body.toString('utf8'));
    } catch (err) {
      throw new Error(`${where}: invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    const source = (i: number) => `${this.config.url}:${i}`;
    const groups = parseGroups(data, where, source, { __meta_url: this.config.url });
    // Groups the server stopped sending must be removed explicitly.
    const count = groups.length;
    for (let i = count; i < this.lastCount; i++) groups.push({ source: source(i), targets: [], labels: {} });
    this.lastCount = count;
    return groups;
  }

  async run(signal: AbortSignal, send: (groups: readonly TargetGroup[]) => void): Promise<void> {
    while (!signal.aborted) {
      try {
        const groups = await this.refresh(signal);
        if (!signal.aborted) send(groups);
      } catch (err) {
        if (!signal.aborted) this.onError({ mechanism: 'http', message: err instanceof Error ? err.message : String(err) });
      }
      await sleep(this.config.refresh_interval, signal);
    }
  }
}
