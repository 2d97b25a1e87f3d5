/**
 * A blackbox module's HTTP client fields (blackbox reads Prometheus' HTTPClientConfig) turned into
 * main/http-client's settings, so probes authenticate and build TLS as scrapes do.
 */
import type { HttpAuth, TlsSettings } from '../http-client/settings.js';
import type { HttpProbeConfig, TlsConfig } from './module_schema.js';

export function probeTlsSettings(t: TlsConfig): TlsSettings {
  return {
    ca: t.ca ?? '',
    cert: t.cert ?? '',
    key: t.key ?? '',
    caFile: t.ca_file ?? '',
    certFile: t.cert_file ?? '',
    keyFile: t.key_file ?? '',
    serverName: t.server_name ?? '',
    insecureSkipVerify: t.insecure_skip_verify,
    minVersion: t.min_version ?? '',
    maxVersion: t.max_version ?? '',
  };
}

/** basic_auth wins, then the legacy bearer_token(_file), then authorization, then oauth2 (blackbox's order). */
export function probeAuthSettings(cfg: HttpProbeConfig): HttpAuth {
  if (cfg.basic_auth) {
    const b = cfg.basic_auth;
    return { kind: 'basic', username: b.username, usernameFile: b.username_file ?? '', password: b.password ?? '', passwordFile: b.password_file ?? '' };
  }
  if (cfg.bearer_token !== undefined || cfg.bearer_token_file !== undefined) {
    return { kind: 'authorization', type: 'Bearer', credentials: cfg.bearer_token ?? '', credentialsFile: cfg.bearer_token === undefined ? (cfg.bearer_token_file ?? '') : '' };
  }
  if (cfg.authorization) {
    const a = cfg.authorization;
    return { kind: 'authorization', type: a.type, credentials: a.credentials ?? '', credentialsFile: a.credentials === undefined ? (a.credentials_file ?? '') : '' };
  }
  if (cfg.oauth2) {
    const o = cfg.oauth2;
    return {
      kind: 'oauth2',
      clientId: o.client_id,
      clientSecret: o.client_secret ?? '',
      clientSecretFile: o.client_secret === undefined ? (o.client_secret_file ?? '') : '',
      tokenUrl: o.token_url,
      scopes: o.scopes,
      endpointParams: o.endpoint_params,
      tls: probeTlsSettings(o.tls_config),
    };
  }
  return { kind: 'none' };
}
