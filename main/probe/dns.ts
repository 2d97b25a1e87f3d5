/**
 * The dns prober: one query (dns-packet) over UDP or TCP to the resolver named by the target,
 * rcode and resource-record checks, as blackbox_exporter 0.23's ProbeDNS. Records are matched in
 * miekg/dns's text form (`name.\tTTL\tIN\tTYPE\tdata`), which is what blackbox users' regexps
 * were written against.
 */
import { createSocket } from 'node:dgram';
import { connect as netConnect } from 'node:net';
import { randomInt } from 'node:crypto';
import type { GoRegex } from '../../app/dialect/regex.js';
import * as dnsPacket from 'dns-packet';
import type { DnsProbeConfig, RRValidator } from './module-schema.js';
import { chooseProtocol, type LookupFn } from './resolve.js';
import { splitHostPort } from './tcp.js';
import type { ProbeContext } from './types.js';
import { remainingMs } from './types.js';

const rcodeNames = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

const fqdn = (n: string): string => (n.endsWith('.') ? n : n + '.');

type Rdata = (a: dnsPacket.Answer) => string;
const dataOf = (a: dnsPacket.Answer): unknown => (a as { data?: unknown }).data;
/** miekg/dns RR.String() data formats, by type; unknown types fall back to RFC 3597 \# form. */
const rdataFormat: Record<string, Rdata> = {
  A: (a) => String(dataOf(a)),
  AAAA: (a) => String(dataOf(a)),
  CNAME: (a) => fqdn(String(dataOf(a))),
  NS: (a) => fqdn(String(dataOf(a))),
  PTR: (a) => fqdn(String(dataOf(a))),
  DNAME: (a) => fqdn(String(dataOf(a))),
  MX: (a) => {
    const d = dataOf(a) as dnsPacket.MxData;
    return `${d.preference ?? 0} ${fqdn(d.exchange)}`;
  },
  TXT: (a) => {
    const d = dataOf(a) as dnsPacket.TxtData;
    const parts = Array.isArray(d) ? d : [d];
    return parts.map((p) => `"${(Buffer.isBuffer(p) ? p.toString('utf8') : p).replace(/(["\\])/g, '\\$1')}"`).join(' ');
  },
  SOA: (a) => {
    const d = dataOf(a) as dnsPacket.SoaData;
    return `${fqdn(d.mname)} ${fqdn(d.rname)} ${d.serial ?? 0} ${d.refresh ?? 0} ${d.retry ?? 0} ${d.expire ?? 0} ${d.minimum ?? 0}`;
  },
  SRV: (a) => {
    const d = dataOf(a) as dnsPacket.SrvData;
    return `${d.priority ?? 0} ${d.weight ?? 0} ${d.port} ${fqdn(d.target)}`;
  },
};

function rrString(a: dnsPacket.Answer): string {
  const fmt = rdataFormat[a.type];
  const ttl = (a as { ttl?: number }).ttl ?? 0;
  const cls = (a as { class?: string }).class ?? 'IN';
  const data = fmt ? fmt(a) : '\\# 0';
  return `${fqdn(a.name)}\t${ttl}\t${cls}\t${a.type}\t${data}`;
}

/** blackbox's validRRs: four lists of regexps over the records' text. */
function validRRs(ctx: ProbeContext, section: string, rrs: readonly string[], v: RRValidator): boolean {
  const fail = (check: string, re: GoRegex, rr?: string): boolean => {
    ctx.log('error', 'check', `${section} RRs validation failed: ${check}`, { regexp: re.pattern, ...(rr !== undefined ? { rr } : { rrs: rrs.join(' | ') }) });
    return false;
  };
  for (const re of v.fail_if_matches_regexp) for (const rr of rrs) if (re.test(rr)) return fail('fail_if_matches_regexp', re, rr);
  for (const re of v.fail_if_all_match_regexp) if (rrs.every((rr) => re.test(rr))) return fail('fail_if_all_match_regexp', re);
  for (const re of v.fail_if_not_matches_regexp) for (const rr of rrs) if (!re.test(rr)) return fail('fail_if_not_matches_regexp', re, rr);
  for (const re of v.fail_if_none_matches_regexp) if (!rrs.some((rr) => re.test(rr))) return fail('fail_if_none_matches_regexp', re);
  return true;
}

async function exchange(ctx: ProbeContext, transport: 'udp' | 'tcp', ip: string, family: 4 | 6, port: number, query: Buffer, source: string | undefined): Promise<{ response: Buffer; connectMs: number; rttMs: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error('timeout: no DNS answer before the probe deadline')), remainingMs(ctx));
    const onAbort = (): void => done(new Error('timeout: the probe ran out of time'));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let cleanup = (): void => {};
    let settled = false;
    const done = (err: Error | null, r?: { response: Buffer; connectMs: number; rttMs: number }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      cleanup();
      if (err) reject(err);
      else resolve(r!);
    };
    if (transport === 'udp') {
      const sock = createSocket(family === 6 ? 'udp6' : 'udp4');
      cleanup = () => sock.close();
      sock.on('error', (e) => done(e));
      sock.on('message', (msg, rinfo) => {
        // Only the answer to our query counts: same id, from the server we asked.
        if (msg.length < 2 || msg.readUInt16BE(0) !== query.readUInt16BE(0) || rinfo.port !== port) return;
        done(null, { response: msg, connectMs: 0, rttMs: performance.now() - start });
      });
      const send = (): void => sock.send(query, port, ip);
      if (source !== undefined) sock.bind(0, source, send);
      else send();
    } else {
      const sock = netConnect({ host: ip, port, ...(source !== undefined ? { localAddress: source } : {}) });
      cleanup = () => sock.destroy();
      let connected = start;
      let buf = Buffer.alloc(0);
      sock.on('error', (e) => done(e));
      sock.on('connect', () => {
        connected = performance.now();
        const len = Buffer.alloc(2);
        len.writeUInt16BE(query.length);
        sock.write(Buffer.concat([len, query]));
      });
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const end = performance.now();
          done(null, { response: buf.subarray(2, 2 + buf.readUInt16BE(0)), connectMs: connected - start, rttMs: end - connected });
        }
      });
      sock.on('end', () => done(new Error('the server closed the TCP connection without an answer')));
    }
  });
}

export async function probeDns(ctx: ProbeContext, target: string, cfg: DnsProbeConfig, resolver?: LookupFn): Promise<boolean> {
  const m = ctx.metrics;
  for (const phase of ['resolve', 'connect', 'request']) m.set('probe_dns_duration_seconds', 0, { phase });
  m.register('probe_dns_answer_rrs', 'probe_dns_authority_rrs', 'probe_dns_additional_rrs', 'probe_dns_query_succeeded');
  const qtype = cfg.query_type.toUpperCase();
  const hp = splitHostPort(target) ?? { host: target, port: 53 };
  let ip: string;
  let family: 4 | 6;
  try {
    const r = await chooseProtocol(ctx, hp.host, cfg.preferred_ip_protocol, cfg.ip_protocol_fallback, resolver);
    m.add('probe_dns_duration_seconds', r.lookupSeconds, { phase: 'resolve' });
    ip = r.address;
    family = r.family;
  } catch (err) {
    ctx.log('error', 'resolve', 'Error resolving address', { err: (err as Error).message });
    return false;
  }
  let query: Buffer;
  try {
    query = dnsPacket.encode({
      type: 'query',
      id: randomInt(0, 65536),
      flags: cfg.recursion_desired ? dnsPacket.RECURSION_DESIRED : 0,
      questions: [{ name: cfg.query_name.replace(/\.$/, ''), type: qtype as dnsPacket.RecordType, class: cfg.query_class.toUpperCase() as dnsPacket.RecordClass }],
    });
  } catch (err) {
    ctx.log('error', 'dns', 'Cannot encode the DNS query', { query_type: qtype, query_class: cfg.query_class, err: (err as Error).message });
    return false;
  }
  ctx.log('info', 'dns', 'Making DNS query', { target: `${ip}:${hp.port}`, dial_protocol: cfg.transport_protocol + family, query: cfg.query_name, type: qtype, class: cfg.query_class });
  let packet: dnsPacket.DecodedPacket;
  try {
    const r = await exchange(ctx, cfg.transport_protocol, ip, family, hp.port, query, cfg.source_ip_address);
    m.set('probe_dns_duration_seconds', r.connectMs / 1000, { phase: 'connect' });
    m.set('probe_dns_duration_seconds', r.rttMs / 1000, { phase: 'request' });
    packet = dnsPacket.decode(r.response);
  } catch (err) {
    ctx.log('error', 'dns', 'Error while sending a DNS query', { err: (err as Error).message });
    return false;
  }
  const answers = (packet.answers ?? []).map(rrString);
  const authorities = (packet.authorities ?? []).map(rrString);
  const additionals = (packet.additionals ?? []).map(rrString);
  const rcode = ((packet as { rcode?: string }).rcode ?? rcodeNames[(packet.flags ?? 0) & 0xf] ?? 'NOERROR').toUpperCase();
  ctx.log('info', 'dns', 'Got response', { rcode, answers: answers.join(' | ') });
  m.set('probe_dns_answer_rrs', answers.length);
  m.set('probe_dns_authority_rrs', authorities.length);
  m.set('probe_dns_additional_rrs', additionals.length);
  m.set('probe_dns_query_succeeded', 1);
  if (qtype === 'SOA') {
    m.register('probe_dns_serial');
    for (const a of packet.answers ?? []) if (a.type === 'SOA') m.set('probe_dns_serial', a.data.serial ?? 0);
  }
  const valid = cfg.valid_rcodes.map((r) => r.toUpperCase());
  if (!valid.includes(rcode)) {
    ctx.log('error', 'check', 'Rcode is not one of the valid rcodes', { rcode, valid_rcodes: valid.join(',') });
    return false;
  }
  ctx.log('info', 'check', 'Validating Answer RRs');
  if (!validRRs(ctx, 'Answer', answers, cfg.validate_answer_rrs)) return false;
  ctx.log('info', 'check', 'Validating Authority RRs');
  if (!validRRs(ctx, 'Authority', authorities, cfg.validate_authority_rrs)) return false;
  ctx.log('info', 'check', 'Validating Additional RRs');
  if (!validRRs(ctx, 'Additional', additionals, cfg.validate_additional_rrs)) return false;
  return true;
}
