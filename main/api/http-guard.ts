import type { IncomingMessage } from 'node:http';

export interface GuardOptions {
  /** 'https' when serving TLS (the web config): browsers send https origins. */
  readonly scheme?: 'http' | 'https';
  /**
   * Listening beyond loopback (behind the web config's TLS and authentication): clients may
   * name the server any way, so only same-origin is required of browsers.
   */
  readonly anyHost?: boolean;
}

/**
 * DNS-rebinding and cross-site protection for the loopback server: the `Host` header must name
 * the address we listen on, and an `Origin`, when a browser sends one, must be our own. A page on
 * another site open in the user's browser therefore cannot drive the API.
 */
export function checkHostAndOrigin(req: IncomingMessage, port: number, opts: GuardOptions = {}): string | null {
  const scheme = opts.scheme ?? 'http';
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const host = req.headers.host;
  if (host === undefined || (!opts.anyHost && !allowedHosts.has(host.toLowerCase()))) {
    return `refused: Host header ${JSON.stringify(host ?? '')} is not this server (expected 127.0.0.1:${port})`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const allowedOrigins = opts.anyHost ? [`${scheme}://${host.toLowerCase()}`] : [...allowedHosts].map((h) => `${scheme}://${h}`);
    if (!allowedOrigins.includes(origin.toLowerCase())) {
      return `refused: Origin ${JSON.stringify(origin)} may not use this server`;
    }
  }
  return null;
}
