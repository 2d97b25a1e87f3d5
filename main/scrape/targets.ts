/**
 * Discovered target groups + a scrape config → scrape targets, as Prometheus' PopulateLabels and
 * Target.URL do: add job / __address__ / __scheme__ / __metrics_path__ / __scrape_interval__ /
 * __scrape_timeout__ / __param_*, apply relabel_configs, drop `__meta_*`, default `instance`,
 * then take the URL and the interval from the relabeled `__*` labels and drop those too.
 */
import { DurationError, formatDuration, parseDuration } from '../../app/dialect/duration.js';
import type { ScrapeConfig } from '../config/schema.js';
import { compareStrings, labelsKey, type Label, type Labels } from '../tsdb/labels.js';
import type { TargetGroup, TargetLabels } from './sd/discoverer.js';
import { relabel, relabelFn, relabelSteps } from './relabel.js';
import type { DroppedTarget, ScrapeTarget } from './target-types.js';
import { authSettings, proxySettings, tlsSettings } from '../http-client/settings.js';

const addressLabel = '__address__';
const schemeLabel = '__scheme__';
const metricsPathLabel = '__metrics_path__';
const scrapeIntervalLabel = '__scrape_interval__';
const scrapeTimeoutLabel = '__scrape_timeout__';
const paramLabelPrefix = '__param_';

export type TargetResult =
  | { readonly kind: 'active'; readonly target: ScrapeTarget }
  | { readonly kind: 'dropped'; readonly target: DroppedTarget }
  /** The target cannot be scraped (no address, bad interval…); Prometheus logs and skips it. */
  | { readonly kind: 'error'; readonly discoveredLabels: Labels; readonly message: string };

function sorted(map: Map<string, string>): Labels {
  const out: Label[] = [];
  for (const [name, value] of map) if (value !== '') out.push({ name, value });
  return out.sort((a, b) => compareStrings(a.name, b.name));
}

/** Labels before relabeling: the target's, then the group's, then the scrape config's. */
export function discoveredLabels(cfg: ScrapeConfig, target: TargetLabels, groupLabels: TargetLabels): Labels {
  const lb = new Map<string, string>(Object.entries(target));
  for (const [name, value] of Object.entries(groupLabels)) if (!lb.has(name)) lb.set(name, value);
  const defaults: [string, string][] = [
    ['job', cfg.job_name],
    [scrapeIntervalLabel, formatDuration(cfg.scrape_interval)],
    [scrapeTimeoutLabel, formatDuration(cfg.scrape_timeout)],
    [metricsPathLabel, cfg.metrics_path],
    [schemeLabel, cfg.scheme],
  ];
  for (const [name, value] of defaults) if ((lb.get(name) ?? '') === '') lb.set(name, value);
  for (const [name, values] of Object.entries(cfg.params)) {
    if (values.length > 0 && (lb.get(paramLabelPrefix + name) ?? '') === '') lb.set(paramLabelPrefix + name, values[0]!);
  }
  return sorted(lb);
}

/** Prometheus' Target.URL: params from the config, overridden by `__param_*` labels. */
export function targetUrl(labels: Labels, params: Readonly<Record<string, readonly string[]>>): string {
  const get = (n: string) => labels.find((l) => l.name === n)?.value ?? '';
  const query = new Map<string, string[]>();
  for (const [k, v] of Object.entries(params)) query.set(k, [...v]);
  for (const l of labels) {
    if (!l.name.startsWith(paramLabelPrefix)) continue;
    const k = l.name.slice(paramLabelPrefix.length);
    const vs = query.get(k);
    if (vs !== undefined && vs.length > 0) vs[0] = l.value;
    else query.set(k, [l.value]);
  }
  // Go's url.Values.Encode: keys sorted, form encoding.
  const qs = [...query.keys()]
    .sort(compareStrings)
    .flatMap((k) => query.get(k)!.map((v) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`.replace(/%20/g, '+')))
    .join('&');
  let path = get(metricsPathLabel);
  if (path !== '' && !path.startsWith('/')) path = '/' + path;
  return `${get(schemeLabel)}://${get(addressLabel)}${path}${qs === '' ? '' : '?' + qs}`;
}

/** One discovered target through relabeling. */
export function buildTarget(cfg: ScrapeConfig, target: TargetLabels, groupLabels: TargetLabels): TargetResult {
  const discovered = discoveredLabels(cfg, target, groupLabels);
  const steps = () => relabelSteps(discovered, cfg.relabel_configs);
  const relabeled = relabel(discovered, cfg.relabel_configs);
  if (relabeled === null) return { kind: 'dropped', target: { job: cfg.job_name, discoveredLabels: discovered, relabelSteps: steps } };
  const get = (n: string) => relabeled.find((l) => l.name === n)?.value ?? '';
  const fail = (message: string): TargetResult => ({ kind: 'error', discoveredLabels: discovered, message: `job ${JSON.stringify(cfg.job_name)}: ${message}` });

  const addr = get(addressLabel);
  if (addr === '') return fail('no address: relabel_configs removed __address__');
  if (addr.includes('/')) return fail(`${JSON.stringify(addr)} is not a valid hostname`);
  const intervalText = get(scrapeIntervalLabel);
  const interval = labelDuration(intervalText);
  if (typeof interval === 'string') return fail(`error parsing scrape interval: ${interval}`);
  if (interval === 0) return fail('scrape interval cannot be 0');
  const timeoutText = get(scrapeTimeoutLabel);
  const timeout = labelDuration(timeoutText);
  if (typeof timeout === 'string') return fail(`error parsing scrape timeout: ${timeout}`);
  if (timeout === 0) return fail('scrape timeout cannot be 0');
  if (timeout > interval) return fail(`scrape timeout cannot be greater than scrape interval (${JSON.stringify(timeoutText)} > ${JSON.stringify(intervalText)})`);

  const url = targetUrl(relabeled, cfg.params);
  // Public labels: everything not starting with "__"; instance defaults to the address.
  const lb = new Map<string, string>();
  for (const l of relabeled) if (!l.name.startsWith('__')) lb.set(l.name, l.value);
  if ((lb.get('instance') ?? '') === '') lb.set('instance', addr);
  const labels = sorted(lb);

  return {
    kind: 'active',
    target: {
      key: `${cfg.job_name}\x00${url}\x00${labelsKey(labels)}`,
      job: cfg.job_name,
      url,
      labels,
      discoveredLabels: discovered,
      interval,
      timeout,
      honorLabels: cfg.honor_labels,
      honorTimestamps: cfg.honor_timestamps,
      limits: {
        sampleLimit: cfg.sample_limit,
        labelLimit: cfg.label_limit,
        labelNameLengthLimit: cfg.label_name_length_limit,
        labelValueLengthLimit: cfg.label_value_length_limit,
        bodySizeLimit: cfg.body_size_limit,
      },
      auth: authSettings(cfg),
      tls: tlsSettings(cfg.tls_config),
      proxy: proxySettings(cfg),
      enableCompression: cfg.enable_compression,
      followRedirects: cfg.follow_redirects,
      scrapeProtocols: cfg.scrape_protocols,
      histograms: {
        nativeHistograms: cfg.scrape_native_histograms,
        alwaysScrapeClassic: cfg.always_scrape_classic_histograms,
        convertClassicToNhcb: cfg.convert_classic_histograms_to_nhcb,
        bucketLimit: cfg.native_histogram_bucket_limit,
        minBucketFactor: cfg.native_histogram_min_bucket_factor,
      },
      enableHttp2: cfg.enable_http2,
      metricRelabel: relabelFn(cfg.metric_relabel_configs),
      metricRelabelIsNoop: cfg.metric_relabel_configs.length === 0,
      relabelSteps: steps,
    },
  };
}

/** Every target of some groups; duplicates (same key) collapse as in Prometheus. */
export function buildTargets(cfg: ScrapeConfig, groups: Iterable<TargetGroup>): { active: ScrapeTarget[]; dropped: DroppedTarget[]; errors: string[] } {
  const active = new Map<string, ScrapeTarget>();
  const dropped: DroppedTarget[] = [];
  const errors: string[] = [];
  for (const g of groups) {
    for (const t of g.targets) {
      const r = buildTarget(cfg, t, g.labels);
      if (r.kind === 'active') {
        if (!active.has(r.target.key)) active.set(r.target.key, r.target);
      } else if (r.kind === 'dropped') dropped.push(r.target);
      else errors.push(r.message);
    }
  }
  return { active: [...active.values()], dropped, errors };
}

/** A duration label's value in milliseconds, or Prometheus' reason it is not one. */
function labelDuration(text: string): number | string {
  try {
    return parseDuration(text);
  } catch (e) {
    if (e instanceof DurationError) return e.message;
    throw e;
  }
}
