import { describe, it, expect } from 'vitest';
import { Http1Reader, http1Request, type Http1Head } from '../../../main/probe/http1.js';

interface Read {
  head?: Http1Head;
  body: string;
  ended: boolean;
  error?: string;
}

/** Feeds `wire` to a reader in pieces of `step` bytes (then EOF when `eof`), collecting what it reports. */
function read(wire: string, opts: { method?: string; step?: number; eof?: boolean } = {}): Read {
  const out: Read = { body: '', ended: false };
  const reader = new Http1Reader(opts.method ?? 'GET', {
    head: (h) => (out.head = h),
    data: (c) => (out.body += c.toString('latin1')),
    end: () => (out.ended = true),
    error: (m) => (out.error = m),
  });
  const bytes = Buffer.from(wire, 'latin1');
  const step = opts.step ?? bytes.length;
  for (let i = 0; i < bytes.length; i += step) reader.push(bytes.subarray(i, i + step));
  if (opts.eof) reader.eof();
  return out;
}

describe('HTTP/1.1 response reader (Go net/http client semantics)', () => {
  it('reads a chunked body split at every byte boundary, with extensions and trailers', () => {
    const wire = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n3;ext=1\r\nok\n\r\nA \r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n';
    for (const step of [1, 2, 7, wire.length]) {
      const r = read(wire, { step });
      expect(r.error).toBeUndefined();
      expect(r.body).toBe('ok\n0123456789');
      expect(r.ended).toBe(true);
      expect(r.head?.statusCode).toBe(200);
      expect(r.head?.reason).toBe('OK');
      expect(r.head?.httpVersion).toBe('1.1');
      // Go removes Transfer-Encoding, and Content-Length when chunked: ContentLength is -1.
      expect(r.head?.headers).toEqual({ 'content-type': ['text/plain'] });
      expect(r.head?.contentLength).toBe(-1);
    }
  });

  it('stops at Content-Length and ignores what follows; reads until EOF when no length is given', () => {
    const fixed = read('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfixedEXTRA');
    expect([fixed.body, fixed.ended, fixed.head?.contentLength]).toEqual(['fixed', true, 5]);
    const open = read('HTTP/1.0 200 OK\r\n\r\nuntil close', { step: 4 });
    expect([open.body, open.ended, open.head?.contentLength, open.head?.httpVersion]).toEqual(['until close', false, -1, '1.0']);
    const closed = read('HTTP/1.0 200 OK\r\n\r\nuntil close', { eof: true });
    expect(closed.ended).toBe(true);
  });

  it('has no body for HEAD, 204 and 304, and reports HEAD\'s declared length as Go does', () => {
    const head = read('HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n', { method: 'HEAD' });
    expect([head.ended, head.body, head.head?.contentLength]).toEqual([true, '', 42]);
    const none = read('HTTP/1.1 204 No Content\r\nContent-Length: 42\r\n\r\n');
    expect([none.ended, none.head?.contentLength]).toEqual([true, 0]);
    const notModified = read('HTTP/1.1 304 Not Modified\r\n\r\n');
    expect([notModified.ended, notModified.head?.contentLength]).toEqual([true, 0]);
  });

  it('skips informational responses up to five, as Go\'s client does', () => {
    const r = read('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi', { step: 5 });
    expect([r.head?.statusCode, r.head?.headers, r.body, r.ended]).toEqual([200, { 'content-length': ['2'] }, 'hi', true]);
    const many = read('HTTP/1.1 100 Continue\r\n\r\n'.repeat(6) + 'HTTP/1.1 200 OK\r\n\r\n');
    expect(many.error).toMatch(/too many 1xx/);
  });

  it('keeps every value of a repeated header on its own, trims blanks, unfolds continuation lines', () => {
    const r = read('HTTP/1.1 200 OK\nX-Build: v1\nx-build:  v2 \nX-Long: a\n  b\nContent-Length: 0\n\n');
    expect(r.error).toBeUndefined();
    expect(r.head?.headers['x-build']).toEqual(['v1', 'v2']);
    expect(r.head?.headers['x-long']).toEqual(['a b']);
    expect(r.ended).toBe(true);
  });

  it('refuses what Go refuses: conflicting lengths, unknown transfer codings, bad status lines and chunks', () => {
    expect(read('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n').error).toMatch(/multiple Content-Length/);
    expect(read('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok').body).toBe('ok');
    expect(read('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n').error).toMatch(/bad Content-Length "x"/);
    expect(read('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n').error).toMatch(/unsupported transfer encoding: "gzip"/);
    expect(read('HTTP/1.1 2000 OK\r\n\r\n').error).toMatch(/malformed HTTP status code/);
    expect(read('HTTX/1.1 200 OK\r\n\r\n').error).toMatch(/malformed HTTP version/);
    expect(read('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n').error).toMatch(/malformed MIME header line/);
    expect(read('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n').error).toMatch(/invalid byte in chunk length/);
    expect(read('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX').error).toMatch(/malformed chunked encoding/);
  });

  it('reports a connection closed before the response or the body ended', () => {
    expect(read('', { eof: true }).error).toMatch(/without a response/);
    expect(read('HTTP/1.1 200 OK\r\nContent-', { eof: true }).error).toMatch(/middle of the response head/);
    const cut = read('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort', { eof: true });
    expect([cut.body, cut.ended, cut.error]).toEqual(['short', false, 'unexpected EOF: the server closed the connection before the body ended']);
  });

  it('writes the request in one piece and refuses header injection', () => {
    expect(http1Request('GET', '/x?y=1', { Host: 'h:1', 'User-Agent': 'ua' }, undefined)).toBe('GET /x?y=1 HTTP/1.1\r\nHost: h:1\r\nUser-Agent: ua\r\nConnection: close\r\n\r\n');
    expect(http1Request('POST', '/', { Host: 'h', 'Content-Length': '2' }, 'hi')).toBe('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi');
    expect(() => http1Request('GET', '/', { 'X-A': 'v\r\nX-Injected: 1' }, undefined)).toThrow(/invalid header field value for "X-A"/);
    expect(() => http1Request('GET', '/', { 'X A': 'v' }, undefined)).toThrow(/invalid header field name "X A"/);
  });
});
