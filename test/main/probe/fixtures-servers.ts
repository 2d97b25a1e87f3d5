/** Loopback servers for the probe tests: HTTPS variants, plain HTTP routes, a TCP banner, DNS. */
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer } from 'node:http2';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import { gzipSync } from 'node:zlib';
import type { Pki } from './fixtures-pki.js';

export interface Closable {
  readonly port: number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Routes shared by the HTTP and HTTPS servers. */
function routes(base: () => string): Handler {
  return (req, res) => {
    const url = req.url ?? '/';
    const table: Record<string, () => void> = {
      '/': () => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('ok\n'); // write + end: chunked, no Content-Length (as the reference server)
        res.end();
      },
      '/fixed': () => res.writeHead(200, { 'Content-Length': '5', 'X-Build': 'v1.2.3' }).end('fixed'),
      // The same header twice: Go keeps both values (Node's client would join them with ", ").
      '/dup-header': () => res.writeHead(200, { 'Content-Length': '3', 'X-Build': ['v1', 'v2'] }).end('dup'),
      '/503': () => {
        res.writeHead(503);
        res.write('down\n');
        res.end();
      },
      '/r1': () => res.writeHead(302, { Location: '/r2' }).end(),
      '/r2': () => res.writeHead(301, { Location: `${base()}/fixed` }).end(),
      '/loop': () => res.writeHead(302, { Location: '/loop' }).end(),
      '/to-file': () => res.writeHead(302, { Location: 'file:///etc/passwd' }).end(),
      '/to-metadata': () => res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/' }).end(),
      '/slow': () => {
        const t = setTimeout(() => res.end('late'), 5000);
        res.on('close', () => clearTimeout(t));
      },
      '/big': () => {
        res.writeHead(200);
        res.end(Buffer.alloc(200_000, 97));
      },
      '/auth': () => res.writeHead(req.headers.authorization === undefined ? 401 : 200).end(),
      '/to-auth-same-host': () => res.writeHead(302, { Location: '/auth' }).end(),
      '/to-auth-other-host': () => res.writeHead(302, { Location: `${base().replace('127.0.0.1', 'localhost')}/auth` }).end(),
      '/gzip': () => res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(gzipSync(Buffer.from('compressed hello '.repeat(100)))),
      '/json': () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"healthy"}'),
    };
    (table[url] ?? (() => res.writeHead(404).end('not found')))();
  };
}

function listen(server: NetServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function closer(server: NetServer, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

function track(server: NetServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

export async function httpsServer(pki: Pki, certName: string, chain: string[], opts: { maxVersion?: 'TLSv1.2' } = {}): Promise<Closable> {
  let port = 0;
  const server = createHttpsServer(
    { key: pki.pem(`${certName}.key`), cert: [pki.pem(`${certName}.crt`), ...chain.map((c) => pki.pem(`${c}.crt`))].join(''), ...opts },
    routes(() => `https://127.0.0.1:${port}`),
  );
  const sockets = track(server);
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {});
  port = await listen(server);
  return { port, close: closer(server, sockets) };
}

/** HTTPS that offers HTTP/2 by ALPN (and HTTP/1.1 to clients that do not ask for h2). */
export async function h2Server(pki: Pki): Promise<Closable> {
  let port = 0;
  const handler = routes(() => `https://127.0.0.1:${port}`);
  const server = createSecureServer({ key: pki.pem('leaf.key'), cert: pki.pem('leaf.crt') + pki.pem('int.crt'), allowHTTP1: true }, (req, res) =>
    handler(req as unknown as IncomingMessage, res as unknown as ServerResponse),
  );
  const sockets = track(server);
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {});
  port = await listen(server);
  return { port, close: closer(server, sockets) };
}

export async function httpServer(): Promise<Closable> {
  let port = 0;
  const server = createHttpServer(routes(() => `http://127.0.0.1:${port}`));
  const sockets = track(server);
  port = await listen(server);
  return { port, close: closer(server, sockets) };
}

/** An SMTP-like banner service: 220 banner, EHLO → 250-STARTTLS, STARTTLS → 220 then TLS, then `PING` → `PONG`. */
export async function bannerServer(pki: Pki): Promise<Closable> {
  const server = createNetServer((socket) => {
    socket.on('error', () => {});
    socket.write('220 vigil.test ESMTP ready\r\n');
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line.startsWith('EHLO')) socket.write(`250-hello ${line.slice(5)}\r\n250 STARTTLS\r\n`);
        else if (line === 'STARTTLS') {
          socket.off('data', onData);
          socket.write('220 go ahead\r\n', () => {
            const tls = new TLSSocket(socket, { isServer: true, key: pki.pem('leaf.key'), cert: pki.pem('leaf.crt') + pki.pem('int.crt') });
            tls.on('error', () => {});
            tls.on('data', (x: Buffer) => {
              if (x.toString().trim() === 'PING') tls.write('PONG\n');
            });
          });
          return;
        } else if (line === 'QUIT') socket.end('221 bye\r\n');
      }
    };
    socket.on('data', onData);
  });
  const sockets = track(server);
  const port = await listen(server);
  return { port, close: closer(server, sockets) };
}

/** Answers one DNS query for the `vigil.test` zone (A, MX, SOA, TXT); NXDOMAIN outside it. */
function answerDns(msg: Buffer): Buffer | null {
  let q: dnsPacket.DecodedPacket;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    return null;
  }
  const question = q.questions?.[0];
  if (!question) return null;
  const name = question.name.toLowerCase();
  const qt: string = question.type;
  const answers: dnsPacket.Answer[] = [];
  const soa: dnsPacket.Answer = { type: 'SOA', name: 'vigil.test', ttl: 300, class: 'IN', data: { mname: 'ns1.vigil.test', rname: 'hostmaster.vigil.test', serial: 2026112601, refresh: 3600, retry: 600, expire: 86400, minimum: 60 } };
  if (name === 'vigil.test' || name === 'www.vigil.test') {
    if (qt === 'A' || qt === 'ANY') answers.push({ type: 'A', name, ttl: 300, class: 'IN', data: '192.0.2.10' }, { type: 'A', name, ttl: 300, class: 'IN', data: '192.0.2.11' });
    if (qt === 'MX' || qt === 'ANY') answers.push({ type: 'MX', name, ttl: 300, class: 'IN', data: { preference: 10, exchange: 'mx.vigil.test' } });
    if (qt === 'SOA') answers.push(soa);
    if (qt === 'TXT') answers.push({ type: 'TXT', name, ttl: 300, class: 'IN', data: 'v=spf1 -all' });
  }
  const known = name.endsWith('vigil.test');
  return dnsPacket.encode({
    type: 'response',
    id: q.id ?? 0,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | (known ? 0 : 3), // rcode 3 = NXDOMAIN
    questions: [question],
    answers,
    authorities: known && answers.length > 0 ? [{ type: 'NS', name: 'vigil.test', ttl: 300, class: 'IN', data: 'ns1.vigil.test' }] : [soa],
    additionals: [],
  });
}

/** A tiny authoritative DNS server over UDP (`port`) and TCP (`tcpPort`, length-prefixed). */
export async function dnsServer(): Promise<Closable & { readonly tcpPort: number }> {
  const sock: UdpSocket = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const res = answerDns(msg);
    if (res) sock.send(res, rinfo.port, rinfo.address);
  });
  const port = await new Promise<number>((resolve) => sock.bind(0, '127.0.0.1', () => resolve(sock.address().port)));
  const tcp = createNetServer((c) => {
    c.on('error', () => {});
    let buf = Buffer.alloc(0);
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const res = answerDns(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        if (res) {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(res.length);
          c.end(Buffer.concat([len, res]));
        }
      }
    });
  });
  const sockets = track(tcp);
  const tcpPort = await listen(tcp);
  return {
    port,
    tcpPort,
    close: async () => {
      await closer(tcp, sockets)();
      await new Promise<void>((resolve) => sock.close(() => resolve()));
    },
  };
}
