/**
 * The prometheus.yml schema (zod) and the types of a loaded config. Field names stay as in the
 * file (snake_case) so an error path reads like the YAML; durations are milliseconds and sizes
 * bytes after parsing. Defaults and cross-field checks follow Prometheus' config package.
 */
import { z } from 'zod';
import {
  bool,
  byteSize,
  duration,
  filePatterns,
  httpClientFields,
  labelMap,
  nonNegativeFloat,
  reporter,
  str,
  stringList,
  uint,
  validateHttpClient,
} from './schema-common.js';
import { relabelConfigs } from './schema-relabel.js';
import { sdFields } from './schema-sd.js';
import { defaultProtocols, protocolProblems, type ScrapeProtocol } from './scrape-protocols.js';

const defaultGlobal = {
  scrape_interval: 60_000,
  scrape_timeout: 10_000,
  evaluation_interval: 60_000,
};

/**
 * Scrape limits when neither the job nor `global` sets one. Prometheus leaves them unlimited; on
 * a laptop one runaway target could then take all memory, so Vigil bounds each scrape at sizes a
 * real exporter never reaches (node-exporter exposes ~500 series, a big application ~50k, label
 * values are names, paths and URLs). Any of them can be raised, or set to 0 for no limit, per
 * job or in `global`. The table is in the README ("Scrape limits").
 */
const defaultLimits: Limits = {
  sample_limit: 200_000,
  label_limit: 64,
  label_name_length_limit: 0,
  label_value_length_limit: 16 * 1024,
  body_size_limit: 64 * 1024 * 1024,
  target_limit: 0,
};

const limitFields = {
  sample_limit: uint.optional(),
  label_limit: uint.optional(),
  label_name_length_limit: uint.optional(),
  label_value_length_limit: uint.optional(),
  body_size_limit: byteSize.optional(),
  target_limit: uint.optional(),
};

/** Vigil: the network a job belongs to; away from it the job is paused (main/network/). */
const networkBinding = z
  .strictObject({ gateway: str.optional(), interface: str.optional(), dns_suffix: str.optional() })
  .refine((b) => b.gateway !== undefined || b.interface !== undefined || b.dns_suffix !== undefined, { error: 'vigil_network names no gateway, interface or dns_suffix' });

const probeConfig = z.strictObject({
  job_name: str.min(1, { error: 'job_name is empty' }),
  module: str.min(1, { error: 'module is empty: name a module of blackbox_config_file' }),
  targets: stringList.default([]),
  scrape_interval: duration.optional(),
  scrape_timeout: duration.optional(),
  vigil_network: networkBinding.optional(),
});

const globalSchema = z.strictObject({
  scrape_interval: duration.optional(),
  scrape_timeout: duration.optional(),
  evaluation_interval: duration.optional(),
  rule_query_offset: duration.optional(),
  external_labels: labelMap.default({}),
  query_log_file: str.optional(),
  scrape_protocols: stringList.optional(),
  scrape_native_histograms: bool.optional(),
  always_scrape_classic_histograms: bool.optional(),
  convert_classic_histograms_to_nhcb: bool.optional(),
  keep_dropped_targets: uint.optional(),
  ...limitFields,
  /** Vigil: blackbox_exporter-style module file used by probe_configs. */
  blackbox_config_file: str.optional(),
  /** Vigil: blackbox probes run in-process (job, module, targets). */
  probe_configs: z.array(probeConfig).default([]),
  /** Vigil: notification routing in Alertmanager's config shape (route, receivers, inhibit_rules). */
  notification_config_file: str.optional(),
});

const scrapeConfigRaw = z.strictObject({
  job_name: str.min(1, { error: 'job_name is empty' }),
  scrape_interval: duration.optional(),
  scrape_timeout: duration.optional(),
  scrape_protocols: stringList.optional(),
  scrape_native_histograms: bool.optional(),
  always_scrape_classic_histograms: bool.optional(),
  convert_classic_histograms_to_nhcb: bool.optional(),
  native_histogram_bucket_limit: uint.default(0),
  native_histogram_min_bucket_factor: nonNegativeFloat.default(0),
  metrics_path: str.default('/metrics'),
  scheme: z.enum(['http', 'https'], { error: (iss) => `invalid scheme ${JSON.stringify(iss.input)}: use http or https` }).default('http'),
  params: z.record(z.string(), stringList).default({}),
  honor_labels: bool.default(false),
  honor_timestamps: bool.default(true),
  track_timestamps_staleness: bool.default(false),
  enable_compression: bool.default(true),
  ...httpClientFields,
  ...sdFields,
  relabel_configs: relabelConfigs,
  metric_relabel_configs: relabelConfigs,
  ...limitFields,
  keep_dropped_targets: uint.optional(),
  vigil_network: networkBinding.optional(),
});

const alertmanagerConfig = z
  .strictObject({
    scheme: z.enum(['http', 'https'], { error: (iss) => `invalid scheme ${JSON.stringify(iss.input)}: use http or https` }).default('http'),
    path_prefix: str.default('/'),
    timeout: duration.default(10_000),
    api_version: z.enum(['v2'], { error: (iss) => `unsupported Alertmanager API version ${JSON.stringify(iss.input)}: only v2 is supported` }).default('v2'),
    ...httpClientFields,
    ...sdFields,
    relabel_configs: relabelConfigs,
    alert_relabel_configs: relabelConfigs,
  })
  .transform((c, ctx) => validateHttpClient(c, reporter(ctx)));

const alertingSchema = z.strictObject({
  alert_relabel_configs: relabelConfigs,
  alertmanagers: z.array(alertmanagerConfig).default([]),
});

const queueConfig = z.strictObject({
  capacity: uint.optional(),
  max_shards: uint.optional(),
  min_shards: uint.optional(),
  max_samples_per_send: uint.optional(),
  batch_send_deadline: duration.optional(),
  min_backoff: duration.optional(),
  max_backoff: duration.optional(),
  retry_on_http_429: bool.optional(),
  sample_age_limit: duration.optional(),
});

const metadataConfig = z.strictObject({
  send: bool.optional(),
  send_interval: duration.optional(),
  max_samples_per_send: uint.optional(),
});

const remoteWriteConfig = z
  .strictObject({
    url: str.url({ error: (iss) => `invalid URL ${JSON.stringify(iss.input)}` }),
    name: str.default(''),
    remote_timeout: duration.default(30_000),
    headers: z.record(z.string(), str).default({}),
    write_relabel_configs: relabelConfigs,
    send_exemplars: bool.default(false),
    send_native_histograms: bool.default(false),
    round_robin_dns: bool.default(false),
    protobuf_message: z
      .enum(['prometheus.WriteRequest', 'io.prometheus.write.v2.Request'], { error: (iss) => `unknown remote write protobuf message ${JSON.stringify(iss.input)}: use prometheus.WriteRequest or io.prometheus.write.v2.Request` })
      .default('prometheus.WriteRequest'),
    queue_config: queueConfig.default({}),
    metadata_config: metadataConfig.default({}),
    ...httpClientFields,
  })
  .transform((c, ctx) => validateHttpClient(c, reporter(ctx)));

/** Prometheus' RemoteReadConfig (defaults: remote_timeout 1m, read_recent false, filter_external_labels true). */
const remoteReadConfig = z
  .strictObject({
    url: str.url({ error: (iss) => `invalid URL ${JSON.stringify(iss.input)}` }),
    name: str.default(''),
    remote_timeout: duration.default(60_000),
    headers: z.record(z.string(), str).default({}),
    read_recent: bool.default(false),
    required_matchers: labelMap.default({}),
    filter_external_labels: bool.default(true),
    ...httpClientFields,
  })
  .transform((c, ctx) => validateHttpClient(c, reporter(ctx)));

const rootRaw = z.strictObject({
  global: globalSchema.default({ external_labels: {}, probe_configs: [] }),
  rule_files: filePatterns.default([]),
  scrape_configs: z.array(scrapeConfigRaw).default([]),
  alerting: alertingSchema.default({ alert_relabel_configs: [], alertmanagers: [] }),
  remote_write: z.array(remoteWriteConfig).default([]),
  remote_read: z.array(remoteReadConfig).default([]),
});

type RootRaw = z.output<typeof rootRaw>;
type GlobalRaw = RootRaw['global'];
type ScrapeRaw = RootRaw['scrape_configs'][number];

interface Limits {
  /** 0 = no limit, as in Prometheus; defaults in defaultLimits. */
  readonly sample_limit: number;
  readonly label_limit: number;
  readonly label_name_length_limit: number;
  readonly label_value_length_limit: number;
  readonly body_size_limit: number;
  readonly target_limit: number;
}

type GlobalConfig = Omit<GlobalRaw, 'scrape_interval' | 'scrape_timeout' | 'evaluation_interval' | 'probe_configs' | keyof Limits> &
  Limits & {
    readonly scrape_interval: number;
    readonly scrape_timeout: number;
    readonly evaluation_interval: number;
    readonly probe_configs: readonly ProbeConfig[];
  };

interface ProbeConfig {
  readonly job_name: string;
  readonly module: string;
  readonly targets: readonly string[];
  readonly scrape_interval: number;
  readonly scrape_timeout: number;
  readonly vigil_network?: z.output<typeof networkBinding> | undefined;
}

export type ScrapeConfig = Omit<ScrapeRaw, 'scrape_interval' | 'scrape_timeout' | 'scrape_protocols' | 'scrape_native_histograms' | 'always_scrape_classic_histograms' | 'convert_classic_histograms_to_nhcb' | keyof Limits> &
  Limits & {
    readonly scrape_interval: number;
    readonly scrape_timeout: number;
    /** The job's list, else global's, else Prometheus 3's default (protobuf first with native histograms). */
    readonly scrape_protocols: readonly ScrapeProtocol[];
    readonly scrape_native_histograms: boolean;
    readonly always_scrape_classic_histograms: boolean;
    /** Classic histograms are stored as native histograms with custom buckets (the job's, else global's, else false). */
    readonly convert_classic_histograms_to_nhcb: boolean;
  };

type AlertingConfig = RootRaw['alerting'];
type RemoteWriteConfig = RootRaw['remote_write'][number];
type RemoteReadConfig = RootRaw['remote_read'][number];

export interface Config {
  readonly global: GlobalConfig;
  readonly rule_files: readonly string[];
  readonly scrape_configs: readonly ScrapeConfig[];
  readonly alerting: AlertingConfig;
  readonly remote_write: readonly RemoteWriteConfig[];
  readonly remote_read: readonly RemoteReadConfig[];
}

type Ctx = { issues: z.core.$ZodRawIssue[] };

function issue(ctx: Ctx, path: (string | number)[], message: string): void {
  reporter(ctx)(path, message);
}

/** Scrape interval/timeout with Prometheus' defaulting rules; reports timeout > interval. */
function intervals(
  g: { scrape_interval: number; scrape_timeout: number },
  own: { scrape_interval?: number | undefined; scrape_timeout?: number | undefined },
): { scrape_interval: number; scrape_timeout: number } {
  const scrape_interval = own.scrape_interval ?? g.scrape_interval;
  const scrape_timeout = own.scrape_timeout ?? Math.min(g.scrape_timeout, scrape_interval);
  return { scrape_interval, scrape_timeout };
}

/** Each limit as `own` sets it, else as `base` (a job over global, global over the defaults). */
function limitsOver(own: { readonly [K in keyof Limits]?: number | undefined }, base: Limits): Limits {
  const out = { ...base };
  for (const k of Object.keys(base) as (keyof Limits)[]) out[k] = own[k] ?? base[k];
  return out;
}

function resolve(raw: RootRaw, ctx: Ctx): Config {
  const g = raw.global;
  const scrape_interval = g.scrape_interval ?? defaultGlobal.scrape_interval;
  if (g.scrape_timeout !== undefined && g.scrape_timeout > scrape_interval) {
    issue(ctx, ['global', 'scrape_timeout'], 'global scrape timeout greater than scrape interval');
  }
  const scrape_timeout = g.scrape_timeout ?? Math.min(defaultGlobal.scrape_timeout, scrape_interval);
  const gl = { scrape_interval, scrape_timeout };
  const limits = limitsOver(g, defaultLimits);
  for (const m of g.scrape_protocols === undefined ? [] : protocolProblems(g.scrape_protocols)) issue(ctx, ['global', 'scrape_protocols'], m);

  const seen = new Map<string, number>();
  const jobSeen = (name: string, path: (string | number)[]) => {
    if (seen.has(name)) issue(ctx, path, `found multiple scrape configs with job name ${JSON.stringify(name)}`);
    seen.set(name, 1);
  };

  const scrape_configs = raw.scrape_configs.map((sc, i): ScrapeConfig => {
    jobSeen(sc.job_name, ['scrape_configs', i, 'job_name']);
    const iv = intervals(gl, sc);
    if (iv.scrape_timeout > iv.scrape_interval) {
      issue(ctx, ['scrape_configs', i, 'scrape_timeout'], `scrape timeout greater than scrape interval for scrape config with job name ${JSON.stringify(sc.job_name)}`);
    }
    const checked = validateHttpClient(sc, reporter(ctx, ['scrape_configs', i]));
    const native = sc.scrape_native_histograms ?? g.scrape_native_histograms ?? false;
    const protocols = sc.scrape_protocols ?? g.scrape_protocols;
    for (const m of sc.scrape_protocols === undefined ? [] : protocolProblems(sc.scrape_protocols)) issue(ctx, ['scrape_configs', i, 'scrape_protocols'], m);
    return {
      ...checked,
      ...iv,
      ...limitsOver(sc, limits),
      scrape_protocols: (protocols as ScrapeProtocol[] | undefined) ?? defaultProtocols(native),
      scrape_native_histograms: native,
      always_scrape_classic_histograms: sc.always_scrape_classic_histograms ?? g.always_scrape_classic_histograms ?? false,
      convert_classic_histograms_to_nhcb: sc.convert_classic_histograms_to_nhcb ?? g.convert_classic_histograms_to_nhcb ?? false,
    };
  });

  const probe_configs = g.probe_configs.map((p, i): ProbeConfig => {
    jobSeen(p.job_name, ['global', 'probe_configs', i, 'job_name']);
    const iv = intervals(gl, p);
    if (iv.scrape_timeout > iv.scrape_interval) {
      issue(ctx, ['global', 'probe_configs', i, 'scrape_timeout'], `scrape timeout greater than scrape interval for probe config with job name ${JSON.stringify(p.job_name)}`);
    }
    return { ...p, ...iv };
  });

  return {
    global: {
      ...g,
      ...limits,
      scrape_interval,
      scrape_timeout,
      evaluation_interval: g.evaluation_interval ?? defaultGlobal.evaluation_interval,
      probe_configs,
    },
    rule_files: raw.rule_files,
    scrape_configs,
    alerting: raw.alerting,
    remote_write: raw.remote_write,
    remote_read: raw.remote_read,
  };
}

export const configSchema = rootRaw.transform((raw, ctx) => resolve(raw, ctx));
