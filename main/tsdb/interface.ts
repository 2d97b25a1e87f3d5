/**
 * The storage boundary. Everything that writes samples (scrape, probe, rules, import) uses an
 * `Appender`; everything that reads (PromQL, API) uses a `Querier`. Neither side reaches into
 * storage internals. Times are milliseconds since the Unix epoch (integers stored as doubles).
 */
import type { LabelMatcher } from '../../app/promql/ast.js';
import type { Labels } from './labels.js';

export type Matcher = LabelMatcher;

/** Dense integer id of a series inside one storage instance; never 0. */
export type SeriesRef = number;

// ---------------------------------------------------------------------------------------------
// Typed errors. `kind` is stable for metrics (`rejected samples by reason`) and API answers.

export class StorageError extends Error {
  readonly kind: string = 'storage';
}
/** A sample older than the newest one already appended for its series. */
export class OutOfOrderError extends StorageError {
  override readonly kind = 'out_of_order';
}
/** Same timestamp as the newest sample of the series but a different value. */
export class DuplicateSampleError extends StorageError {
  override readonly kind = 'duplicate_timestamp';
}
/** Older than what the head still accepts (behind retention or the head's lower bound). */
export class OutOfBoundsError extends StorageError {
  override readonly kind = 'out_of_bounds';
}
/** A label set with more labels (or longer names/values) than storage accepts. */
export class TooManyLabelsError extends StorageError {
  override readonly kind = 'too_many_labels';
}
/** A native histogram storage cannot take (bad schema, negative counts, buckets that do not add up). */
export class InvalidHistogramError extends StorageError {
  override readonly kind = 'invalid_histogram';
}
/** Writes are paused (disk full, storage closing); the message says why. */
export class StorageUnavailableError extends StorageError {
  override readonly kind = 'unavailable';
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * A transaction. `append` validates and buffers (throwing one of the typed errors above for a
 * bad sample, which leaves the rest of the transaction intact) and returns the series ref, which
 * callers may cache and pass instead of labels next time. `commit` resolves once every buffered
 * sample is durable; `rollback` discards them.
 */
export interface Appender {
  append(series: Labels | SeriesRef, t: number, v: number): SeriesRef;
  /**
   * Appends a native histogram sample (validated: InvalidHistogramError for one storage cannot
   * take). Optional: a storage without histogram support leaves it out, and callers that have
   * histograms must say so rather than drop them. Both storages in this repository have it.
   */
  appendHistogram?(series: Labels | SeriesRef, t: number, h: NativeHistogram): SeriesRef;
  commit(): Promise<void>;
  rollback(): void;
}

export interface Appendable {
  appender(): Appender;
  /**
   * Optional: an appender for a backfill, whose transactions hold each series' samples together
   * and in time order; storage may write them as whole chunks. Same checks as appender().
   */
  bulkAppender?(): Appender;
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface SelectHints {
  /** Query evaluation range in ms (the engine may ask for more data than this, e.g. lookback). */
  readonly start: number;
  readonly end: number;
  readonly step?: number;
  /** Outermost function over the selector, e.g. "rate"; informational. */
  readonly func?: string;
  /** Range of a range selector in ms. */
  readonly range?: number;
  /** Return at most this many series (API `limit`). */
  readonly limit?: number;
  /** Only labels, no samples needed (e.g. /api/v1/series). */
  readonly seriesOnly?: boolean;
  /**
   * An instant vector selector: the caller reads only, at each of these times (ascending), the
   * newest sample at or before it, and only if that sample is newer than the time minus `delta`.
   * Storage may leave every other sample out (main/tsdb/lookback.ts), which keeps a wide instant
   * query from loading minutes of samples per series.
   */
  readonly lookback?: LookbackPoints;
  /**
   * Aborting stops a wide select between batches of series (the signal's reason is thrown); the
   * select also yields to the event loop between batches so the abort can land.
   */
  readonly signal?: AbortSignal;
}

/** Evaluation times (ascending, ms) and the lookback delta of an instant vector selector. */
export interface LookbackPoints {
  readonly times: Float64Array;
  readonly delta: number;
}

/** Columnar samples: timestamps ascending, one value per timestamp. */
export interface SampleArrays {
  readonly t: Float64Array;
  readonly v: Float64Array;
  /**
   * Native histogram samples, parallel to `t`, present only when the series has any: where
   * `h[i]` is set the sample is that histogram and `v[i]` is 0 (a stale marker stays in `v`).
   */
  readonly h?: readonly (NativeHistogram | undefined)[];
}

// ---------------------------------------------------------------------------------------------
// Native histograms (Prometheus' FloatHistogram: float counts, absolute bucket counts)

export type CounterResetHint = 'unknown' | 'reset' | 'not_reset' | 'gauge';

/** One populated (or explicitly empty) bucket: its index in the schema's layout and its count. */
export interface HistogramBucket {
  readonly index: number;
  readonly count: number;
}

/**
 * A native histogram sample. Exponential schemas −4…8: positive bucket `i` covers
 * (2^((i−1)·2^−schema), 2^(i·2^−schema)], negative buckets mirror it, and the zero bucket holds
 * observations within ±zeroThreshold. Schema −53 (custom buckets) uses `customValues` as upper
 * bounds: positive bucket `i` covers (customValues[i−1], customValues[i]], with −Inf before the
 * first and +Inf after the last. Buckets are sorted by index.
 */
export interface NativeHistogram {
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly count: number;
  readonly sum: number;
  readonly positive: readonly HistogramBucket[];
  readonly negative: readonly HistogramBucket[];
  /** Upper bounds of custom buckets (schema −53); empty otherwise. */
  readonly customValues: readonly number[];
  readonly counterResetHint: CounterResetHint;
}

// ---------------------------------------------------------------------------------------------
// Exemplars (OpenMetrics / protobuf): a trace id and value beside a sample, kept in memory only.

export interface Exemplar {
  /** Sorted by name, e.g. trace_id. */
  readonly labels: Labels;
  readonly value: number;
  /** ms */
  readonly ts: number;
}

/** Where a scrape puts the exemplars of the series it appended (main/tsdb/exemplars.ts). */
export interface ExemplarAppender {
  /** Keeps `e` for the series; a repeat of the series' newest exemplar or an older one is ignored. */
  addExemplar(series: SeriesRef, e: Exemplar): void;
}

export interface StoredSeries {
  readonly labels: Labels;
  /** Samples of this series within the querier's [mint, maxt], both inclusive. */
  samples(): SampleArrays;
}

export interface SeriesSet {
  /** Sorted by labels (compareLabels). */
  readonly series: readonly StoredSeries[];
  /** Non-fatal problems (e.g. a quarantined chunk skipped). */
  readonly warnings: readonly string[];
}

/**
 * A per-series kernel storage may run where it reads the samples (main/tsdb/step-kernels.ts):
 * `instant`, an instant selector's value at each of `times`; `rate`, rate / increase / delta
 * (isCounter, isRate) over windows (ends[i] − range, ends[i]] of the samples without stale markers.
 */
export type StepKernel =
  | { readonly kind: 'instant'; readonly times: Float64Array; readonly lookback: number; readonly count?: StepCounting; readonly reduce?: StepReduce }
  | { readonly kind: 'rate'; readonly ends: Float64Array; readonly range: number; readonly isCounter: boolean; readonly isRate: boolean; readonly reduce?: StepReduce };

/**
 * `sum` / `min` / `max` by (or `without`) `names` over the kernel's values: storage may build
 * whole groups where it reads (each from its members in label order, with step-kernels.ts'
 * reduceSteps, as the evaluator would) and hand back the groups instead of every series' steps.
 */
export interface StepReduce extends StepCounting {
  readonly op: 'sum' | 'min' | 'max';
}

/** A group built by storage for `reduce`: its labels, values, Kahan compensation (sum) and steps with a value. */
export interface ReducedGroup {
  readonly labels: Labels;
  readonly v: Float64Array;
  readonly c: Float64Array | null;
  readonly has: Uint8Array;
}

/**
 * `count` / `group` of an instant selector by (or `without`) `names`: storage may then count the
 * series with a value per group and step instead of handing back every series' steps (counts are
 * exact in any order). Prometheus' grouping: `without` also drops `__name__`.
 */
export interface StepCounting {
  readonly without: boolean;
  readonly names: readonly string[];
}

/** A group of a counting `selectSteps`: its labels and how many series have a value per step. */
export interface StepGroup {
  readonly labels: Labels;
  readonly counts: Float64Array;
}

/** One series of a `selectSteps`: the kernel's value per step. */
export interface StepRead {
  /** Built on access. */
  readonly labels: Labels;
  /** Samples `select` would have returned for the series (what a `samples()` call counts). */
  readonly loaded: number;
  /** Steps with a value. */
  readonly steps: number;
  /** Value per step, `has[i]` saying whether step i has one; null when no step has, or when counting. */
  readonly v: Float64Array | null;
  readonly has: Uint8Array | null;
}

export interface StepSeriesSet {
  /** The series `select` would return, in its order (sorted by labels). */
  readonly series: readonly StepRead[];
  /** With `count` asked for: the groups with some value, in the order their first such series comes. */
  readonly groups?: readonly StepGroup[];
  /** With `reduce` asked for (and done: storage may decline it): the groups, ordered as `groups`. */
  readonly reduced?: readonly ReducedGroup[];
  readonly warnings: readonly string[];
}

/** A read view over [mint, maxt] (ms, inclusive). */
export interface Querier {
  select(matchers: readonly Matcher[], hints?: SelectHints): Promise<SeriesSet>;
  /**
   * Optional: `kernel` applied to every series `select(matchers, hints)` would return, computed
   * where the samples are read (the TSDB's query workers), so only step columns come back.
   * Resolves null when storage will not (no workers, a series holds native histograms): the
   * caller then selects and computes itself. Same answers, bit for bit, as doing that.
   */
  selectSteps?(matchers: readonly Matcher[], hints: SelectHints, kernel: StepKernel): Promise<StepSeriesSet | null>;
  labelNames(matchers?: readonly Matcher[]): Promise<string[]>;
  labelValues(name: string, matchers?: readonly Matcher[]): Promise<string[]>;
  close(): void;
}

/**
 * Which sample times changed since a generation (main/tsdb/write-watermark.ts): a reader that
 * computed a result at generation G may keep the parts of it before `minWrittenSince(G)`.
 */
export interface WriteWatermarkReader {
  generation(): number;
  /** The oldest sample time written or deleted after `gen`: Infinity when none, −Infinity when unknown. */
  minWrittenSince(gen: number): number;
}

export interface Queryable {
  querier(mint: number, maxt: number): Promise<Querier>;
  /** Present when the storage tracks its writes (what a result cache needs to stay correct). */
  readonly writes?: WriteWatermarkReader;
}

// ---------------------------------------------------------------------------------------------
// Staleness: Prometheus marks a vanished series with one specific NaN. Compare bits, never isNaN.
// V8 keeps NaN payloads in Float64Array, DataView, object properties and structured clones, but
// a plain JS array of doubles quiets them (0x7ff0…02 becomes 0x7ff8…02): keep samples that may be
// stale markers in Float64Arrays, never in `number[]`.

const staleBuf = new DataView(new ArrayBuffer(8));
export const staleNaNBits = 0x7ff0000000000002n;
staleBuf.setBigUint64(0, staleNaNBits);
/** The staleness marker as a float64. Its bits survive Float64Array copies and postMessage. */
export const StaleNaN: number = staleBuf.getFloat64(0);

export function isStaleNaN(v: number): boolean {
  if (v === v) return false; // not NaN at all: the common case, no DataView work
  staleBuf.setFloat64(0, v);
  return staleBuf.getBigUint64(0) === staleNaNBits;
}
