/**
 * What every receiver integration (webhook, email, PagerDuty, desktop, inbox, Alertmanager)
 * implements, and the notification it is handed: one aggregation group's alerts at one moment.
 */
import { authorizationHeader } from '../http-client/auth.js';
import { directConnection } from '../http-client/proxy.js';
import { httpRequest, type HttpResponse } from '../http-client/request.js';
import type { HttpClientSettings } from '../http-client/schema.js';
import { noTls } from '../http-client/settings.js';
import { nodeTlsOptions } from '../http-client/tls.js';
import type { NotifyAlert } from './alert.js';

export interface Notification {
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  /** Firing and resolved alerts of the group (resolved ones only when the integration wants them). */
  alerts: NotifyAlert[];
  externalURL: string;
  /** The time the group was flushed; decides which alerts count as resolved. */
  atMs: number;
  /**
   * The longest the dispatcher may stay quiet about this unchanged group (repeat_interval +
   * group_interval). Receivers that expire alerts themselves (Alertmanager) use it as validity.
   */
  validForMs?: number;
}

export interface Integration {
  /** `receiver/kind/index`, e.g. `ops/webhook/0`: the notification log's key. */
  readonly name: string;
  readonly kind: string;
  readonly sendResolved: boolean;
  send(n: Notification, signal: AbortSignal): Promise<void>;
}

/** A failed delivery; `retryable` is false for answers that will not change (most 4xx). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Alertmanager's rule: 5xx and 429 are worth retrying, other 4xx are not. */
export function retryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** A receiver without http_config: no auth, system CAs, redirects followed (Alertmanager's defaults). */
const defaultHttpClient: HttpClientSettings = { auth: { kind: 'none' }, tls: noTls, followRedirects: true, proxy: directConnection, http2: true };

/** An answer longer than this is cut off as an error; receivers only read a status and a short message. */
const maxAnswerBytes = 1024 * 1024;

/** POSTs JSON with the receiver's http_config and turns the answer into success or a DeliveryError naming the target. */
export async function postJson(url: string, body: unknown, signal: AbortSignal, what: string, timeoutMs = 10_000, client: HttpClientSettings = defaultHttpClient): Promise<void> {
  let res: HttpResponse;
  try {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Vigil' };
    const authorization = await authorizationHeader(client.auth);
    if (authorization !== undefined) headers['authorization'] = authorization;
    res = await httpRequest(new URL(url), {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      tls: nodeTlsOptions(client.tls),
      timeoutMs,
      signal,
      maxBodyBytes: maxAnswerBytes,
      followRedirects: client.followRedirects,
      proxy: client.proxy,
      http2: client.http2,
    });
  } catch (e) {
    throw new DeliveryError(`${what}: POST ${redactUrl(url)} failed: ${(e as Error).message}`, true);
  }
  if (res.status >= 200 && res.status <= 299) return;
  const text = res.body.toString('utf8');
  throw new DeliveryError(`${what}: POST ${redactUrl(url)} answered ${res.status}${text === '' ? '' : `: ${text.slice(0, 200)}`}`, retryableStatus(res.status));
}

/** Hides credentials in URLs before they reach logs or error messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '<secret>';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

export function firingAndResolved(n: Notification): { firing: NotifyAlert[]; resolved: NotifyAlert[] } {
  const firing = n.alerts.filter((a) => a.endsAtMs === 0 || a.endsAtMs > n.atMs);
  const resolved = n.alerts.filter((a) => a.endsAtMs !== 0 && a.endsAtMs <= n.atMs);
  return { firing, resolved };
}

/** Labels (or annotations) shared by every alert, as Alertmanager's commonLabels. */
export function common(maps: Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (first === undefined) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) if (rest.every((m) => m[k] === v)) out[k] = v;
  return out;
}

/** `[FIRING:2] InstanceDown (job="node")`, the subject/summary line Alertmanager's default templates write. */
export function summaryLine(n: Notification): string {
  const { firing, resolved } = firingAndResolved(n);
  const status = firing.length > 0 ? `FIRING:${firing.length}` : 'RESOLVED';
  const cl = common(n.alerts.map((a) => a.labels));
  const name = n.groupLabels['alertname'] ?? cl['alertname'] ?? '';
  const rest = Object.entries({ ...n.groupLabels, ...cl })
    .filter(([k]) => k !== 'alertname')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}="${v}"`);
  void resolved;
  return `[${status}] ${name}${rest.length > 0 ? ` (${rest.join(' ')})` : ''}`.trim();
}
