/**
 * TLS facts for the probe metrics: the chain the server presented, the chains we can verify to a
 * trusted root (what Go calls VerifiedChains), and blackbox's probe_ssl_* / probe_tls_* metrics
 * plus Vigil's per-certificate series.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { createSecureContext, rootCertificates, type PeerCertificate, type SecureContext, type SecureContextOptions, type TLSSocket } from 'node:tls';
import type { ProbeContext } from './types.js';
import { certNames, subjectCommonNames } from './x509-name.js';

export interface ChainCert {
  readonly x509: X509Certificate;
  readonly der: Buffer;
  readonly subject: string; // Go pkix.Name.String()
  readonly issuer: string;
  readonly notAfter: number; // seconds since epoch
  readonly notBefore: number;
  readonly fingerprint: string; // sha256 hex of the DER, lowercase
  readonly serial: string; // Go big.Int.Text(16): lowercase, no leading zeros
  readonly dnsNames: string[];
  readonly commonNames: string[];
}

/** Parsed facts per certificate, by fingerprint: probes see the same few certificates again and again. */
const certCache = new Map<string, ChainCert>();

function describeX509(x509: X509Certificate): ChainCert {
  const fp = x509.fingerprint256;
  const cached = certCache.get(fp);
  if (cached !== undefined) return cached;
  const der = x509.raw;
  let names: { subject: string; issuer: string; commonNames: string[] };
  try {
    names = { ...certNames(der), commonNames: subjectCommonNames(der) };
  } catch {
    names = { subject: x509.subject.replace(/\n/g, ','), issuer: x509.issuer.replace(/\n/g, ','), commonNames: [] };
  }
  const serial = x509.serialNumber.toLowerCase().replace(/^0+(?=.)/, '');
  const dnsNames = (x509.subjectAltName ?? '')
    .split(', ')
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
  const cert: ChainCert = {
    x509,
    der,
    ...names,
    notAfter: Math.floor(Date.parse(x509.validTo) / 1000),
    notBefore: Math.floor(Date.parse(x509.validFrom) / 1000),
    fingerprint: createHash('sha256').update(der).digest('hex'),
    serial,
    dnsNames,
  };
  if (certCache.size >= 1024) certCache.clear();
  certCache.set(fp, cert);
  return cert;
}

/** The certificates from the module's CA file, or the system roots when none is given. */
export function trustedRoots(caPem: string | undefined): ChainCert[] {
  if (caPem === undefined) return systemRoots();
  let roots = rootCache.get(caPem);
  if (roots === undefined) {
    roots = splitPem(caPem).map((p) => describeX509(new X509Certificate(p)));
    // Keyed by content, so an edited CA file is picked up; bounded, so edits cannot grow it forever.
    if (rootCache.size >= 32) rootCache.clear();
    rootCache.set(caPem, roots);
  }
  return roots;
}
const rootCache = new Map<string, ChainCert[]>();

let systemRootCache: ChainCert[] | undefined;
function systemRoots(): ChainCert[] {
  systemRootCache ??= rootCertificates.flatMap((p) => {
    try {
      return [describeX509(new X509Certificate(p))];
    } catch {
      return [];
    }
  });
  return systemRootCache;
}

function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * The chain as the server sent it. Node's detailed peer certificate appends the issuing root from
 * the local trust store when it finds one; that root was not presented (Go's PeerCertificates
 * would not hold it), so a trailing self-issued certificate that is one of our roots is dropped.
 * A server that does send its root therefore loses it too; only the earliest-expiry figure can
 * differ, and only when the root expires before the rest of the chain.
 */
function presentedChain(socket: TLSSocket, roots: readonly ChainCert[]): ChainCert[] {
  const out: ChainCert[] = [];
  const seen = new Set<string>();
  // X509Certificate.issuerCertificate walks the peer chain without building the (costly)
  // detailed objects of getPeerCertificate(true).
  let cur: X509Certificate | undefined = socket.getPeerX509Certificate();
  while (cur !== undefined && out.length < 16) {
    const c = describeX509(cur);
    if (seen.has(c.fingerprint)) break;
    seen.add(c.fingerprint);
    out.push(c);
    cur = cur.issuerCertificate;
  }
  const last = out[out.length - 1];
  if (out.length > 1 && last !== undefined && last.subject === last.issuer && roots.some((r) => r.fingerprint === last.fingerprint)) out.pop();
  return out;
}

/** Every chain from the leaf through presented intermediates to a trusted root (bounded search). */
function verifiedChains(presented: readonly ChainCert[], roots: readonly ChainCert[], nowSec = Date.now() / 1000): ChainCert[][] {
  const leaf = presented[0];
  if (leaf === undefined) return [];
  const chains: ChainCert[][] = [];
  const valid = (c: ChainCert): boolean => c.notBefore <= nowSec && nowSec <= c.notAfter;
  const issued = (child: ChainCert, parent: ChainCert): boolean => {
    const key = child.fingerprint + parent.fingerprint;
    let ok = issuedCache.get(key);
    if (ok === undefined) {
      try {
        ok = child.x509.checkIssued(parent.x509) && child.x509.verify(parent.x509.publicKey);
      } catch {
        ok = false;
      }
      if (issuedCache.size >= 4096) issuedCache.clear();
      issuedCache.set(key, ok);
    }
    return ok;
  };
  const rootSet = new Set(roots.map((r) => r.fingerprint));
  const walk = (chain: ChainCert[]): void => {
    if (chains.length >= 8 || chain.length > 8) return;
    const cur = chain[chain.length - 1]!;
    if (rootSet.has(cur.fingerprint)) {
      chains.push([...chain]);
      return;
    }
    for (const cand of [...roots, ...presented.slice(1)]) {
      if (chain.some((c) => c.fingerprint === cand.fingerprint) || !valid(cand) || !issued(cur, cand)) continue;
      chain.push(cand);
      walk(chain);
      chain.pop();
    }
  };
  if (valid(leaf)) walk([leaf]);
  return chains;
}

/** Signature checks by (child, parent) fingerprints: a signature over fixed bytes never changes. */
const issuedCache = new Map<string, boolean>();

/** Go's getLastChainExpiry: the best chain's earliest NotAfter; undefined when nothing verified. */
function lastChainExpiry(chains: readonly ChainCert[][]): number | undefined {
  let best: number | undefined;
  for (const chain of chains) {
    const earliest = Math.min(...chain.map((c) => c.notAfter));
    if (best === undefined || earliest > best) best = earliest;
  }
  return best;
}

const tlsVersionNames: Readonly<Record<string, string>> = {
  'TLSv1': 'TLS 1.0',
  'TLSv1.1': 'TLS 1.1',
  'TLSv1.2': 'TLS 1.2',
  'TLSv1.3': 'TLS 1.3',
};

export interface TlsFacts {
  readonly presented: ChainCert[];
  readonly verified: ChainCert[][];
  readonly version: string;
}

/** Keeps the presented chain on the probe context for the UI (leaf first). */
function notePresented(ctx: ProbeContext, facts: TlsFacts): void {
  ctx.certificates.splice(
    0,
    ctx.certificates.length,
    ...facts.presented.map((c, depth) => ({
      depth,
      subject: c.subject,
      issuer: c.issuer,
      serialNumber: c.serial,
      fingerprintSha256: c.fingerprint,
      notBeforeMs: c.notBefore * 1000,
      notAfterMs: c.notAfter * 1000,
    })),
  );
}

/** The presented chain read during the handshake by the host-name check below, per socket. */
const walkedChains = new WeakMap<TLSSocket, ChainCert[]>();

/**
 * Node's handshake completion calls `this.getPeerCertificate(true)` only to hand the leaf's
 * subject and subjectAltName to `checkServerIdentity`. The detailed form copies and re-decodes
 * every certificate of the chain plus the root from the trust store and builds a large object
 * for each (15 % of a probe's CPU in `perf`, most of it OpenSSL 3 decoding public keys), and we
 * walk the chain ourselves anyway. Until the handshake ends, this socket answers that call with
 * the fields the check reads (`subjectaltname`, `subject.CN` as Node builds them: one value as a
 * string, several as an array), taken from our walk of the presented chain. The host-name check
 * itself stays Node's.
 *
 * The walk must come first: in Node 20 `getPeerX509Certificate()` takes the peer chain out of the
 * connection, after which `getPeerCertificate()` answers `{}`; the walk is kept for tlsFacts.
 */
export function lightenHostCheck(socket: TLSSocket, roots: readonly ChainCert[]): void {
  const light = (): Pick<PeerCertificate, 'subjectaltname'> & { subject: { CN?: string | string[] } } => {
    const chain = presentedChain(socket, roots);
    walkedChains.set(socket, chain);
    const leaf = chain[0];
    const cn = leaf?.commonNames ?? [];
    return {
      subject: cn.length === 0 ? {} : { CN: cn.length === 1 ? cn[0]! : cn },
      ...(leaf?.x509.subjectAltName !== undefined ? { subjectaltname: leaf.x509.subjectAltName } : {}),
    };
  };
  Object.defineProperty(socket, 'getPeerCertificate', { value: light, configurable: true, writable: true });
  socket.once('secureConnect', () => delete (socket as { getPeerCertificate?: unknown }).getPeerCertificate);
}

export function tlsFacts(socket: TLSSocket, roots: readonly ChainCert[], insecure: boolean): TlsFacts {
  const presented = walkedChains.get(socket) ?? presentedChain(socket, roots);
  const verified = insecure ? [] : verifiedChains(presented, roots);
  return { presented, verified, version: tlsVersionNames[socket.getProtocol() ?? ''] ?? 'unknown' };
}

/** Which of blackbox's TLS gauges a prober exports (tcp after STARTTLS exports only two). */
export interface TlsMetricSelection {
  readonly earliest: boolean;
  readonly lastChain: boolean;
  readonly info: boolean;
  readonly version: boolean;
}
const allTlsMetrics: TlsMetricSelection = { earliest: true, lastChain: true, info: true, version: true };

export function recordTlsMetrics(ctx: ProbeContext, facts: TlsFacts, insecure: boolean, which: TlsMetricSelection = allTlsMetrics): void {
  const m = ctx.metrics;
  const leaf = facts.presented[0];
  if (which.earliest && facts.presented.length > 0) {
    m.set('probe_ssl_earliest_cert_expiry', Math.min(...facts.presented.map((c) => c.notAfter)));
  }
  if (which.version) m.set('probe_tls_version_info', 1, { version: facts.version });
  if (which.lastChain) {
    const last = lastChainExpiry(facts.verified);
    if (last !== undefined) m.set('probe_ssl_last_chain_expiry_timestamp_seconds', last);
    else
      ctx.log('info', 'tls', insecure
        ? 'No probe_ssl_last_chain_expiry_timestamp_seconds: insecure_skip_verify is set, so no chain was verified (blackbox_exporter reports Go\'s zero time -6.21355968e10 here)'
        : 'No probe_ssl_last_chain_expiry_timestamp_seconds: no chain to a trusted root could be built');
  }
  if (which.info && leaf !== undefined) {
    m.set('probe_ssl_last_chain_info', 1, {
      fingerprint_sha256: leaf.fingerprint,
      subject: leaf.subject,
      issuer: leaf.issuer,
      subjectalternative: leaf.dnsNames.join(','),
      // blackbox_exporter 0.24+ adds the serial number (hex, as Go's %x); 0.23 has no such label.
      serialnumber: leaf.serial,
    });
  }
}

/** Vigil's per-certificate series over the verified chain (or the presented one when none verified). */
export function recordCertSeries(ctx: ProbeContext, facts: TlsFacts): void {
  notePresented(ctx, facts);
  const chain = facts.verified[0] ?? facts.presented;
  chain.forEach((c, depth) => {
    const labels = { depth: String(depth), subject: c.subject, issuer: c.issuer, serialnumber: c.serial, fingerprint_sha256: c.fingerprint };
    ctx.metrics.set('probe_ssl_cert_not_after_timestamp_seconds', c.notAfter, labels);
    ctx.metrics.set('probe_ssl_cert_not_before_timestamp_seconds', c.notBefore, labels);
  });
}

/** A log line per certificate that explains a verification failure: which one, and why. */
export function explainChain(ctx: ProbeContext, facts: TlsFacts, reason: string): void {
  const now = Date.now() / 1000;
  facts.presented.forEach((c, depth) => {
    const state = c.notAfter < now ? `EXPIRED at ${new Date(c.notAfter * 1000).toISOString()}` : c.notBefore > now ? `not valid before ${new Date(c.notBefore * 1000).toISOString()}` : 'within its validity period';
    ctx.log('error', 'tls', `Presented certificate ${depth}: ${c.subject} (issuer ${c.issuer}) is ${state}`, { reason, serial: c.serial, dns_names: c.dnsNames.join(',') });
  });
}

const contextCache = new Map<string, SecureContext>();
/**
 * One SecureContext per distinct TLS configuration: building one parses the CA bundle and keys,
 * which costs more than the handshake itself when done per probe.
 */
export function secureContextFor(opts: SecureContextOptions & { ca?: string; cert?: string; key?: string }): SecureContext {
  const key = JSON.stringify([opts.ca ?? '', opts.cert ?? '', opts.key ?? '', opts.minVersion ?? '', opts.maxVersion ?? '']);
  let ctx = contextCache.get(key);
  if (ctx === undefined) {
    ctx = createSecureContext(opts);
    if (contextCache.size >= 32) contextCache.clear();
    contextCache.set(key, ctx);
  }
  return ctx;
}
