/**
 * Turns a target's auth and TLS settings into what http.ts sends. Secret files are read on every
 * scrape, as Prometheus does, so a rotated password or token needs no reload; TLS files are read
 * when the loop starts (a changed certificate file takes a config reload).
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { TlsMaterial } from './http.js';
import type { ScrapeAuth, ScrapeTls } from './target-types.js';

const tlsVersions: Readonly<Record<string, NonNullable<TlsMaterial['minVersion']>>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

async function secret(inline: string, file: string, what: string): Promise<string> {
  if (file === '') return inline;
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw new Error(`unable to read ${what} file ${file}: ${(err as Error).message}`);
  }
}

/** The `Authorization` header value, or undefined for none. Throws naming the unreadable file. */
export async function authorizationHeader(auth: ScrapeAuth): Promise<string | undefined> {
  if (auth.kind === 'none') return undefined;
  if (auth.kind === 'basic') {
    const password = await secret(auth.password, auth.passwordFile, 'password');
    return `Basic ${Buffer.from(`${auth.username}:${password}`).toString('base64')}`;
  }
  return `${auth.type || 'Bearer'} ${await secret(auth.credentials, auth.credentialsFile, 'credentials')}`;
}

/** Reads the TLS files. Throws with Prometheus' wording, naming the file. */
export function tlsMaterial(tls: ScrapeTls): TlsMaterial {
  const out: TlsMaterial = { insecureSkipVerify: tls.insecureSkipVerify };
  if (tls.serverName !== '') out.serverName = tls.serverName;
  const min = tlsVersions[tls.minVersion];
  if (min !== undefined) out.minVersion = min;
  if (tls.caFile !== '') {
    try {
      out.ca = readFileSync(tls.caFile, 'utf8');
    } catch (err) {
      throw new Error(`unable to load specified CA cert ${tls.caFile}: ${(err as Error).message}`);
    }
  }
  if (tls.certFile !== '' || tls.keyFile !== '') {
    try {
      out.cert = readFileSync(tls.certFile, 'utf8');
      out.key = readFileSync(tls.keyFile, 'utf8');
    } catch (err) {
      throw new Error(`unable to use specified client cert (${tls.certFile}) & key (${tls.keyFile}): ${(err as Error).message}`);
    }
  }
  return out;
}
