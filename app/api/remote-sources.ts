import { z } from 'zod';

/**
 * Remote data sources: Prometheus-compatible query APIs (Prometheus, Thanos Query, Mimir/Cortex,
 * VictoriaMetrics, another Vigil) that Explore, completion and dashboards can query instead of
 * this engine. The engine keeps them (credentials included) and proxies every request: the page
 * sends a source uid, never talks to the remote host, and never receives a stored secret back.
 */
const remoteSourceKinds = ['prometheus', 'thanos', 'mimir', 'victoriametrics', 'vigil'] as const;

/** The uid that names this engine itself (Grafana JSON's `{type: "prometheus", uid: "vigil"}`). */
export const localSourceUid = 'vigil';

const uid = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, { error: 'a uid is 1 to 40 letters, digits, _ or -' });

/** Auth as the page sends it: an omitted secret on an existing source keeps the stored one. */
const AuthInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z.object({ kind: z.literal('basic'), username: z.string().max(1024), password: z.string().max(4096).optional() }).strict(),
  z.object({ kind: z.literal('bearer'), token: z.string().max(16_384).optional() }).strict(),
]);

const common = {
  name: z.string().trim().min(1, { error: 'a source needs a name' }).max(200),
  kind: z.enum(remoteSourceKinds),
  url: z
    .string()
    .max(2048)
    .regex(/^https?:\/\/[^/\s?#]+(?:[/?#]\S*)?$/i, { error: 'the URL must be http:// or https:// followed by a host' }),
  /** Sent as X-Scope-OrgID (Mimir, Cortex; tenants of a multi-tenant Thanos or VictoriaMetrics proxy). */
  orgId: z.string().max(256).default(''),
  /** Extra request headers (not secret: they are shown back). */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), z.string().max(4096)).default({}),
  tlsInsecureSkipVerify: z.boolean().default(false),
  /** PEM of the CA to trust for https (empty: the system's). */
  caPem: z.string().max(65_536).default(''),
  /** http(s) proxy for requests to this source (empty: direct). */
  proxyUrl: z.string().max(2048).default(''),
};

export const SaveRemoteSourceRequestSchema = z.object({ uid: uid.optional(), ...common, auth: AuthInputSchema }).strict();

export const RemoteSourceSchema = z.object({
  uid: z.string(),
  name: z.string(),
  kind: z.enum(remoteSourceKinds),
  url: z.string(),
  orgId: z.string(),
  headers: z.record(z.string(), z.string()),
  tlsInsecureSkipVerify: z.boolean(),
  caPem: z.string(),
  proxyUrl: z.string(),
  /** The auth kind and user name; whether a secret is stored, never the secret. */
  auth: z.object({ kind: z.enum(['none', 'basic', 'bearer']), username: z.string(), hasSecret: z.boolean() }),
  updatedMs: z.number(),
});
export type RemoteSource = z.infer<typeof RemoteSourceSchema>;

export const RemoteSourcesResponseSchema = z.object({ sources: z.array(RemoteSourceSchema) });
export const RemoteSourceUidRequestSchema = z.object({ uid }).strict();
export const DeleteRemoteSourceResponseSchema = z.object({ deleted: z.boolean() });
export const TestRemoteSourceResponseSchema = z.object({ ok: z.boolean(), message: z.string() });

/** The `source` field of query, completion and metadata requests: a remote source's uid; absent or "vigil" is this engine. */
export const SourceFieldSchema = z.string().max(64).optional();
