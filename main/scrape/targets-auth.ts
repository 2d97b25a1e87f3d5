/**
 * Auth and TLS of a scrape config turned into what a Node request needs. `*_file` secrets are
 * read on every call, as Prometheus does, so a rotated token is used without a reload.
 */
import { readFile } from 'node:fs/promises';
import type { HttpClientConfigLike } from '../config/schema-common.js';
import type { ScrapeAuth, ScrapeTls } from './target-types.js';

export function authFromConfig(c: HttpClientConfigLike): ScrapeAuth {
  if (c.basic_auth !== undefined) {
    const b = c.basic_auth;
    return { kind: 'basic', username: b.username, usernameFile: b.username_file, password: b.password, passwordFile: b.password_file };
  }
  if (c.authorization !== undefined) {
    return { kind: 'authorization', type: c.authorization.type, credentials: c.authorization.credentials, credentialsFile: c.authorization.credentials_file };
  }
  return { kind: 'none' };
}

export function tlsFromConfig(c: HttpClientConfigLike): ScrapeTls {
  const t = c.tls_config;
  return {
    ca: t?.ca ?? '',
    cert: t?.cert ?? '',
    key: t?.key ?? '',
    caFile: t?.ca_file ?? '',
    certFile: t?.cert_file ?? '',
    keyFile: t?.key_file ?? '',
    serverName: t?.server_name ?? '',
    insecureSkipVerify: t?.insecure_skip_verify ?? false,
    minVersion: t?.min_version ?? '',
  };
}

async function secret(inline: string, file: string, what: string): Promise<string> {
  if (file === '') return inline;
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw new Error(`cannot read ${what} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The Authorization header value, or undefined for no auth. Throws naming an unreadable file. */
export async function authorizationHeader(auth: ScrapeAuth): Promise<string | undefined> {
  if (auth.kind === 'basic') {
    const username = await secret(auth.username, auth.usernameFile ?? '', 'basic_auth username_file');
    const password = await secret(auth.password, auth.passwordFile, 'basic_auth password_file');
    return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
  }
  if (auth.kind === 'authorization') {
    const credentials = await secret(auth.credentials, auth.credentialsFile, 'authorization credentials_file');
    return `${auth.type} ${credentials}`;
  }
  return undefined;
}

const tlsVersionNames: Readonly<Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

export interface NodeTlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
  rejectUnauthorized: boolean;
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

/** Options for `https.request`; reads the CA / cert / key files. */
export async function nodeTlsOptions(tls: ScrapeTls): Promise<NodeTlsOptions> {
  const read = async (file: string, what: string, inline: string) => {
    if (inline !== '') return Buffer.from(inline);
    if (file === '') return undefined;
    try {
      return await readFile(file);
    } catch (err) {
      throw new Error(`cannot read tls_config ${what} ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const out: NodeTlsOptions = { rejectUnauthorized: !tls.insecureSkipVerify };
  const ca = await read(tls.caFile, 'ca_file', tls.ca ?? '');
  const cert = await read(tls.certFile, 'cert_file', tls.cert ?? '');
  const key = await read(tls.keyFile, 'key_file', tls.key ?? '');
  if (ca) out.ca = ca;
  if (cert) out.cert = cert;
  if (key) out.key = key;
  if (tls.serverName !== '') out.servername = tls.serverName;
  const min = tlsVersionNames[tls.minVersion];
  if (min) out.minVersion = min;
  return out;
}
