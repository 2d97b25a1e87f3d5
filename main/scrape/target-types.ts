/**
 * What the scrape loop receives: one fully resolved scrape target. Built by `targets.ts` from a
 * discovered target group, the job's scrape config and its relabel_configs. Nothing here refers
 * to the config file shape, so the scrape loop depends on this file alone.
 */
import type { HttpAuth, TlsSettings } from '../http-client/settings.js';
import type { ProxySettings } from '../http-client/proxy.js';
import type { Labels } from '../tsdb/labels.js';
import type { ScrapeProtocol } from '../config/scrape-protocols.js';
import type { HistogramOptions } from './parse/parser.js';

/** Limits of one scrape; 0 means "no limit", as in Prometheus. */
export interface ScrapeLimits {
  readonly sampleLimit: number;
  readonly labelLimit: number;
  readonly labelNameLengthLimit: number;
  readonly labelValueLengthLimit: number;
  /** Bytes of the uncompressed body. */
  readonly bodySizeLimit: number;
}

/** One relabel rule applied, for the relabel debugger. */
export interface RelabelStep {
  /** Index of the rule in its relabel_configs list. */
  readonly index: number;
  readonly action: string;
  readonly before: Labels;
  /** The labels after the rule; equal to `before` when the rule did nothing. */
  readonly after: Labels;
  /** True when this rule dropped the target / series; no later steps follow. */
  readonly dropped: boolean;
}

export interface ScrapeTarget {
  /**
   * Stable identity across SD updates: same key ⇔ same target (job + final labels + URL), so the
   * scrape manager keeps a running loop (and its cache and staleness state) when a refresh
   * returns the same target again.
   */
  readonly key: string;
  readonly job: string;
  /** Full URL including `params` / `__param_*` query string. */
  readonly url: string;
  /** Final target labels (after relabel_configs, `__*` removed, `instance` defaulted). */
  readonly labels: Labels;
  /** Labels as discovered, before relabeling (includes `__meta_*`), for the Targets page. */
  readonly discoveredLabels: Labels;
  /** Milliseconds. */
  readonly interval: number;
  /** Milliseconds; never more than `interval`. */
  readonly timeout: number;
  readonly honorLabels: boolean;
  readonly honorTimestamps: boolean;
  readonly limits: ScrapeLimits;
  /** Auth and TLS: secret files are read on each scrape, as Prometheus does, so rotation needs no reload. */
  readonly auth: HttpAuth;
  readonly tls: TlsSettings;
  /** proxy_url, no_proxy, proxy_from_environment, proxy_connect_header. */
  readonly proxy: ProxySettings;
  /** Ask for gzip (`Accept-Encoding: gzip`); Prometheus' enable_compression, default true. */
  readonly enableCompression: boolean;
  /** Offer HTTP/2 to https targets (ALPN); Prometheus' enable_http2, default true. */
  readonly enableHttp2: boolean;
  /** Follow HTTP redirects; Prometheus' follow_redirects, default true. */
  readonly followRedirects: boolean;
  /** scrape_protocols, resolved: the Accept header's formats in order of preference. */
  readonly scrapeProtocols: readonly ScrapeProtocol[];
  /** scrape_native_histograms, always_scrape_classic_histograms, convert_classic_histograms_to_nhcb and the native histogram limits. */
  readonly histograms: HistogramOptions;
  /** metric_relabel_configs of the job bound as a function; null drops the series. */
  readonly metricRelabel: (labels: Labels) => Labels | null;
  /** True when the job has no metric_relabel_configs, so the loop can skip the call. */
  readonly metricRelabelIsNoop: boolean;
  /** The target relabeling that produced this target, step by step (for the debugger). */
  readonly relabelSteps: () => readonly RelabelStep[];
}

/** A target that relabeling dropped; kept so the Targets page can show why. */
export interface DroppedTarget {
  readonly job: string;
  readonly discoveredLabels: Labels;
  readonly relabelSteps: () => readonly RelabelStep[];
}
