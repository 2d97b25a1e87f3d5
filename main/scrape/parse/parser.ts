/**
 * Exposition parsers: Prometheus text 0.0.4 and OpenMetrics 1.0, iterator style like Prometheus'
 * `textparse`. One entry per `next()`; accessors read the current entry. Labels are parsed only
 * when asked for, so the scrape loop can look the raw series text up in its cache first.
 */
import type { Labels } from '../../tsdb/labels.js';
import { ExpositionScanner } from './scanner.js';

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
}

export type ExpositionFormat = 'text' | 'openmetrics';

/** Prometheus 2.42's rule: the OpenMetrics media type selects OpenMetrics, anything else text. */
export function formatOf(contentType: string): ExpositionFormat {
  const media = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return media === 'application/openmetrics-text' ? 'openmetrics' : 'text';
}

export function createParser(body: Uint8Array, contentType: string): TextParser {
  return new ExpositionScanner(body, formatOf(contentType) === 'openmetrics');
}
