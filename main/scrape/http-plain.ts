/**
 * Plain-HTTP scrapes without node:http: one kept-alive `net` socket per target, a request head
 * written as one string, and the response head and body (Content-Length, chunked, or up to the
 * close) parsed here. node:http's ClientRequest, IncomingMessage stream, header objects and a
 * Buffer per socket read cost about 15 % of a W-fleet scrape's CPU; here every socket reads into
 * one shared 64 KiB buffer (`onread`, handed over synchronously) and the body is copied once into
 * a buffer the connection keeps for its next response.
 *
 * Only `http:` without a proxy comes here (./http.ts picks the path); TLS, proxies, HTTP/2 and
 * redirect hops keep node:http(s). Connections are kept as Prometheus' Go transport keeps them:
 * `Connection: close` and HTTP/1.0 end one, an idle one is dropped after 5 minutes or when the
 * server closes it, the server's `Keep-Alive: timeout=N` hint is not read, and a request on a
 * reused connection that the server closed before answering a byte is sent once more on a new
 * one. node:http's agent instead dropped a connection 1 s before the hint (it does not retry):
 * against Node servers (5 s) scraped every 5 s, that was a new connection for every scrape.
 * 1xx responses are skipped.
 */
import { Buffer } from 'node:buffer';
import net from 'node:net';

/** Why a plain fetch failed (./http.ts turns these into ScrapeHttpErrors). */
export type PlainFailure = 'timeout' | 'body_size' | 'network' | 'aborted';

export class PlainHttpError extends Error {
  constructor(
    readonly reason: PlainFailure,
    message: string,
    /** True once the response head was read: Go then reports the error without `Get "<url>":`. */
    readonly afterHead: boolean,
  ) {
    super(message);
  }
}

export interface PlainResponse {
  readonly status: number;
  readonly statusMessage: string;
  readonly contentType: string;
  readonly contentEncoding: string;
  readonly location: string | undefined;
  /**
   * The body of a 200 response (empty for other statuses). Unless `owned`, a view of the
   * connection's reused buffer: valid until `release()`.
   */
  readonly body: Buffer;
  readonly owned: boolean;
  /** Hands the connection back for the next scrape; call once the body is consumed. */
  release(): void;
}

export interface PlainRequest {
  readonly url: URL;
  /** The whole request head, CRLF-terminated (./http.ts builds it). */
  readonly head: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Body bytes at which the fetch fails with body_size (Infinity: none), given whether it is gzip. */
  readonly capOf: (gzipped: boolean) => number;
}

/** Every plain socket reads into this buffer; the callback copies out of it before the next read. */
const readChunk = Buffer.allocUnsafe(64 * 1024);
/** Largest response head taken, in bytes. */
const maxHeadBytes = 1024 * 1024;
/** A kept body buffer larger than this is let go after the response (one huge page, not every scrape). */
const keepBodyMax = 8 * 1024 * 1024;
/** Prometheus' IdleConnTimeout (prometheus/common's HTTP client). */
const idleTimeoutMs = 5 * 60 * 1000;

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailer,
  UntilClose,
  Done,
}

/** The connections of one target: one kept for reuse, a second opened only while the first is busy. */
export class PlainHttpConnections {
  private idle: PlainConnection | null = null;
  private closed = false;

  async fetch(req: PlainRequest): Promise<PlainResponse> {
    const deadline = Date.now() + req.timeoutMs;
    let conn = this.takeIdle(req.url);
    for (;;) {
      const reused = conn !== null;
      conn ??= new PlainConnection(req.url);
      try {
        return await conn.exchange(req, Math.max(1, deadline - Date.now()), (c) => this.giveBack(c));
      } catch (err) {
        // Go's transport: a reused connection the server closed before answering is retried once on a new one.
        if (!(err instanceof RetryableClose) || !reused || Date.now() >= deadline) {
          throw err instanceof RetryableClose ? new PlainHttpError('network', 'EOF', false) : err;
        }
        conn = null;
      }
    }
  }

  close(): void {
    this.closed = true;
    this.idle?.destroy();
    this.idle = null;
  }

  private takeIdle(url: URL): PlainConnection | null {
    const c = this.idle;
    this.idle = null;
    if (c === null) return null;
    if (c.usableFor(url)) return c;
    c.destroy();
    return null;
  }

  private giveBack(c: PlainConnection): void {
    if (this.closed || this.idle !== null || !c.reusable) c.destroy();
    else {
      c.park();
      this.idle = c;
    }
  }
}

/** A reused connection closed before any response byte: ./PlainHttpConnections sends the request again. */
class RetryableClose extends Error {}

interface Exchange {
  resolve(r: PlainResponse): void;
  reject(e: Error): void;
  capOf(gzipped: boolean): number;
  giveBack(c: PlainConnection): void;
}

class PlainConnection {
  private readonly socket: net.Socket;
  private readonly origin: string;
  private dead = false;
  /** Requests answered on this socket (a failure on a used one may be the server's idle close). */
  private answered = 0;
  private idleUntil = 0;
  private ex: Exchange | null = null;
  private timer: NodeJS.Timeout | null = null;
  private abortSignal: AbortSignal | undefined;
  private readonly onAbort = (): void => this.fail(new PlainHttpError('aborted', 'context canceled', this.state !== State.Head));

  // The response being read.
  private state = State.Head;
  private gotBytes = false;
  private headBuf = Buffer.allocUnsafe(0);
  private headLen = 0;
  private status = 0;
  private statusMessage = '';
  private contentType = '';
  private contentEncoding = '';
  private location: string | undefined = undefined;
  private keepAlive = true;
  private remaining = 0;
  private line = '';
  private cap = Infinity;
  /** Body kept across responses; `owned` bodies are allocated per response instead. */
  private store: Buffer = Buffer.allocUnsafe(0);
  private body: Buffer = this.store;
  private bodyOwned = false;
  private bodyLen = 0;
  reusable = false;

  constructor(url: URL) {
    this.origin = url.host;
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.socket = net.connect({
      host,
      port: Number(url.port || 80),
      onread: { buffer: readChunk, callback: (n: number) => this.onRead(n) },
    });
    this.socket.setNoDelay(true);
    this.socket.on('error', (err: Error) => this.onClose(err));
    this.socket.on('end', () => this.onClose(null));
    this.socket.on('close', () => this.onClose(null));
  }

  usableFor(url: URL): boolean {
    return !this.dead && url.host === this.origin && Date.now() < this.idleUntil;
  }

  /** Idle between scrapes: does not keep the process alive. */
  park(): void {
    this.socket.unref();
    this.idleUntil = Date.now() + idleTimeoutMs;
  }

  destroy(): void {
    this.dead = true;
    this.socket.destroy();
  }

  exchange(req: PlainRequest, timeoutMs: number, giveBack: (c: PlainConnection) => void): Promise<PlainResponse> {
    return new Promise((resolve, reject) => {
      this.ex = { resolve, reject, capOf: req.capOf, giveBack };
      this.resetResponse();
      this.socket.ref();
      this.timer = setTimeout(() => this.fail(new PlainHttpError('timeout', 'context deadline exceeded', this.state !== State.Head)), timeoutMs);
      this.abortSignal = req.signal;
      if (req.signal?.aborted) {
        this.onAbort();
        return;
      }
      req.signal?.addEventListener('abort', this.onAbort, { once: true });
      if (this.dead) this.fail(this.answered > 0 ? new RetryableClose() : new PlainHttpError('network', 'EOF', false));
      else this.socket.write(req.head, 'latin1');
    });
  }

  private resetResponse(): void {
    this.state = State.Head;
    this.gotBytes = false;
    this.headLen = 0;
    this.status = 0;
    this.statusMessage = '';
    this.contentType = '';
    this.contentEncoding = '';
    this.location = undefined;
    this.keepAlive = true;
    this.remaining = 0;
    this.line = '';
    this.cap = Infinity;
    this.bodyLen = 0;
    this.reusable = false;
  }

  private settle(): Exchange | null {
    const ex = this.ex;
    this.ex = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.abortSignal?.removeEventListener('abort', this.onAbort);
    this.abortSignal = undefined;
    return ex;
  }

  private fail(err: Error): void {
    const ex = this.settle();
    this.destroy();
    ex?.reject(err);
  }

  private onClose(err: Error | null): void {
    this.dead = true;
    if (this.ex === null) return;
    if (this.state === State.UntilClose && err === null) return this.finish();
    if (!this.gotBytes && this.answered > 0) return this.fail(new RetryableClose());
    if (err !== null) return this.fail(new PlainHttpError('network', err.message, this.state !== State.Head));
    this.fail(new PlainHttpError('network', this.state === State.Head ? 'EOF' : 'unexpected EOF', this.state !== State.Head));
  }

  private onRead(n: number): boolean {
    if (this.ex === null) {
      // Bytes while idle: the server broke the protocol; this socket is not reused.
      this.destroy();
      return false;
    }
    this.gotBytes = true;
    try {
      this.consume(readChunk, 0, n);
    } catch (err) {
      this.fail(err as Error);
    }
    return true;
  }

  private consume(buf: Buffer, at: number, end: number): void {
    while (at < end && this.ex !== null) {
      switch (this.state) {
        case State.Head:
          at = this.readHead(buf, at, end);
          break;
        case State.Length: {
          const k = Math.min(this.remaining, end - at);
          this.take(buf, at, k);
          at += k;
          this.remaining -= k;
          if (this.remaining === 0) this.finish();
          break;
        }
        case State.UntilClose:
          this.take(buf, at, end - at);
          at = end;
          break;
        case State.ChunkSize:
        case State.Trailer: {
          const nl = buf.indexOf(10, at);
          const stop = nl < 0 || nl >= end ? end : nl;
          this.line += buf.toString('latin1', at, stop);
          if (this.line.length > 4096) throw new PlainHttpError('network', 'http: malformed chunked encoding', true);
          at = stop;
          if (nl < 0 || nl >= end) break;
          at++;
          const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
          this.line = '';
          if (this.state === State.Trailer) {
            if (line === '') this.finish();
            break;
          }
          const hex = line.split(';', 1)[0]!.trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new PlainHttpError('network', 'http: malformed chunked encoding', true);
          const size = parseInt(hex, 16);
          if (size === 0) this.state = State.Trailer;
          else {
            this.remaining = size;
            this.state = State.ChunkData;
          }
          break;
        }
        case State.ChunkData: {
          const k = Math.min(this.remaining, end - at);
          this.take(buf, at, k);
          at += k;
          this.remaining -= k;
          if (this.remaining === 0) {
            this.state = State.ChunkDataEnd;
            this.line = '';
          }
          break;
        }
        case State.ChunkDataEnd: {
          // The CRLF after a chunk's data.
          const c = buf[at++]!;
          if (c === 13 && this.line === '') this.line = '\r';
          else if (c === 10) {
            this.line = '';
            this.state = State.ChunkSize;
          } else throw new PlainHttpError('network', 'http: malformed chunked encoding', true);
          break;
        }
        case State.Done:
          // Bytes after the response: not a connection to reuse.
          this.reusable = false;
          return;
      }
    }
  }

  /** Appends body bytes, failing at the cap as node:http's streaming count did. */
  private take(buf: Buffer, at: number, k: number): void {
    if (k === 0) return;
    const size = this.bodyLen + k;
    if (size >= this.cap) throw new PlainHttpError('body_size', 'body size limit exceeded', true);
    if (size > this.body.length) {
      const next = Buffer.allocUnsafe(Math.max(size, Math.min(this.cap, this.body.length * 2), 16 * 1024));
      this.body.copy(next, 0, 0, this.bodyLen);
      this.body = next;
    }
    buf.copy(this.body, this.bodyLen, at, at + k);
    this.bodyLen = size;
  }

  /** Collects head bytes up to the blank line; returns where the body starts in `buf`. */
  private readHead(buf: Buffer, at: number, end: number): number {
    const need = this.headLen + (end - at);
    if (need > this.headBuf.length) {
      const next = Buffer.allocUnsafe(Math.min(Math.max(need, 1024, this.headBuf.length * 2), maxHeadBytes + 4));
      this.headBuf.copy(next, 0, 0, this.headLen);
      this.headBuf = next;
    }
    const from = Math.max(0, this.headLen - 3);
    const k = Math.min(end - at, this.headBuf.length - this.headLen);
    buf.copy(this.headBuf, this.headLen, at, at + k);
    this.headLen += k;
    const stop = this.headBuf.subarray(0, this.headLen).indexOf('\r\n\r\n', from, 'latin1');
    if (stop < 0) {
      if (this.headLen > maxHeadBytes) throw new PlainHttpError('network', 'net/http: server response headers exceeded 1048576 bytes; aborted', false);
      return at + k;
    }
    // Bytes of this read past the head belong to the body.
    const bodyAt = at + k - (this.headLen - (stop + 4));
    const informational = this.parseHead(this.headBuf.toString('latin1', 0, stop));
    this.headLen = 0;
    if (informational) return bodyAt;
    if (this.state === State.Done) this.finish();
    return bodyAt;
  }

  /** Reads the status line and headers; sets the body framing. True for a 1xx head (another head follows). */
  private parseHead(text: string): boolean {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]!);
    if (m === null) throw new PlainHttpError('network', `malformed HTTP response ${JSON.stringify(lines[0]!.slice(0, 100))}`, false);
    const status = Number(m[2]);
    if (status >= 100 && status < 200 && status !== 101) return true;
    this.status = status;
    this.statusMessage = m[3] ?? '';
    const http10 = m[1] === '0';
    let contentLength: string | undefined;
    let chunked = false;
    let hasTransferEncoding = false;
    let connection = '';
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i]!;
      const colon = l.indexOf(':');
      if (colon <= 0) throw new PlainHttpError('network', `malformed MIME header line: ${l.slice(0, 100)}`, false);
      const name = l.slice(0, colon).toLowerCase();
      const value = l.slice(colon + 1).trim();
      switch (name) {
        case 'content-length':
          if (contentLength !== undefined && contentLength !== value) throw new PlainHttpError('network', `http: message cannot contain multiple Content-Length headers; got "${contentLength}" and "${value}"`, false);
          contentLength = value;
          break;
        case 'transfer-encoding':
          hasTransferEncoding = true;
          chunked = /(^|,)\s*chunked\s*$/i.test(value);
          break;
        case 'content-encoding':
          this.contentEncoding = this.contentEncoding === '' ? value : `${this.contentEncoding}, ${value}`;
          break;
        case 'content-type':
          if (this.contentType === '') this.contentType = value;
          break;
        case 'location':
          this.location ??= value;
          break;
        case 'connection':
          connection += `${value.toLowerCase()},`;
          break;
      }
    }
    this.keepAlive = http10 ? /\bkeep-alive\b/.test(connection) : !/\bclose\b/.test(connection);
    if (status !== 200) {
      // Not read through (as node:http's resume() before): the caller fails or follows the redirect.
      this.keepAlive = false;
      this.state = State.Done;
      return false;
    }
    const gzipped = /\bgzip\b/i.test(this.contentEncoding);
    this.cap = this.ex!.capOf(gzipped);
    this.body = this.store;
    this.bodyOwned = false;
    if (hasTransferEncoding) {
      if (chunked) this.state = State.ChunkSize;
      else {
        this.state = State.UntilClose;
        this.keepAlive = false;
      }
    } else if (contentLength !== undefined) {
      if (!/^\d{1,15}$/.test(contentLength)) throw new PlainHttpError('network', `bad Content-Length "${contentLength}"`, false);
      this.remaining = Number(contentLength);
      if (this.remaining >= this.cap) throw new PlainHttpError('body_size', 'body size limit exceeded', true);
      if (!gzipped) {
        // The page itself: the parser keeps it for the scrape, so it gets a buffer of its own.
        this.body = Buffer.allocUnsafe(this.remaining);
        this.bodyOwned = true;
      } else if (this.remaining > this.store.length) {
        this.store = this.body = Buffer.allocUnsafe(this.remaining);
      }
      this.state = this.remaining === 0 ? State.Done : State.Length;
    } else {
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
    return false;
  }

  private finish(): void {
    this.state = State.Done;
    const ex = this.settle();
    if (ex === null) return;
    this.answered++;
    // Only a whole 200 response leaves the connection ready: other statuses are not read through.
    this.reusable = this.keepAlive && !this.dead;
    if (!this.bodyOwned && this.body !== this.store && this.body.length <= keepBodyMax) this.store = this.body;
    if (this.store.length > keepBodyMax) this.store = Buffer.allocUnsafe(0);
    const body = this.status === 200 ? this.body.subarray(0, this.bodyLen) : Buffer.alloc(0);
    let released = false;
    ex.resolve({
      status: this.status,
      statusMessage: this.statusMessage,
      contentType: this.contentType,
      contentEncoding: this.contentEncoding,
      location: this.location,
      body,
      owned: this.bodyOwned,
      release: () => {
        if (released) return;
        released = true;
        ex.giveBack(this);
      },
    });
  }
}
