/**
 * The floor under any Node.js prober: what Node itself spends per HTTPS request shaped like the
 * probe's (a new TLS connection verified against the same CA, `GET /`, body read, socket closed)
 * with no probe logic at all — and the same plus reading the presented chain through
 * `getPeerX509Certificate()` (which clones every issuer certificate natively), as the prober must
 * to report it. probe-bench.ts runs it with `--floor`, on this thread, beside Vigil's figure.
 */
import { request } from 'node:http';
import { connect, createSecureContext } from 'node:tls';

export interface FloorFigure {
  readonly requestsPerSecond: number;
  readonly cpuMsPerRequest: number;
}

function oneRequest(port: number, secureContext: ReturnType<typeof createSecureContext>, readChain: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, secureContext, ALPNProtocols: ['http/1.1'] });
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      if (!socket.authorized) return reject(new Error(`floor request not verified: ${String(socket.authorizationError)}`));
      if (readChain) for (let c = socket.getPeerX509Certificate(); c !== undefined; c = c.issuerCertificate) void c.fingerprint256;
      const req = request({ host: '127.0.0.1', port, path: '/', createConnection: () => socket });
      req.on('response', (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          socket.destroy();
          resolve();
        });
      });
      req.on('error', reject);
      req.end();
    });
  });
}

export async function nodeFloor(port: number, caPem: string, total: number, concurrency: number, readChain: boolean): Promise<FloorFigure> {
  const secureContext = createSecureContext({ ca: caPem });
  const runAll = async (n: number): Promise<void> => {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next++ < n) await oneRequest(port, secureContext, readChain);
    }));
  };
  await runAll(Math.min(100, total)); // warm-up
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await runAll(total);
  const cpu = process.cpuUsage(c0);
  return { requestsPerSecond: total / ((performance.now() - t0) / 1000), cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / total };
}
