/**
 * HTTP/1.1 on a socket the prober has already connected (and, over TLS, verified): the request
 * written as one string, and the response read the way Go's net/http client reads it (what
 * blackbox_exporter sees) — status line, header values kept one by one per name (Go's Header,
 * not Node's joined strings), 1xx responses skipped, the body framed by `Transfer-Encoding:
 * chunked`, `Content-Length` or the end of the connection, and Go's `resp.ContentLength`.
 *
 * It replaces node:http in the prober: a ClientRequest, its parser and an IncomingMessage stream
 * per probe cost more CPU than everything the prober does with the answer (main/probe/README.md).
 */

/** A response head as Go's http.ReadResponse + readTransfer leave it. */
export interface Http1Head {
  readonly statusCode: number;
  /** The reason phrase after the code ("Proxy Authentication Required"), possibly ''. */
  readonly reason: string;
  /** "1.1", "1.0" (Go's Proto without "HTTP/"). */
  readonly httpVersion: string;
  /** Lower-case names; each value as sent (trimmed), in order. Transfer-Encoding is removed as Go removes it. */
  readonly headers: Record<string, string[]>;
  /** Go's resp.ContentLength: the declared length, 0 for bodiless responses, -1 when unknown (chunked, or until close). */
  readonly contentLength: number;
}

export interface Http1Events {
  head(head: Http1Head): void;
  /** Body bytes, de-chunked, in order. */
  data(chunk: Buffer): void;
  end(): void;
  error(message: string): void;
}

/** Go's http.Transport default MaxResponseHeaderBytes is 10 MB; a probe needs far less. */
const maxHeadBytes = 1 << 20;
/** Go's chunked reader refuses longer chunk-size lines. */
const maxChunkLine = 4096;
/** Go's client skips at most 5 informational (1xx) responses. */
const maxInformational = 5;

const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const badValueRe = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * The request head (and body) as one string, with `Connection: close` unless the caller set a
 * Connection header. A header name that is not a token, or a value with
 * a control character, is refused as Go's client refuses it — never written (no header injection).
 */
export function http1Request(method: string, target: string, headers: Readonly<Record<string, string>>, body: string | undefined): string {
  let head = `${method} ${target} HTTP/1.1\r\n`;
  let connection = false;
  for (const name in headers) {
    if (name.length === 10 && name.toLowerCase() === 'connection') connection = true;
    const value = headers[name]!;
    if (!tokenRe.test(name)) throw new Error(`net/http: invalid header field name ${JSON.stringify(name)}`);
    if (badValueRe.test(value)) throw new Error(`net/http: invalid header field value for ${JSON.stringify(name)}`);
    head += `${name}: ${value}\r\n`;
  }
  // Go's transport with keep-alives off (blackbox's) asks for the connection to close.
  return head + (connection ? '\r\n' : 'Connection: close\r\n\r\n') + (body ?? '');
}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' | 'close' | 'done';

const trimOws = (s: string): string => s.replace(/^[ \t]+|[ \t]+$/g, '');

/** Go's parseContentLength: '' → -1, digits → the number, anything else an error. */
function parseContentLength(raw: string): number | Error {
  const s = trimOws(raw);
  if (s === '') return -1;
  if (!/^\d+$/.test(s) || s.length > 18) return new Error(`bad Content-Length ${JSON.stringify(raw)}`);
  return Number(s);
}

/**
 * Reads one response from the bytes `push`ed into it (a socket's 'data'), calling `events` as
 * the head and body arrive; `eof()` when the socket ends. Bytes after the response are ignored:
 * the prober closes the connection (Connection: close, as Go with keep-alives off).
 */
export class Http1Reader {
  private state: State = 'head';
  private pending: Buffer | undefined;
  private remaining = 0;
  private informational = 0;

  constructor(
    /** The request method: a HEAD answer has no body whatever its headers say. */
    private readonly method: string,
    private readonly events: Http1Events,
  ) {}

  get finished(): boolean {
    return this.state === 'done';
  }

  /** Stops reading (the caller closes the socket): no further events. */
  stop(): void {
    this.state = 'done';
    this.pending = undefined;
  }

  push(chunk: Buffer): void {
    if (this.state === 'done') return;
    let buf = chunk;
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let i = 0;
    while (i < buf.length && !this.finished) {
      switch (this.state) {
        case 'head': {
          const end = headEnd(buf, i);
          if (end < 0) {
            if (buf.length - i > maxHeadBytes) return this.fail(`the response head is longer than ${maxHeadBytes} bytes`);
            this.pending = buf.subarray(i);
            return;
          }
          const text = buf.toString('utf8', i, end);
          i = end;
          this.head(text);
          break;
        }
        case 'length':
        case 'chunk-data':
        case 'close': {
          const n = this.state === 'close' ? buf.length - i : Math.min(this.remaining, buf.length - i);
          if (n > 0) this.events.data(buf.subarray(i, i + n));
          i += n;
          if (this.state === 'close') break;
          this.remaining -= n;
          if (this.remaining === 0) {
            if (this.state === 'length') this.finish();
            else this.state = 'chunk-crlf';
          }
          break;
        }
        case 'chunk-crlf': {
          if (buf.length - i < 2) {
            this.pending = buf.subarray(i);
            return;
          }
          if (buf[i] !== 13 || buf[i + 1] !== 10) return this.fail('malformed chunked encoding');
          i += 2;
          this.state = 'chunk-size';
          break;
        }
        case 'chunk-size':
        case 'trailer': {
          const nl = buf.indexOf(10, i);
          if (nl < 0) {
            if (buf.length - i > maxChunkLine) return this.fail('header line too long in the chunked body');
            this.pending = buf.subarray(i);
            return;
          }
          const line = buf.toString('latin1', i, nl).replace(/\r$/, '');
          i = nl + 1;
          if (this.state === 'trailer') {
            if (line === '') this.finish();
            break;
          }
          const size = chunkSize(line);
          if (size instanceof Error) return this.fail(size.message);
          if (size === 0) this.state = 'trailer';
          else {
            this.state = 'chunk-data';
            this.remaining = size;
          }
          break;
        }
      }
    }
  }

  /** The socket ended: complete for a body read until close, an error anywhere else. */
  eof(): void {
    if (this.state === 'done') return;
    if (this.state === 'close') return this.finish();
    if (this.state === 'head') return this.fail(this.pending === undefined ? 'EOF: the server closed the connection without a response' : 'EOF: the server closed the connection in the middle of the response head');
    this.fail('unexpected EOF: the server closed the connection before the body ended');
  }

  private fail(message: string): void {
    this.state = 'done';
    this.pending = undefined;
    this.events.error(message);
  }

  private finish(): void {
    this.state = 'done';
    this.events.end();
  }

  private head(text: string): void {
    const lines = text.split(/\r?\n/);
    const statusLine = lines[0] ?? '';
    const sp = statusLine.indexOf(' ');
    if (sp < 0) return this.fail(`malformed HTTP response ${JSON.stringify(statusLine)}`);
    const proto = statusLine.slice(0, sp);
    const status = statusLine.slice(sp + 1).replace(/^ +/, '');
    const code = status.split(' ', 1)[0]!;
    if (!/^\d{3}$/.test(code)) return this.fail(`malformed HTTP status code ${JSON.stringify(code)}`);
    const version = /^HTTP\/(\d)\.(\d)$/.exec(proto);
    if (version === null) return this.fail(`malformed HTTP version ${JSON.stringify(proto)}`);
    const statusCode = Number(code);
    const headers: Record<string, string[]> = {};
    let last: string[] | undefined;
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k]!;
      if (line === '') continue; // the blank line that ends the head
      if (line[0] === ' ' || line[0] === '\t') {
        // Obsolete line folding: Go joins a continuation onto the previous value with a space.
        if (last === undefined) return this.fail(`malformed MIME header initial line: ${JSON.stringify(line)}`);
        last[last.length - 1] = trimOws(`${last[last.length - 1]!} ${trimOws(line)}`);
        continue;
      }
      const colon = line.indexOf(':');
      if (colon < 0) return this.fail(`malformed MIME header line: ${line}`);
      const name = line.slice(0, colon).toLowerCase();
      if (name === '') continue; // Go skips an empty key
      const value = trimOws(line.slice(colon + 1));
      last = headers[name] ??= [];
      last.push(value);
    }
    if (statusCode >= 100 && statusCode < 200 && statusCode !== 101) {
      // 100 Continue, 103 Early Hints…: Go's client reads on to the final response.
      if (++this.informational > maxInformational) return this.fail('net/http: too many 1xx informational responses');
      return;
    }
    // Go's readTransfer: Transfer-Encoding is taken out of the header; only "chunked" is understood.
    const te = headers['transfer-encoding'];
    let chunked = false;
    if (te !== undefined) {
      delete headers['transfer-encoding'];
      const atLeast11 = Number(version[1]) > 1 || (version[1] === '1' && version[2] !== '0');
      if (atLeast11) {
        if (te.length !== 1) return this.fail(`too many transfer encodings: ${JSON.stringify(te)}`);
        if (trimOws(te[0]!).toLowerCase() !== 'chunked') return this.fail(`unsupported transfer encoding: ${JSON.stringify(te[0])}`);
        chunked = true;
      }
    }
    const lens = headers['content-length'];
    if (lens !== undefined && lens.length > 1) {
      const first = trimOws(lens[0]!);
      if (lens.some((l) => trimOws(l) !== first)) return this.fail(`http: message cannot contain multiple Content-Length headers; got ${JSON.stringify(lens)}`);
      headers['content-length'] = [first];
    }
    if (chunked) delete headers['content-length'];
    const declared = parseContentLength(headers['content-length']?.[0] ?? '');
    const bodiless = this.method === 'HEAD' || statusCode === 101 || statusCode === 204 || statusCode === 304;
    if (declared instanceof Error && (this.method === 'HEAD' || !(bodiless || chunked))) return this.fail(declared.message);
    const length = declared instanceof Error ? -1 : declared;
    const contentLength = this.method === 'HEAD' ? length : bodiless ? 0 : chunked ? -1 : length;
    this.events.head({ statusCode, reason: status.slice(code.length + 1), httpVersion: `${version[1]}.${version[2]}`, headers, contentLength });
    if (this.finished) return; // the handler stopped reading (a CONNECT answer, an abort)
    if (bodiless || contentLength === 0) this.finish();
    else if (chunked) this.state = 'chunk-size';
    else if (contentLength > 0) {
      this.state = 'length';
      this.remaining = contentLength;
    } else this.state = 'close';
  }

}

/** Index just past the blank line ending a head that starts at `from`, or -1 when not all here. */
function headEnd(buf: Buffer, from: number): number {
  let p = from;
  for (;;) {
    const nl = buf.indexOf(10, p);
    if (nl < 0) return -1;
    const next = nl + 1;
    if (next < buf.length && buf[next] === 10) return next + 1;
    if (next + 1 < buf.length && buf[next] === 13 && buf[next + 1] === 10) return next + 2;
    if (next >= buf.length || (buf[next] === 13 && next + 1 >= buf.length)) return -1;
    p = next;
  }
}

/** Go's chunked reader: extensions after ';' dropped, trailing blanks trimmed, hex digits only. */
function chunkSize(line: string): number | Error {
  const semi = line.indexOf(';');
  const hex = (semi < 0 ? line : line.slice(0, semi)).replace(/[ \t]+$/, '');
  if (hex === '') return new Error('empty hex number for chunk length');
  if (!/^[0-9a-fA-F]+$/.test(hex)) return new Error('invalid byte in chunk length');
  if (hex.length > 13) return new Error('http chunk length too large');
  return parseInt(hex, 16);
}
