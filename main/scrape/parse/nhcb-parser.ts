/**
 * `convert_classic_histograms_to_nhcb`: wraps a page's parser and turns each classic histogram
 * into one native histogram with custom buckets (schema −53) under the family's base name, as
 * Prometheus 3's textparse NHCBParser does (the code is ours):
 *
 * * only series of a family whose `# TYPE` is `histogram` count, and only `<family>_bucket`
 *   (with a numeric `le`), `<family>_count` and `<family>_sum`; consecutive series of the family
 *   with the same labels apart from `le` form one histogram;
 * * the histogram is handed on as one more series, right after its last classic series (before
 *   the next entry of the page), with the exemplar of its buckets that has the latest timestamp;
 * * the classic series are handed on as well only with `always_scrape_classic_histograms`;
 * * classic series that follow a native histogram of the same labels (a protobuf page with both)
 *   are not converted: the native one is the histogram;
 * * a histogram that does not convert (counts not cumulative, `_count` disagreeing with the
 *   buckets, see classic-histogram.ts) is handed on as a series whose `histogramError()` says
 *   why, so the scrape skips it and counts it as an invalid native histogram; the rest of the
 *   page is kept.
 */
import { getLabel, labelsKey, metricNameLabel, type Labels } from '../../tsdb/labels.js';
import type { NativeHistogram } from '../../tsdb/interface.js';
import { ClassicHistogram, ClassicHistogramError } from '../../tsdb/classic-histogram.js';
import { parseFloatBytes } from './number.js';
import type { EntryKind, MetricTypeName, TextParser } from './parser.js';

type ParsedExemplar = { labels: Labels; value: number; ts: number | null };

/** A series of the current histogram family, classified. */
interface ClassicPart {
  readonly suffix: 'bucket' | 'count' | 'sum';
  readonly le: number;
  /** Base name, no `le`. */
  readonly labels: Labels;
  readonly key: string;
}

/** The converted histogram being handed on. */
interface Converted {
  readonly labels: Labels;
  readonly body: Uint8Array;
  readonly histogram: NativeHistogram | null;
  readonly error: string | null;
  readonly ts: number | null;
  readonly line: number;
  readonly exemplar: ParsedExemplar | null;
}

const suffixes = [
  ['_bucket', 'bucket'],
  ['_count', 'count'],
  ['_sum', 'sum'],
] as const;

export class NhcbParser implements TextParser {
  /** True while the converted histogram is the current entry; the inner parser is one ahead. */
  private emitting = false;
  /** The inner parser's entry to hand on after the converted histogram. */
  private pending: EntryKind = 'eof';
  /** Its classification, computed before the histogram was handed on. */
  private pendingPart: ClassicPart | null = null;
  private family = '';
  private familyIsHistogram = false;
  private nativeKey = '';
  // The histogram being collected.
  private collecting = false;
  private groupKey = '';
  private groupLabels: Labels = [];
  private groupTs: number | null = null;
  private groupLine = 0;
  private groupExemplar: ParsedExemplar | null = null;
  private readonly acc = new ClassicHistogram();
  private out: Converted | null = null;

  constructor(
    private readonly inner: TextParser,
    /** always_scrape_classic_histograms: hand the classic series on too. */
    private readonly keepClassic: boolean,
  ) {}

  get body(): Uint8Array {
    return this.emitting ? this.out!.body : this.inner.body;
  }

  next(): EntryKind {
    for (;;) {
      let kind: EntryKind;
      let part: ClassicPart | null;
      if (this.emitting) {
        this.emitting = false;
        kind = this.pending;
        part = this.pendingPart;
      } else {
        kind = this.inner.next();
        part = null;
        if (kind === 'series') {
          if (this.isNative()) {
            this.nativeKey = labelsKey(this.inner.labels());
            if (this.flush('series', null)) return 'series';
            return kind;
          }
          part = this.classify();
        } else if (kind === 'type') {
          const t = this.inner.metricType();
          this.family = t.name;
          this.familyIsHistogram = t.type === 'histogram';
        }
        // A different entry ends the histogram being collected: hand it on first.
        if ((part === null || part.key !== this.groupKey) && this.flush(kind, part)) return 'series';
      }
      if (kind !== 'series' || part === null || part.key === this.nativeKey) return kind;
      this.collect(part);
      if (this.keepClassic) return kind;
    }
  }

  private isNative(): boolean {
    return (this.inner.histogram?.() ?? null) !== null || (this.inner.histogramError?.() ?? null) !== null;
  }

  /** The current series as part of a classic histogram of the current family, else null. */
  private classify(): ClassicPart | null {
    if (!this.familyIsHistogram) return null;
    const name = this.inner.metricName();
    for (const [ending, suffix] of suffixes) {
      if (!name.endsWith(ending) || name.length - ending.length !== this.family.length || !name.startsWith(this.family)) continue;
      const exposed = this.inner.labels();
      let le = NaN;
      if (suffix === 'bucket') {
        const text = getLabel(exposed, 'le');
        le = text === '' ? NaN : (parseFloatBytes(Buffer.from(text, 'latin1'), 0, text.length) ?? NaN);
        if (Number.isNaN(le)) return null;
      }
      const labels = exposed.filter((l) => l.name !== 'le').map((l) => (l.name === metricNameLabel ? { name: l.name, value: this.family } : l));
      return { suffix, le, labels, key: labelsKey(labels) };
    }
    return null;
  }

  private collect(part: ClassicPart): void {
    const p = this.inner;
    if (!this.collecting) {
      this.collecting = true;
      this.groupKey = part.key;
      this.groupLabels = part.labels;
      this.groupExemplar = null;
    }
    this.groupTs = p.timestamp();
    this.groupLine = p.line();
    const v = p.value();
    if (part.suffix === 'bucket') this.acc.setBucket(part.le, v);
    else if (part.suffix === 'count') this.acc.setCount(v);
    else this.acc.setSum(v);
    const ex = p.exemplar?.() ?? null;
    if (ex !== null && (this.groupExemplar === null || (ex.ts ?? -Infinity) >= (this.groupExemplar.ts ?? -Infinity))) this.groupExemplar = ex;
  }

  /** Converts the collected histogram, if any, and makes it the current entry. */
  private flush(pending: EntryKind, part: ClassicPart | null): boolean {
    if (!this.collecting) return false;
    this.collecting = false;
    const name = getLabel(this.groupLabels, metricNameLabel);
    let histogram: NativeHistogram | null = null;
    let error: string | null = null;
    try {
      histogram = this.acc.toNative();
    } catch (e) {
      if (!(e instanceof ClassicHistogramError)) throw e;
      error = `classic histogram ${name} not converted to a native histogram: ${e.message}`;
    }
    this.acc.reset();
    // Cache key: \x01 then the labels, which no text series line can start with.
    const body = Buffer.from('\x01' + this.groupKey, 'utf8');
    this.out = { labels: this.groupLabels, body, histogram, error, ts: this.groupTs, line: this.groupLine, exemplar: this.groupExemplar };
    this.groupKey = '';
    this.pending = pending;
    this.pendingPart = part;
    this.emitting = true;
    return true;
  }

  seriesId(): string {
    if (!this.emitting) return this.inner.seriesId();
    const b = this.out!.body;
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  }
  seriesIdStart(): number {
    return this.emitting ? 0 : this.inner.seriesIdStart();
  }
  seriesIdEnd(): number {
    return this.emitting ? this.out!.body.length : this.inner.seriesIdEnd();
  }
  value(): number {
    return this.emitting ? 0 : this.inner.value();
  }
  timestamp(): number | null {
    return this.emitting ? this.out!.ts : this.inner.timestamp();
  }
  labels(): Labels {
    return this.emitting ? this.out!.labels : this.inner.labels();
  }
  metricName(): string {
    return this.emitting ? getLabel(this.out!.labels, metricNameLabel) : this.inner.metricName();
  }
  metricType(): { name: string; type: MetricTypeName } {
    return this.inner.metricType();
  }
  help(): { name: string; text: string } {
    return this.inner.help();
  }
  unit(): { name: string; unit: string } {
    return this.inner.unit();
  }
  comment(): string {
    return this.inner.comment();
  }
  line(): number {
    return this.emitting ? this.out!.line : this.inner.line();
  }
  exemplar(): ParsedExemplar | null {
    if (this.emitting) return this.out!.exemplar;
    return this.inner.exemplar?.() ?? null;
  }
  histogram(): NativeHistogram | null {
    if (this.emitting) return this.out!.histogram;
    return this.inner.histogram?.() ?? null;
  }
  histogramError(): string | null {
    if (this.emitting) return this.out!.error;
    return this.inner.histogramError?.() ?? null;
  }
}
