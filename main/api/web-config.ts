/**
 * Prometheus' `--web.config.file` (the exporter-toolkit format): TLS certificates and basic-auth
 * users with bcrypt hashes. It is the only way `vigil serve` listens beyond loopback, so anything
 * reachable from the network is encrypted and authenticated.
 *
 * ```yaml
 * tls_server_config:
 *   cert_file: server.crt
 *   key_file: server.key
 *   client_auth_type: RequireAndVerifyClientCert   # optional, with client_ca_file
 *   client_ca_file: ca.crt
 * basic_auth_users:
 *   alice: $2y$10$...                               # bcrypt hash (htpasswd -nBC 10 alice)
 * ```
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { SecureContextOptions } from 'node:tls';
import { z } from 'zod';
import { ConfigError, parseYamlWithSchema } from '../config/load.js';

const clientAuthTypes = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;

const tlsVersions = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;

const webConfigSchema = z
  .object({
    tls_server_config: z
      .object({
        cert_file: z.string().min(1),
        key_file: z.string().min(1),
        client_auth_type: z.enum(clientAuthTypes).default('NoClientCert'),
        client_ca_file: z.string().optional(),
        min_version: z.enum(Object.keys(tlsVersions) as [keyof typeof tlsVersions]).default('TLS12'),
        max_version: z.enum(Object.keys(tlsVersions) as [keyof typeof tlsVersions]).optional(),
      })
      .strict()
      .optional(),
    basic_auth_users: z
      .record(z.string().min(1), z.string().regex(/^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}$/, 'must be a bcrypt hash ($2y$10$…; make one with `htpasswd -nBC 10 USER`)'))
      .optional(),
    // Accepted as Prometheus does; headers are Vigil's own (csp.ts) and HTTP/2 is not served.
    http_server_config: z.object({ http2: z.boolean().optional(), headers: z.record(z.string(), z.string()).optional() }).strict().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const t = c.tls_server_config;
    if (t && t.client_auth_type !== 'NoClientCert' && t.client_auth_type !== 'RequestClientCert' && t.client_auth_type !== 'RequireAnyClientCert' && !t.client_ca_file) {
      ctx.addIssue({ code: 'custom', path: ['tls_server_config', 'client_ca_file'], message: `client_auth_type ${t.client_auth_type} needs client_ca_file` });
    }
  });

export type WebConfigFile = z.infer<typeof webConfigSchema>;

/** A loaded web config: TLS options for node:https and the basic-auth check. */
export interface WebConfig {
  readonly file: string;
  /** Options for `https.createServer`, or null when the file has no tls_server_config. */
  readonly tls: (SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean }) | null;
  /** True when requests must carry basic-auth credentials of a listed user. */
  readonly requiresAuth: boolean;
  /** Null when the request may proceed, else why it is refused (401). */
  authorize(req: IncomingMessage): Promise<string | null>;
}

export class WebConfigError extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    super(`invalid web config:\n${errors.map(String).join('\n')}`);
  }
}

/** Parses a web config's text (relative paths resolve against `file`'s directory). */
export function parseWebConfig(text: string, file: string): { ok: true; config: WebConfigFile } | { ok: false; errors: ConfigError[] } {
  const r = parseYamlWithSchema(text, file, webConfigSchema, { kind: 'web config', noun: 'web config', example: 'tls_server_config:, basic_auth_users:' });
  return r.ok ? { ok: true, config: r.value } : r;
}

async function readOrFail(path: string, file: string, field: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new WebConfigError([new ConfigError(file, 0, field, `cannot read ${path}: ${(err as Error).message}`)]);
  }
}

/** Reads the web config and the files it names; throws WebConfigError naming file and field. */
export async function loadWebConfig(file: string): Promise<WebConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new WebConfigError([new ConfigError(file, 0, '', `cannot read the web config file: ${(err as Error).message}`)]);
  }
  const parsed = parseWebConfig(text, file);
  if (!parsed.ok) throw new WebConfigError(parsed.errors);
  const c = parsed.config;
  let tls: WebConfig['tls'] = null;
  if (c.tls_server_config) {
    const t = c.tls_server_config;
    tls = {
      cert: await readOrFail(t.cert_file, file, 'tls_server_config.cert_file'),
      key: await readOrFail(t.key_file, file, 'tls_server_config.key_file'),
      ...(t.client_ca_file ? { ca: await readOrFail(t.client_ca_file, file, 'tls_server_config.client_ca_file') } : {}),
      minVersion: tlsVersions[t.min_version],
      ...(t.max_version ? { maxVersion: tlsVersions[t.max_version] } : {}),
      requestCert: t.client_auth_type !== 'NoClientCert',
      // VerifyClientCertIfGiven is checked per request (authorize): node verifies all or none.
      rejectUnauthorized: t.client_auth_type === 'RequireAndVerifyClientCert',
    };
  }
  return new LoadedWebConfig(file, tls, c);
}

class LoadedWebConfig implements WebConfig {
  readonly requiresAuth: boolean;
  private readonly users: ReadonlyMap<string, string>;
  /** sha256(user, password) of credentials bcrypt already accepted: bcrypt costs ~100 ms a check. */
  private readonly verified = new Map<string, Buffer>();

  constructor(
    readonly file: string,
    readonly tls: WebConfig['tls'],
    private readonly c: WebConfigFile,
  ) {
    this.users = new Map(Object.entries(c.basic_auth_users ?? {}));
    this.requiresAuth = this.users.size > 0;
  }

  async authorize(req: IncomingMessage): Promise<string | null> {
    if (this.c.tls_server_config?.client_auth_type === 'VerifyClientCertIfGiven') {
      const socket = req.socket as { authorized?: boolean; getPeerCertificate?: () => { raw?: Buffer } };
      const given = socket.getPeerCertificate?.()?.raw !== undefined;
      if (given && socket.authorized !== true) return 'client certificate not signed by client_ca_file';
    }
    if (!this.requiresAuth) return null;
    const header = req.headers.authorization ?? '';
    const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!m) return 'basic authentication required';
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'malformed basic authentication header';
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const hash = this.users.get(user);
    // An unknown user still costs a bcrypt check, so timing does not reveal which users exist.
    const key = createHash('sha256').update(user).update('\0').update(password).digest();
    const cached = this.verified.get(user);
    if (hash !== undefined && cached !== undefined && timingSafeEqual(cached, key)) return null;
    // Loaded on first use: only a server with basic_auth_users needs it.
    const { default: bcrypt } = await import('bcryptjs');
    const ok = await bcrypt.compare(password, hash ?? dummyHash);
    if (!ok || hash === undefined) return 'invalid username or password';
    this.verified.set(user, key);
    return null;
  }
}

// bcrypt of a random string, cost 10: compared against for unknown users.
const dummyHash = '$2b$10$WW0CiVCiZ77AWvFaoaIwzOy/D/4Iz6C92mP2SnYrmFIzpVupAmmnq';

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
