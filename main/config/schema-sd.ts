/**
 * Service-discovery sections of a scrape config: static_configs, file_sd_configs,
 * dns_sd_configs, http_sd_configs. Defaults and messages follow Prometheus' discovery packages;
 * `nameserver` on dns_sd_configs is a Vigil addition (Prometheus uses /etc/resolv.conf).
 */
import { z } from 'zod';
import { duration, filePatterns, httpClientFields, labelMap, reporter, str, stringList, uint, validateHttpClient } from './schema-common.js';

const staticConfig = z.strictObject({
  targets: stringList.default([]).superRefine((targets, ctx) => {
    targets.forEach((t, i) => {
      // Prometheus: an address, not a URL; the scheme and path come from the scrape config.
      if (t.includes('/')) ctx.issues.push({ code: 'custom', message: `${JSON.stringify(t)} is not a valid hostname: give host:port; scheme and metrics_path are set on the scrape config`, path: [i], input: t });
    });
  }),
  labels: labelMap.default({}),
});
export type StaticConfig = z.output<typeof staticConfig>;

/** Prometheus' patFileSDName: a `*` only in the file name, and a JSON or YAML extension. */
const sdFilePattern = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;

const fileSdConfig = z.strictObject({
  files: filePatterns.superRefine((files, ctx) => {
    if (files.length === 0) ctx.issues.push({ code: 'custom', message: 'file service discovery config must contain at least one path name', input: files });
    files.forEach((f, i) => {
      if (!sdFilePattern.test(f)) ctx.issues.push({ code: 'custom', message: `path name ${JSON.stringify(f)} is not valid for file discovery: it must end in .json, .yml or .yaml, with a * only in the file name`, path: [i], input: f });
    });
  }),
  refresh_interval: duration.default(5 * 60_000),
});
export type FileSdConfig = z.output<typeof fileSdConfig>;

const dnsRecordTypes = ['SRV', 'A', 'AAAA', 'MX', 'NS'] as const;
export type DnsRecordType = (typeof dnsRecordTypes)[number];

const dnsSdConfig = z
  .strictObject({
    names: stringList,
    refresh_interval: duration.default(30_000),
    type: str.default('SRV'),
    port: uint.default(0),
    /** Vigil: `host:port` of the DNS server to ask; default: the system resolver. */
    nameserver: str.default(''),
  })
  .transform((c, ctx) => {
    const type = c.type.toUpperCase() as DnsRecordType;
    if (!(dnsRecordTypes as readonly string[]).includes(type)) {
      ctx.issues.push({ code: 'custom', message: `invalid DNS-SD records type ${JSON.stringify(c.type)}: use one of ${dnsRecordTypes.join(', ')}`, path: ['type'], input: c.type });
    }
    if (c.names.length === 0) ctx.issues.push({ code: 'custom', message: 'DNS-SD config must contain at least one SRV record name', path: ['names'], input: c.names });
    if (type !== 'SRV' && c.port === 0) {
      ctx.issues.push({ code: 'custom', message: 'a port is required in DNS-SD configs for all record types except SRV', path: ['port'], input: c.port });
    }
    if (c.nameserver !== '' && !/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d+$/.test(c.nameserver)) {
      ctx.issues.push({ code: 'custom', message: `invalid nameserver ${JSON.stringify(c.nameserver)}: use host:port, e.g. "127.0.0.1:53"`, path: ['nameserver'], input: c.nameserver });
    }
    return { ...c, type };
  });
export type DnsSdConfig = z.output<typeof dnsSdConfig>;

const httpSdConfig = z
  .strictObject({
    url: str,
    refresh_interval: duration.default(60_000),
    ...httpClientFields,
  })
  .transform((c, ctx) => {
    let ok = false;
    try {
      const u = new URL(c.url);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
      if (!ok) ctx.issues.push({ code: 'custom', message: "URL scheme must be 'http' or 'https'", path: ['url'], input: c.url });
    } catch {
      ctx.issues.push({ code: 'custom', message: `invalid URL ${JSON.stringify(c.url)}`, path: ['url'], input: c.url });
    }
    return validateHttpClient(c, reporter(ctx));
  });
export type HttpSdConfig = z.output<typeof httpSdConfig>;

/** The SD fields shared by scrape configs and alertmanager configs. */
export const sdFields = {
  static_configs: z.array(staticConfig).default([]),
  file_sd_configs: z.array(fileSdConfig).default([]),
  dns_sd_configs: z.array(dnsSdConfig).default([]),
  http_sd_configs: z.array(httpSdConfig).default([]),
};

export interface SdConfigs {
  readonly static_configs: readonly StaticConfig[];
  readonly file_sd_configs: readonly FileSdConfig[];
  readonly dns_sd_configs: readonly DnsSdConfig[];
  readonly http_sd_configs: readonly HttpSdConfig[];
}
