import type { IncomingMessage } from 'node:http';

/**
 * DNS-rebinding and cross-site protection for the loopback server: the `Host` header must name
 * the address we listen on, and an `Origin`, when a browser sends one, must be our own. A page on
 * another site open in the user's browser therefore cannot drive the API.
 */
export function checkHostAndOrigin(req: IncomingMessage, port: number): string | null {
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const host = req.headers.host;
  if (host === undefined || !allowedHosts.has(host.toLowerCase())) {
    return `refused: Host header ${JSON.stringify(host ?? '')} is not this server (expected 127.0.0.1:${port})`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const allowedOrigins = [...allowedHosts].map((h) => `http://${h}`);
    if (!allowedOrigins.includes(origin.toLowerCase())) {
      return `refused: Origin ${JSON.stringify(origin)} may not use this server`;
    }
  }
  return null;
}
