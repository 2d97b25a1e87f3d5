/**
 * How one scrape target is fetched: its client (TLS and proxy from the job's HTTP client config)
 * and the request of one scrape (deadline, body limit, auth, compression, redirects). The scrape
 * loop and the Targets page's lint both fetch through here, so a target is reached the same way
 * by both.
 */
import { authorizationHeader } from '../http-client/auth.js';
import { nodeTlsOptions } from '../http-client/tls.js';
import { ScrapeClient, type ScrapeRequest } from './http.js';
import type { ScrapeTarget } from './target-types.js';
import { acceptHeader } from './protocols.js';

/** The target's client (TLS, proxy, HTTP/2); throws naming an unreadable CA, certificate or key file. */
export function targetClient(target: ScrapeTarget): ScrapeClient {
  return new ScrapeClient(nodeTlsOptions(target.tls), target.proxy, target.enableHttp2);
}

/** The request of one scrape; secret files are read now. Throws naming an unreadable secret file. */
export async function targetRequest(target: ScrapeTarget, userAgent: string, signal?: AbortSignal): Promise<ScrapeRequest> {
  const authorization = await authorizationHeader(target.auth);
  return {
    url: target.url,
    timeoutMs: target.timeout,
    bodySizeLimit: target.limits.bodySizeLimit,
    ...(authorization !== undefined ? { authorization } : {}),
    compression: target.enableCompression,
    accept: acceptHeader(target.scrapeProtocols),
    followRedirects: target.followRedirects,
    userAgent,
    ...(signal !== undefined ? { signal } : {}),
  };
}
