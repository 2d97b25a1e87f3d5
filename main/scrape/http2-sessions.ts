/**
 * `enable_http2` for scrapes: Prometheus 2.42 scrapes an https target over HTTP/2 when the
 * server offers it by ALPN (checked against the Debian binary), and over HTTP/1.1 with
 * `enable_http2: false`. One session per origin is kept open between scrapes, as Go's transport
 * keeps its connection; an origin whose server picks http/1.1 is remembered and scraped through
 * the keep-alive agent from then on. Plain http stays HTTP/1.1 (no h2c), as in Go.
 */
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import type { LookupFunction } from 'node:net';
import { connectTls } from '../http-client/alpn.js';
import type { NodeTlsOptions } from '../http-client/tls.js';

export class Http2Sessions {
  private readonly sessions = new Map<string, ClientHttp2Session>();
  /** Origins whose server chose http/1.1. */
  private readonly http1 = new Set<string>();

  constructor(private readonly tls: NodeTlsOptions) {}

  /**
   * The open HTTP/2 session for the URL's origin, a new one, or null when the server speaks
   * HTTP/1.1. Rejects with a TlsConnectError when the connection or handshake fails.
   */
  async session(url: URL, timeoutMs: number, signal?: AbortSignal, lookup?: LookupFunction): Promise<ClientHttp2Session | null> {
    const origin = url.origin;
    if (this.http1.has(origin)) return null;
    const open = this.sessions.get(origin);
    if (open !== undefined && !open.closed && !open.destroyed) return open;
    const socket = await connectTls(url, this.tls, timeoutMs, signal, lookup);
    if (socket.alpnProtocol !== 'h2') {
      socket.destroy();
      this.http1.add(origin);
      return null;
    }
    const session = http2Connect(origin, { createConnection: () => socket });
    const forget = (): void => {
      if (this.sessions.get(origin) === session) this.sessions.delete(origin);
    };
    session.on('error', forget); // the streams in flight report it
    session.on('goaway', forget);
    session.on('close', forget);
    this.sessions.set(origin, session);
    return session;
  }

  close(): void {
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
  }
}
