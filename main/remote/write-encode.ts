/**
 * The bodies of remote write requests other than 1.0 float samples (those take
 * proto.ts' encodeWriteRequestFast): 1.0 requests of native histograms or of exemplars, 1.0
 * metadata requests, and every 2.0 request (`io.prometheus.write.v2.Request`: strings go once
 * into a symbols table, series point into it). Requests carry one kind each (floats, histograms
 * or exemplars), so a receiver that refuses one kind does not cost the others.
 */
import type { Labels } from '../tsdb/labels.js';
import type { NativeHistogram } from '../tsdb/interface.js';
import { histogramToProto } from './histogram-proto.js';
import { encodeRaw, encodeWriteRequestFast, type PreparedSeries } from './proto.js';

/** A series' exemplars as the queue sends them (labels as sent, after relabeling). */
export interface ExemplarSeries {
  /** Encoded labels section, as PreparedSeries.labels. */
  readonly labels: Uint8Array;
  readonly ref: number;
  readonly exemplars: readonly { readonly labels: Labels; readonly value: number; readonly ts: number }[];
}

/** Metadata of one metric family as scraped. */
export interface FamilyMetadata {
  readonly family: string;
  /** Prometheus' type name: counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown. */
  readonly type: string;
  readonly help: string;
  readonly unit: string;
}

/** Series of a request with histograms: `v` holds markers, `hs` (round-wide, aligned with t/v) the histograms. */
export interface HistogramSeries extends PreparedSeries {
  readonly hs: ArrayLike<NativeHistogram | undefined>;
}

export type RequestPart =
  | { readonly kind: 'samples'; readonly series: readonly PreparedSeries[] }
  | { readonly kind: 'histograms'; readonly series: readonly HistogramSeries[] }
  | { readonly kind: 'exemplars'; readonly series: readonly ExemplarSeries[] };

const metricTypes = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'];

/** MetricMetadata.MetricType (1.0) and Metadata.MetricType (2.0) share the numbers. */
function metricTypeNumber(type: string): number {
  const i = metricTypes.indexOf(type);
  return i < 0 ? 0 : i;
}

function histogramsOf(s: HistogramSeries): ReturnType<typeof histogramToProto>[] {
  const out: ReturnType<typeof histogramToProto>[] = [];
  for (let i = s.from; i < s.to; i++) {
    const h = s.hs[i];
    if (h !== undefined) out.push(histogramToProto(h, s.t[i]!));
  }
  return out;
}

const exemplarsOf = (s: ExemplarSeries): { labels: Labels; value: number; timestamp: number }[] => s.exemplars.map((e) => ({ labels: e.labels, value: e.value, timestamp: e.ts }));

/** A 1.0 WriteRequest body for one part. */
export function encodeV1(part: RequestPart): Uint8Array {
  if (part.kind === 'samples') return encodeWriteRequestFast(part.series);
  const pieces: Uint8Array[] = [];
  for (const s of part.series) {
    // The cached labels section, then the other fields of the same TimeSeries (field order is free).
    const rest = part.kind === 'histograms' ? encodeRaw('TimeSeries', { histograms: histogramsOf(s as HistogramSeries) }) : encodeRaw('TimeSeries', { exemplars: exemplarsOf(s as ExemplarSeries) });
    pieces.push(lengthDelimited(1, [s.labels, rest]));
  }
  return concat(pieces);
}

/** A 1.0 WriteRequest holding only metadata, as Prometheus' metadata watcher sends it. */
export function encodeV1Metadata(md: readonly FamilyMetadata[]): Uint8Array {
  return encodeRaw('WriteRequest', { metadata: md.map((m) => ({ type: metricTypeNumber(m.type), metric_family_name: m.family, help: m.help, unit: m.unit })) });
}

/** Strings of a 2.0 request, each once; index 0 is "" as the specification asks. */
class Symbols {
  readonly list: string[] = [''];
  private readonly index = new Map<string, number>([['', 0]]);

  ref(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }

  refs(labels: Labels): number[] {
    const out: number[] = [];
    for (const l of labels) out.push(this.ref(l.name), this.ref(l.value));
    return out;
  }
}

export interface V2Context {
  /** Labels as sent of a series ref. */
  labelsOf(ref: number): Labels;
  /** Metadata to attach to a series (by its metric name), when metadata is sent. */
  metadataOf?(metric: string): FamilyMetadata | undefined;
}

/** A 2.0 Request body for one part. */
export function encodeV2(part: RequestPart, ctx: V2Context): Uint8Array {
  const sym = new Symbols();
  const timeseries = part.series.map((s) => {
    const labels = ctx.labelsOf(s.ref);
    const ts: Record<string, unknown> = { labels_refs: sym.refs(labels) };
    if (part.kind === 'samples') {
      const p = s as PreparedSeries;
      const samples = [];
      for (let i = p.from; i < p.to; i++) samples.push({ value: p.v[i]!, timestamp: p.t[i]! });
      ts['samples'] = samples;
    } else if (part.kind === 'histograms') ts['histograms'] = histogramsOf(s as HistogramSeries);
    else ts['exemplars'] = (s as ExemplarSeries).exemplars.map((e) => ({ labels_refs: sym.refs(e.labels), value: e.value, timestamp: e.ts }));
    const name = labels.find((l) => l.name === '__name__')?.value;
    const md = name === undefined ? undefined : ctx.metadataOf?.(name);
    if (md !== undefined) ts['metadata'] = { type: metricTypeNumber(md.type), help_ref: sym.ref(md.help), unit_ref: sym.ref(md.unit) };
    return ts;
  });
  return encodeRaw('v2.Request', { symbols: sym.list, timeseries });
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function lengthDelimited(field: number, body: readonly Uint8Array[]): Uint8Array {
  const len = body.reduce((a, b) => a + b.length, 0);
  return concat([Uint8Array.from([(field << 3) | 2, ...varint(len)]), ...body]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
