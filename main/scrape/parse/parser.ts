/**
 * Exposition parsers: Prometheus text 0.0.4 and OpenMetrics 1.0, iterator style like Prometheus'
 * `textparse`. One entry per `next()`; accessors read the current entry. Labels are parsed only
 * when asked for, so the scrape loop can look the raw series text up in its cache first.
 */
import type { Labels } from '../../tsdb/labels.js';
import type { NativeHistogram } from '../../tsdb/interface.js';
import { ExpositionScanner } from './scanner.js';
import { ProtobufParser, type ProtobufOptions } from './protobuf.js';
import { NhcbParser } from './nhcb-parser.js';

export { ExpositionParseError } from './errors.js';

export type EntryKind = 'series' | 'type' | 'help' | 'unit' | 'comment' | 'eof';

export type MetricTypeName =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'summary'
  | 'untyped'
  | 'unknown'
  | 'info'
  | 'stateset'
  | 'gaugehistogram';

export interface TextParser {
  /** Advances to the next entry; throws ExpositionParseError on malformed input. */
  next(): EntryKind;
  /**
   * For 'series': the raw series text (name + label block, as written) — the scrape cache key.
   * One character per byte (latin1), so building it is cheap and equal bytes ⇔ equal keys; use
   * `labels()` for the decoded text.
   */
  seriesId(): string;
  /** The page's bytes: the raw series text is `body[seriesIdStart(), seriesIdEnd())`. */
  readonly body: Uint8Array;
  seriesIdStart(): number;
  seriesIdEnd(): number;
  /** float64 incl. NaN/±Inf. */
  value(): number;
  /** ms (OpenMetrics seconds are converted), null when absent. */
  timestamp(): number | null;
  /** Parsed lazily, incl. __name__, sorted. Throws ExpositionParseError on duplicate names. */
  labels(): Labels;
  /** For 'series': the metric name as written (no label parsing). */
  metricName(): string;
  metricType(): { name: string; type: MetricTypeName };
  help(): { name: string; text: string };
  /** For 'unit' (OpenMetrics). */
  unit(): { name: string; unit: string };
  /** For 'comment': the text after `#`. */
  comment(): string;
  /** 1-based line number of the current entry, for errors. */
  line(): number;
  /** For 'series': its exemplar (OpenMetrics `# {…} v [ts]`, protobuf exemplar fields), ts in ms or null. */
  exemplar?(): { labels: Labels; value: number; ts: number | null } | null;
  /** Protobuf pages only: for 'series', the native histogram (null: a float sample). */
  histogram?(): NativeHistogram | null;
  /** Protobuf pages only: for 'series', why its native histogram cannot be stored (null: it can). */
  histogramError?(): string | null;
}

export type ExpositionFormat = 'text' | 'openmetrics' | 'protobuf';

/**
 * The parser a Content-Type selects: the OpenMetrics media type OpenMetrics, Prometheus' protobuf
 * media type (proto=io.prometheus.client.MetricFamily, encoding=delimited) protobuf, anything
 * else text (Prometheus' fallback for an unknown type).
 */
export function formatOf(contentType: string): ExpositionFormat {
  const [mediaRaw = '', ...params] = contentType.split(';');
  const media = mediaRaw.trim().toLowerCase();
  if (media === 'application/openmetrics-text') return 'openmetrics';
  if (media === 'application/vnd.google.protobuf') {
    const p = new Map(params.map((x) => x.split('=').map((y) => y.trim()) as [string, string]));
    if (p.get('proto') === 'io.prometheus.client.MetricFamily' && p.get('encoding') === 'delimited') return 'protobuf';
  }
  return 'text';
}

/** A scrape config's histogram settings: the protobuf ones and convert_classic_histograms_to_nhcb. */
export interface HistogramOptions extends ProtobufOptions {
  /** convert_classic_histograms_to_nhcb: classic histograms become custom-bucket native ones (nhcb-parser.ts); absent: false. */
  readonly convertClassicToNhcb?: boolean;
}

/** Histogram options when the scrape config does not say (native histograms off: Prometheus' default). */
const defaultHistograms: HistogramOptions = { nativeHistograms: false, alwaysScrapeClassic: false, bucketLimit: 0, minBucketFactor: 0 };

export function createParser(body: Uint8Array, contentType: string, histograms: HistogramOptions = defaultHistograms): TextParser {
  const format = formatOf(contentType);
  const parser = format === 'protobuf' ? new ProtobufParser(body, histograms) : new ExpositionScanner(body, format === 'openmetrics');
  return histograms.convertClassicToNhcb === true ? new NhcbParser(parser, histograms.alwaysScrapeClassic) : parser;
}
