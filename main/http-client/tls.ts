/** tls_config turned into Node's TLS options (for https.Agent, https.request, tls.connect). */
import { readFileSync } from 'node:fs';
import type { TlsSettings } from './settings.js';

type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface NodeTlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  rejectUnauthorized: boolean;
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
}

const tlsVersions: Readonly<Record<string, TlsVersion>> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

function pem(inline: string | undefined, file: string, fail: (err: unknown) => Error): string | undefined {
  if (inline !== undefined && inline !== '') return inline;
  if (file === '') return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw fail(err);
  }
}

const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Reads the CA, certificate and key (inline PEM wins over its file twin; the schema refuses
 * both). Throws with Prometheus' wording, naming the file. Files are read when called: a changed
 * certificate file takes a new client (a config reload for scrapes).
 */
export function nodeTlsOptions(tls: TlsSettings): NodeTlsOptions {
  const out: NodeTlsOptions = { rejectUnauthorized: !tls.insecureSkipVerify };
  const ca = pem(tls.ca, tls.caFile, (err) => new Error(`unable to load specified CA cert ${tls.caFile}: ${reason(err)}`));
  if (ca !== undefined) out.ca = ca;
  const certGiven = (tls.cert ?? '') !== '' || tls.certFile !== '';
  const keyGiven = (tls.key ?? '') !== '' || tls.keyFile !== '';
  if (certGiven || keyGiven) {
    const fail = (err: unknown): Error => new Error(`unable to use specified client cert (${tls.certFile || 'inline cert'}) & key (${tls.keyFile || 'inline key'}): ${reason(err)}`);
    const cert = pem(tls.cert, tls.certFile, fail);
    const key = pem(tls.key, tls.keyFile, fail);
    if (cert === undefined || key === undefined) throw fail(new Error('both a certificate and a key are needed'));
    out.cert = cert;
    out.key = key;
  }
  if (tls.serverName !== '') out.servername = tls.serverName;
  const min = tlsVersions[tls.minVersion];
  if (min !== undefined) out.minVersion = min;
  const max = tlsVersions[tls.maxVersion ?? ''];
  if (max !== undefined) out.maxVersion = max;
  return out;
}
