/**
 * Exemplar storage as Prometheus keeps it (tsdb/exemplar.go: a circular buffer shared by all
 * series, newest per series linked for duplicate and order checks): a fixed number of exemplars in
 * memory, the oldest overwritten first. Nothing is persisted; a restart starts empty, as in
 * Prometheus without the exemplar WAL records. Series are kept by ref and resolved to labels
 * when queried, so a scrape cache hit needs no label work.
 */
import { matchesAll } from '../../app/dialect/matcher.js';
import type { Exemplar, ExemplarAppender, Matcher, SeriesRef } from './interface.js';
import { getLabel, type Labels } from './labels.js';

/** Prometheus' limit on an exemplar's label names and values together (UTF-8 characters). */
const maxLabelChars = 128;

export interface ExemplarSeries {
  readonly seriesLabels: Labels;
  readonly exemplars: Exemplar[];
}

export class ExemplarStore implements ExemplarAppender {
  private readonly refs: Uint32Array;
  private readonly items: (Exemplar | undefined)[];
  private next = 0;
  /** Sequence number of each slot's exemplar (1, 2, … in the order kept), for remote write's cursor. */
  private readonly seqs: Float64Array;
  /** Sequence number of the newest exemplar kept (0: none yet). */
  lastSeq = 0;
  /** Ring slot of each series' newest exemplar. */
  private readonly newest = new Map<SeriesRef, number>();
  /** Exemplars refused (out of order or too many label characters); for self-metrics. */
  refused = 0;

  constructor(
    readonly capacity: number,
    private readonly labelsOf: (ref: SeriesRef) => Labels,
  ) {
    this.refs = new Uint32Array(Math.max(1, capacity));
    this.items = new Array<Exemplar | undefined>(Math.max(1, capacity));
    this.seqs = new Float64Array(Math.max(1, capacity));
  }

  /**
   * Exemplars kept after sequence number `afterSeq` that the ring still holds, oldest first
   * (remote write's send_exemplars takes them round by round; overwritten ones are gone).
   */
  since(afterSeq: number): { ref: SeriesRef; exemplar: Exemplar }[] {
    const n = this.items.length;
    const out: { ref: SeriesRef; exemplar: Exemplar }[] = [];
    const newer = Math.min(n, this.lastSeq - afterSeq);
    for (let k = newer; k > 0; k--) {
      const slot = (this.next - k + n) % n;
      const e = this.items[slot];
      if (e !== undefined && this.seqs[slot]! > afterSeq) out.push({ ref: this.refs[slot]!, exemplar: e });
    }
    return out;
  }

  addExemplar(series: SeriesRef, e: Exemplar): void {
    let chars = 0;
    for (const l of e.labels) chars += [...l.name].length + [...l.value].length;
    if (chars > maxLabelChars) {
      this.refused++;
      return;
    }
    const last = this.newest.get(series);
    if (last !== undefined) {
      const prev = this.items[last]!;
      if (e.ts < prev.ts) {
        this.refused++;
        return;
      }
      if (e.ts === prev.ts && Object.is(e.value, prev.value) && sameLabels(e.labels, prev.labels)) return;
    }
    const slot = this.next;
    const old = this.items[slot];
    if (old !== undefined && this.newest.get(this.refs[slot]!) === slot) this.newest.delete(this.refs[slot]!);
    this.refs[slot] = series;
    this.items[slot] = e;
    this.seqs[slot] = ++this.lastSeq;
    this.newest.set(series, slot);
    this.next = (slot + 1) % this.items.length;
  }

  /** Exemplars within [start, end] (ms) of series matching any of `matcherSets`, oldest first per series. */
  select(start: number, end: number, matcherSets: readonly (readonly Matcher[])[]): ExemplarSeries[] {
    const bySeries = new Map<SeriesRef, Exemplar[]>();
    const n = this.items.length;
    for (let k = 0; k < n; k++) {
      const slot = (this.next + k) % n; // oldest first
      const e = this.items[slot];
      if (e === undefined || e.ts < start || e.ts > end) continue;
      const ref = this.refs[slot]!;
      let list = bySeries.get(ref);
      if (list === undefined) bySeries.set(ref, (list = []));
      list.push(e);
    }
    const out: ExemplarSeries[] = [];
    for (const [ref, exemplars] of bySeries) {
      const seriesLabels = this.labelsOf(ref);
      if (seriesLabels.length === 0) continue;
      if (!matcherSets.some((ms) => matchesAll(ms, (name) => getLabel(seriesLabels, name)))) continue;
      out.push({ seriesLabels, exemplars });
    }
    return out;
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  return a.length === b.length && a.every((l, i) => l.name === b[i]!.name && l.value === b[i]!.value);
}
