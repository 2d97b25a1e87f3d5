/**
 * Prometheus' common HTTPClientConfig, resolved into plain settings every Vigil client uses:
 * scraping, service discovery, probes, notifications and (later) remote write. The schema that
 * reads it from prometheus.yml is in ../config/schema-common.ts; this is what callers hold.
 */
import type { HttpClientConfigLike, ProxyConfigLike, TlsConfig } from '../config/schema-common.js';
import type { ProxySettings } from './proxy.js';

/** Client credentials for an OAuth2 token endpoint (golang.org/x/oauth2/clientcredentials). */
export interface OAuth2Settings {
  readonly clientId: string;
  readonly clientSecret: string;
  /** When set (non-empty), the secret is read from this file on every token request. */
  readonly clientSecretFile: string;
  readonly tokenUrl: string;
  readonly scopes: readonly string[];
  readonly endpointParams: Readonly<Record<string, string>>;
  /** TLS towards the token endpoint. */
  readonly tls: TlsSettings;
  /** The proxy towards the token endpoint (oauth2's own proxy_url etc.). */
  readonly proxy: ProxySettings;
}

export type HttpAuth =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'basic';
      readonly username: string;
      /** When set (non-empty), the username is read from this file instead. */
      readonly usernameFile?: string;
      readonly password: string;
      readonly passwordFile: string;
    }
  | {
      readonly kind: 'authorization';
      /** The scheme word of the header, "Bearer" by default. */
      readonly type: string;
      readonly credentials: string;
      readonly credentialsFile: string;
    }
  | ({ readonly kind: 'oauth2' } & OAuth2Settings);

export interface TlsSettings {
  /** Inline PEM (`ca`, `cert`, `key` in prometheus.yml); each excludes its `*File` twin. Absent = ''. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** SNI and certificate name check; '' means the URL's host. */
  readonly serverName: string;
  readonly insecureSkipVerify: boolean;
  /** 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13' | '' (Go's names, as in prometheus.yml). */
  readonly minVersion: string;
  readonly maxVersion?: string;
}

export const noTls: TlsSettings = { caFile: '', certFile: '', keyFile: '', serverName: '', insecureSkipVerify: false, minVersion: '' };

export function tlsSettings(t: TlsConfig | undefined): TlsSettings {
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
    maxVersion: t?.max_version ?? '',
  };
}

/** proxy_url, no_proxy, proxy_from_environment and proxy_connect_header of a validated config. */
export function proxySettings(c: ProxyConfigLike): ProxySettings {
  return { url: c.proxy_url ?? '', noProxy: c.no_proxy ?? '', fromEnvironment: c.proxy_from_environment ?? false, connectHeader: c.proxy_connect_header ?? {} };
}

/** The auth of a validated config (legacy bearer_token already folded into `authorization`). */
export function authSettings(c: HttpClientConfigLike): HttpAuth {
  if (c.basic_auth !== undefined) {
    const b = c.basic_auth;
    return { kind: 'basic', username: b.username, usernameFile: b.username_file, password: b.password, passwordFile: b.password_file };
  }
  if (c.authorization !== undefined) {
    return { kind: 'authorization', type: c.authorization.type, credentials: c.authorization.credentials, credentialsFile: c.authorization.credentials_file };
  }
  if (c.oauth2 !== undefined) {
    const o = c.oauth2;
    return {
      kind: 'oauth2',
      clientId: o.client_id,
      clientSecret: o.client_secret,
      clientSecretFile: o.client_secret_file,
      tokenUrl: o.token_url,
      scopes: o.scopes,
      endpointParams: o.endpoint_params,
      tls: tlsSettings(o.tls_config),
      proxy: proxySettings(o),
    };
  }
  return { kind: 'none' };
}
