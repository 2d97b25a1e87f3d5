/**
 * The protobuf exposition format (`application/vnd.google.protobuf;
 * proto=io.prometheus.client.MetricFamily;encoding=delimited`): length-delimited MetricFamily
 * messages of Prometheus' metrics.proto, decoded with protobufjs, turned into the same entries the
 * text parsers give (as Prometheus' textparse/protobufparse.go does: counters, gauges and untyped
 * as one series, summaries as _count, _sum and quantiles, histograms as a native histogram and/or
 * the classic _count, _sum and _bucket series). The page is decoded whole before the first entry:
 * a malformed message fails the scrape with the offset of the message, as a text syntax error
 * does. A bad native histogram fails only its series (`histogramError()`), as storage would.
 *
 * `seriesId()` bytes are built for the scrape cache: name and labels, one byte string per series.
 */
import protobuf from 'protobufjs';
import type { Label, Labels } from '../../tsdb/labels.js';
import type { NativeHistogram } from '../../tsdb/interface.js';
import { formatGoFloat } from '../../util/go-float.js';
import { ExpositionParseError } from './errors.js';
import { metricsDescriptor } from './metrics-descriptor.js';
import { fromProtobuf, isNative, limitResolution, NativeHistogramError, type PbHistogram } from './native-histogram.js';
import type { EntryKind, MetricTypeName, TextParser } from './parser.js';

// uint64/int64 fields as JavaScript numbers, not Long objects (as main/remote/proto.ts sets it:
// the setting is global to protobufjs); counts and millisecond times stay far below 2^53.
protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
protobuf.configure();

// Timestamp (imported by metrics.proto) from protobufjs' bundled well-known types, then ours.
const root = new protobuf.Root().addJSON(protobuf.common.get('google/protobuf/timestamp.proto')!.nested!).addJSON(metricsDescriptor.nested as unknown as Record<string, protobuf.AnyNestedObject>);
/** io.prometheus.client.MetricFamily (tests and benchmarks encode pages with it). */
export const metricFamilyType = root.lookupType('io.prometheus.client.MetricFamily');

interface PbLabel {
  name?: string;
  value?: string;
}
interface PbExemplar {
  label?: PbLabel[];
  value?: number;
  timestamp?: { seconds?: number; nanos?: number };
}
interface PbMetric {
  label?: PbLabel[];
  gauge?: { value?: number };
  counter?: { value?: number; exemplar?: PbExemplar };
  untyped?: { value?: number };
  summary?: { sample_count?: number; sample_sum?: number; quantile?: { quantile?: number; value?: number }[] };
  histogram?: PbHistogram & { bucket?: { cumulative_count?: number; cumulative_count_float?: number; upper_bound?: number; exemplar?: PbExemplar }[]; exemplars?: PbExemplar[] };
  timestamp_ms?: number;
}
interface PbFamily {
  name?: string;
  help?: string;
  type?: number;
  unit?: string;
  metric?: PbMetric[];
}

const typeNames: readonly MetricTypeName[] = ['counter', 'gauge', 'summary', 'unknown', 'histogram', 'gaugehistogram'];

export interface ProtobufOptions {
  /** scrape_native_histograms: store native histograms (false: only their classic series, if any). */
  readonly nativeHistograms: boolean;
  /** always_scrape_classic_histograms: also the classic series of a native histogram. */
  readonly alwaysScrapeClassic: boolean;
  /** native_histogram_bucket_limit (0: none). */
  readonly bucketLimit: number;
  /** native_histogram_min_bucket_factor (0: none). */
  readonly minBucketFactor: number;
}

interface Entry {
  readonly kind: EntryKind;
  readonly name: string;
  /** type / help / unit text. */
  readonly text: string;
  readonly labels: Labels;
  readonly value: number;
  readonly ts: number | null;
  readonly histogram: NativeHistogram | null;
  readonly histogramError: string | null;
  /** Metric index within the page, for errors. */
  readonly at: number;
  readonly exemplar?: ParsedExemplar | null;
}

type ParsedExemplar = { labels: Labels; value: number; ts: number | null };

/** A protobuf exemplar as the parsers give it (labels sorted, empty values left out). */
function exemplarOf(e: PbExemplar | undefined): ParsedExemplar | null {
  if (e === undefined) return null;
  const labels: Label[] = [];
  for (const l of e.label ?? []) if ((l.value ?? '') !== '') labels.push({ name: l.name ?? '', value: l.value! });
  labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const ts = e.timestamp === undefined ? null : (e.timestamp.seconds ?? 0) * 1000 + Math.floor((e.timestamp.nanos ?? 0) / 1e6);
  return { labels, value: e.value ?? 0, ts };
}

export class ProtobufParser implements TextParser {
  private readonly entries: Entry[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  readonly body: Uint8Array;
  private i = -1;

  constructor(page: Uint8Array, private readonly opts: ProtobufOptions) {
    const reader = protobuf.Reader.create(page);
    let n = 0;
    while (reader.pos < reader.len) {
      const at = reader.pos;
      let fam: PbFamily;
      try {
        fam = metricFamilyType.toObject(metricFamilyType.decodeDelimited(reader), { defaults: false, arrays: true, longs: Number }) as PbFamily;
      } catch (e) {
        throw new ExpositionParseError(n + 1, `malformed protobuf MetricFamily at byte ${at}: ${(e as Error).message}`);
      }
      n++;
      this.family(fam, n);
    }
    // Series ids, back to back in one buffer (the scrape cache keys on these bytes).
    const parts: Buffer[] = [];
    let off = 0;
    for (const e of this.entries) {
      if (e.kind !== 'series') {
        this.starts.push(off);
        this.ends.push(off);
        continue;
      }
      let id = (e.histogram !== null || e.histogramError !== null ? '\x01' : '') + e.name;
      for (const l of e.labels) if (l.name !== '__name__') id += `\xff${l.name}\xfe${l.value}`;
      const b = Buffer.from(id, 'utf8');
      parts.push(b);
      this.starts.push(off);
      off += b.length;
      this.ends.push(off);
    }
    this.body = Buffer.concat(parts);
  }

  private family(f: PbFamily, at: number): void {
    const name = f.name ?? '';
    if (name === '') throw new ExpositionParseError(at, 'MetricFamily without a name');
    const type = typeNames[f.type ?? 0];
    if (type === undefined) throw new ExpositionParseError(at, `MetricFamily ${name} has unknown type ${f.type}`);
    const meta = (kind: EntryKind, text: string): void => {
      this.entries.push({ kind, name, text, labels: [], value: 0, ts: null, histogram: null, histogramError: null, at });
    };
    if ((f.help ?? '') !== '') meta('help', f.help!);
    meta('type', type);
    if ((f.unit ?? '') !== '') meta('unit', f.unit!);
    for (const m of f.metric ?? []) {
      const base: Label[] = [];
      for (const l of m.label ?? []) if ((l.value ?? '') !== '') base.push({ name: l.name ?? '', value: l.value! });
      const ts = m.timestamp_ms !== undefined && m.timestamp_ms !== 0 ? m.timestamp_ms : null;
      const series = (suffix: string, value: number, extra?: Label, exemplar?: PbExemplar): void => {
        const labels = [{ name: '__name__', value: name + suffix }, ...base];
        if (extra) labels.push(extra);
        this.entries.push({ kind: 'series', name: name + suffix, text: '', labels: sortLabels(labels, at, name), value, ts, histogram: null, histogramError: null, at, exemplar: exemplarOf(exemplar) });
      };
      switch (type) {
        case 'counter':
          series('', m.counter?.value ?? 0, undefined, m.counter?.exemplar);
          break;
        case 'gauge':
          series('', m.gauge?.value ?? 0);
          break;
        case 'unknown':
          series('', m.untyped?.value ?? 0);
          break;
        case 'summary': {
          const s = m.summary ?? {};
          series('_count', s.sample_count ?? 0);
          series('_sum', s.sample_sum ?? 0);
          for (const q of s.quantile ?? []) series('', q.value ?? 0, { name: 'quantile', value: formatGoFloat(q.quantile ?? 0) });
          break;
        }
        default: {
          const h = m.histogram ?? {};
          const native = isNative(h);
          if (native && this.opts.nativeHistograms) {
            let histogram: NativeHistogram | null = null;
            let histogramError: string | null = null;
            try {
              histogram = limitResolution(fromProtobuf(h, type === 'gaugehistogram'), this.opts.bucketLimit, this.opts.minBucketFactor);
            } catch (e) {
              if (!(e instanceof NativeHistogramError)) throw e;
              histogramError = `native histogram ${name}: ${e.message}`;
            }
            // Native exemplars carry timestamps; the newest one is kept for the sample.
            const newest = [...(h.exemplars ?? [])].map(exemplarOf).filter((e) => e !== null && e.ts !== null).sort((a, b) => a!.ts! - b!.ts!).pop() ?? null;
            this.entries.push({ kind: 'series', name, text: '', labels: sortLabels([{ name: '__name__', value: name }, ...base], at, name), value: 0, ts, histogram, histogramError, at, exemplar: newest });
          }
          if (native && this.opts.nativeHistograms && !this.opts.alwaysScrapeClassic) break;
          // Classic series: absent buckets and no +Inf bucket on a native-only histogram mean
          // there is no classic histogram to keep (Prometheus skips it then as well).
          const buckets = h.bucket ?? [];
          if (native && buckets.length === 0) break;
          const count = (h.sample_count_float ?? 0) > 0 ? h.sample_count_float! : (h.sample_count ?? 0);
          series('_count', count);
          series('_sum', h.sample_sum ?? 0);
          let sawInf = false;
          for (const b of buckets) {
            const le = b.upper_bound ?? 0;
            if (le === Infinity) sawInf = true;
            series('_bucket', (b.cumulative_count_float ?? 0) > 0 ? b.cumulative_count_float! : (b.cumulative_count ?? 0), { name: 'le', value: formatGoFloat(le) }, b.exemplar);
          }
          if (!sawInf) series('_bucket', count, { name: 'le', value: '+Inf' });
        }
      }
    }
  }

  next(): EntryKind {
    this.i++;
    return this.i < this.entries.length ? this.entries[this.i]!.kind : 'eof';
  }
  private get cur(): Entry {
    return this.entries[this.i]!;
  }
  seriesId(): string {
    return Buffer.from(this.body.buffer, this.body.byteOffset, this.body.byteLength).toString('latin1', this.starts[this.i], this.ends[this.i]);
  }
  seriesIdStart(): number {
    return this.starts[this.i]!;
  }
  seriesIdEnd(): number {
    return this.ends[this.i]!;
  }
  value(): number {
    return this.cur.value;
  }
  timestamp(): number | null {
    return this.cur.ts;
  }
  labels(): Labels {
    return this.cur.labels;
  }
  metricName(): string {
    return this.cur.name;
  }
  metricType(): { name: string; type: MetricTypeName } {
    return { name: this.cur.name, type: this.cur.text as MetricTypeName };
  }
  help(): { name: string; text: string } {
    return { name: this.cur.name, text: this.cur.text };
  }
  unit(): { name: string; unit: string } {
    return { name: this.cur.name, unit: this.cur.text };
  }
  comment(): string {
    return '';
  }
  /** The MetricFamily (1-based) the entry came from: protobuf pages have no lines. */
  line(): number {
    return this.cur.at;
  }
  exemplar(): ParsedExemplar | null {
    return this.cur.exemplar ?? null;
  }
  /** For 'series': the native histogram, or null for a float sample. */
  histogram(): NativeHistogram | null {
    return this.cur.histogram;
  }
  /** For 'series': why the native histogram of this series cannot be stored, or null. */
  histogramError(): string | null {
    return this.cur.histogramError;
  }
}

/** Labels sorted by name; a repeated name is a malformed page. */
function sortLabels(labels: Label[], at: number, family: string): Labels {
  labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < labels.length; i++) {
    if (labels[i]!.name === labels[i - 1]!.name) throw new ExpositionParseError(at, `label ${labels[i]!.name} appears twice in a metric of MetricFamily ${family}`);
  }
  return labels;
}
