/**
 * The tcp prober: connect (optionally over TLS), then the query_response dialogue — wait for a
 * line matching `expect`, send `send` (with ${1}/$name expansion from the match), and upgrade
 * with STARTTLS — as blackbox_exporter 0.23's ProbeTCP.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket, type ConnectionOptions } from 'node:tls';
import { expandTemplate, type RegexMatch } from '../../app/dialect/regex.js';
import type { TcpProbeConfig } from './module-schema.js';
import { chooseProtocol, type LookupFn } from './resolve.js';
import { explainChain, lightenHostCheck, recordCertSeries, recordTlsMetrics, secureContextFor, tlsFacts, trustedRoots, type ChainCert } from './tls-chain.js';

import type { ProbeContext } from './types.js';
import { nodeTlsOptions } from '../http-client/tls.js';
import { tlsSettings } from '../http-client/settings.js';

/** Splits "host:port" / "[v6]:port" like Go's net.SplitHostPort; null when there is no port. */
export function splitHostPort(target: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(target);
  if (!m) return null;
  const port = Number(m[3]);
  return port > 65535 ? null : { host: m[1] ?? m[2] ?? '', port };
}

/** Reads '\n'-terminated lines (a trailing '\r' dropped, as bufio.ScanLines) from a socket. */
class LineReader {
  private buf = '';
  private ended = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly onData = (d: Buffer): void => {
    this.buf += d.toString('latin1');
    this.wake?.();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.wake?.();
  };
  private readonly onError = (e: Error): void => {
    this.error = e;
    this.wake?.();
  };
  constructor(private readonly socket: Socket, private readonly signal: AbortSignal) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }
  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    // Back to paused mode, or wrapping the socket in TLS trips an internal Node assertion.
    this.socket.pause();
  }
  async line(): Promise<string | null> {
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl >= 0) {
        const line = this.buf.slice(0, nl).replace(/\r$/, '');
        this.buf = this.buf.slice(nl + 1);
        return line;
      }
      if (this.error) throw this.error;
      if (this.signal.aborted) throw new Error('timeout: the probe ran out of time waiting for a line');
      if (this.ended) {
        if (this.buf === '') return null;
        const rest = this.buf;
        this.buf = '';
        return rest;
      }
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        this.signal.addEventListener('abort', onAbort, { once: true });
        this.wake = () => {
          this.signal.removeEventListener('abort', onAbort);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}

function tlsOptions(cfg: TcpProbeConfig, host: string): { opts: ConnectionOptions; roots: ChainCert[] } {
  const { ca, cert, key, servername: configured, minVersion, maxVersion } = nodeTlsOptions(tlsSettings(cfg.tls_config));
  const servername = configured ?? host;
  const isIpName = /^[\d.]+$|:/.test(servername);
  return {
    opts: {
      secureContext: secureContextFor({
        ...(ca !== undefined ? { ca } : {}),
        ...(cert !== undefined ? { cert } : {}),
        ...(key !== undefined ? { key } : {}),
        ...(minVersion !== undefined ? { minVersion } : {}),
        ...(maxVersion !== undefined ? { maxVersion } : {}),
      }),
      ...(isIpName ? {} : { servername }),
      // Verified below so failures can name the certificate; the host check still runs.
      rejectUnauthorized: false,
      ...(isIpName ? { checkServerIdentity: (_h: string, cert: { subjectaltname?: string }) => checkIp(servername, cert) } : {}),
    },
    roots: trustedRoots(ca),
  };
}

/** Node checks an IP servername only when it is the connect host; we connect by IP anyway. */
function checkIp(ip: string, cert: { subjectaltname?: string }): Error | undefined {
  const sans = (cert.subjectaltname ?? '').split(', ');
  return sans.includes(`IP Address:${ip}`) ? undefined : new Error(`certificate is not valid for IP ${ip}`);
}

function waitFor<T extends Socket>(socket: T, event: string, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      socket.destroy();
      reject(new Error('timeout: the probe ran out of time (context deadline exceeded)'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once(event, () => {
      signal.removeEventListener('abort', onAbort);
      socket.off('error', onErr);
      resolve(socket);
    });
    const onErr = (e: Error): void => {
      signal.removeEventListener('abort', onAbort);
      reject(e);
    };
    socket.once('error', onErr);
  });
}

/** After a handshake: fail unless verified (or skipped), logging which certificate was wrong. */
function checkTls(ctx: ProbeContext, socket: TLSSocket, cfg: TcpProbeConfig, roots: ChainCert[]): ReturnType<typeof tlsFacts> | null {
  const facts = tlsFacts(socket, roots, cfg.tls_config.insecure_skip_verify);
  if (!cfg.tls_config.insecure_skip_verify && !socket.authorized) {
    const reason = String(socket.authorizationError ?? 'certificate not trusted');
    ctx.log('error', 'tls', 'TLS Handshake (client) failed', { err: reason });
    explainChain(ctx, facts, reason);
    recordCertSeries(ctx, facts);
    return null;
  }
  return facts;
}

/** Errors surface through waitFor/LineReader; this keeps a late one from crashing the process. */
const ignore = (): void => {};

export async function probeTcp(ctx: ProbeContext, target: string, cfg: TcpProbeConfig, resolver?: LookupFn): Promise<boolean> {
  ctx.metrics.register('probe_failed_due_to_regex');
  const hp = splitHostPort(target);
  if (hp === null) {
    ctx.log('error', 'connect', 'Error splitting target address and port', { target, hint: 'tcp targets are host:port' });
    return false;
  }
  let ip: string;
  try {
    ip = (await chooseProtocol(ctx, hp.host, cfg.preferred_ip_protocol, cfg.ip_protocol_fallback, resolver)).address;
  } catch (err) {
    ctx.log('error', 'resolve', 'Error resolving address', { err: (err as Error).message });
    return false;
  }
  let socket: Socket | undefined;
  const local = cfg.source_ip_address !== undefined ? { localAddress: cfg.source_ip_address } : {};
  try {
    let tlsRoots: ChainCert[] = [];
    ctx.log('info', 'connect', 'Dialing TCP with TLS', { tls: cfg.tls, address: `${ip}:${hp.port}` });
    if (cfg.tls) {
      const { opts, roots } = tlsOptions(cfg, hp.host);
      tlsRoots = roots;
      socket = tlsConnect({ ...opts, host: ip, port: hp.port, ...local });
      lightenHostCheck(socket as TLSSocket, roots);
      socket.on('error', ignore);
      await waitFor(socket, 'secureConnect', ctx.signal);
      const facts = checkTls(ctx, socket as TLSSocket, cfg, roots);
      if (facts === null) return false;
      recordTlsMetrics(ctx, facts, cfg.tls_config.insecure_skip_verify);
      recordCertSeries(ctx, facts);
    } else {
      socket = netConnect({ host: ip, port: hp.port, ...local });
      socket.on('error', ignore);
      await waitFor(socket, 'connect', ctx.signal);
    }
    ctx.log('info', 'connect', 'Successfully dialed');
    let reader = new LineReader(socket, ctx.signal);
    for (const [i, qr] of cfg.query_response.entries()) {
      ctx.log('info', 'tcp', 'Processing query response entry', { entry_number: i });
      let send = qr.send;
      if (qr.expect !== undefined) {
        let match: RegexMatch | null = null;
        let last = '';
        const seen: string[] = [];
        try {
          for (let line = await reader.line(); line !== null; line = await reader.line()) {
            last = line;
            if (seen.length < 5) seen.push(line);
            match = qr.expect.exec(line);
            if (match) {
              ctx.log('info', 'tcp', 'Regexp matched', { regexp: qr.expect.pattern, line });
              break;
            }
          }
        } catch (err) {
          // As blackbox: a read error (timeout included) is not a regexp failure.
          ctx.log('error', 'tcp', 'Error reading from connection', { err: (err as Error).message, regexp: qr.expect.pattern, lines_received: seen.join(' | ') });
          return false;
        }
        if (match === null) {
          ctx.metrics.set('probe_failed_due_to_regex', 1);
          ctx.log('error', 'check', 'Regexp did not match', { regexp: qr.expect.pattern, line: last, lines_received: seen.join(' | ') });
          return false;
        }
        ctx.metrics.set('probe_failed_due_to_regex', 0);
        send = expandTemplate(send, match);
      }
      if (send !== '') {
        ctx.log('debug', 'tcp', 'Sending line', { line: send });
        socket?.write(send + '\n');
      }
      if (qr.starttls) {
        reader.detach();
        const { opts, roots } = tlsOptions(cfg, hp.host);
        tlsRoots = roots;
        const upgraded: TLSSocket = tlsConnect({ ...opts, ...(socket ? { socket } : {}) });
        lightenHostCheck(upgraded, tlsRoots);
        upgraded.on('error', ignore);
        socket = upgraded;
        await waitFor(upgraded, 'secureConnect', ctx.signal);
        const facts = checkTls(ctx, upgraded, cfg, tlsRoots);
        if (facts === null) return false;
        recordTlsMetrics(ctx, facts, cfg.tls_config.insecure_skip_verify);
        recordCertSeries(ctx, facts);
        reader = new LineReader(upgraded, ctx.signal);
      }
    }
    return true;
  } catch (err) {
    ctx.log('error', 'connect', 'Error dialing TCP', { err: (err as Error).message });
    return false;
  } finally {
    socket?.destroy();
  }
}
