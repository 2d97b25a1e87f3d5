/**
 * The evaluator: walks the AST once per query, evaluating every node for all steps at once
 * (columnar), as docs/architecture.md (PromQL) asks. Selectors fetch their data with one `select` per query.
 */
import type {
  AggregateExpr,
  AggregateOp,
  AtModifier,
  BinaryExpr,
  Call,
  Expr,
  MatrixSelector,
  PosRange,
  SubqueryExpr,
  UnaryExpr,
  VectorSelector,
} from '../../app/promql/ast.js';
import type { Labels } from '../tsdb/labels.js';
import type { Querier, Queryable } from '../tsdb/interface.js';
import { isStaleNaN } from '../tsdb/interface.js';
import type { LookbackPoints, NativeHistogram, SampleArrays, SeriesSet, StepKernel, StepReduce, StepSeriesSet, StoredSeries } from '../tsdb/interface.js';
import { HistogramNotSupportedError, QueryCanceledError, QueryExecutionError, QueryMemoryLimitError, QueryTimeoutError, TooManySamplesError } from './errors.js';
import type { EvalValue, HistogramColumn, MatrixValue, RangeSeries, StepSeries, VectorValue } from './value.js';
import { floatsOnly, hasHistograms, newStepSeries, stripRangeHistograms, stripStepHistograms } from './value.js';
import { evalAggregate, histogramAwareAggregations, histogramIgnoringAggregations } from './aggregate.js';
import { StreamingAggregate, streamableAggregations, streamableRangeFunctions } from './aggregate-stream.js';
import { evalBinary, evalUnaryMinus, labelsString } from './binary.js';
import { callFunction, histogramAwareFunctions, histogramDroppingFunctions, histogramIgnoringRangeFunctions, mixedWindow } from './functions/index.js';
import type { InfoServices } from './info.js';
import { evalInfo } from './info.js';
import { checkExtendedCall, extendedMargins, smoothedSample } from './extended-range.js';
import { withStatsHints } from './histogram-stats.js';
import { EventLoopTurns } from '../util/event-loop-turns.js';

export interface EvalOptions {
  readonly lookbackDelta: number;
  readonly maxSamples: number;
  /** Ceiling on the bytes a query's loaded and intermediate values hold at once. */
  readonly maxBytes: number;
  readonly defaultSubqueryStep: number;
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  /** Selectors whose histograms are read for count / sum only (histogram-stats.ts). */
  readonly statsSelectors?: ReadonlySet<VectorSelector>;
}

export interface NodeTiming {
  readonly pos: PosRange;
  readonly type: string;
  ms: number;
  /** Series the node produced (1 for a scalar or string). */
  series: number;
  /** Samples read from storage while evaluating the node and its children. */
  samples: number;
  /** Labels of the node's first output series, for the explain view. */
  example: Labels | null;
}

/** Annotations carry Prometheus' text plus the `(line:col)` of the node that raised them. */
export class Annotations {
  readonly warnings = new Set<string>();
  readonly infos = new Set<string>();
  constructor(private readonly query: string) {}
  warn(msg: string, pos: PosRange | null): void {
    this.warnings.add(`PromQL warning: ${msg}${this.where(pos)}`);
  }
  info(msg: string, pos: PosRange | null): void {
    this.infos.add(`PromQL info: ${msg}${this.where(pos)}`);
  }
  private where(pos: PosRange | null): string {
    if (pos === null) return '';
    const before = this.query.slice(0, pos.start);
    const line = before.split('\n').length;
    const col = pos.start - (before.lastIndexOf('\n') + 1) + 1;
    return ` (${line}:${col})`;
  }
}

/** What functions, aggregations and operators may use from the evaluator. */
export interface EvalEnv {
  readonly annotations: Annotations;
  readonly isRangeQuery: boolean;
  readonly queryStart: number;
  readonly queryEnd: number;
  /** Step of a range query in ms; 0 for instant queries. */
  readonly queryStep: number;
  /** Throws if the query was cancelled or timed out; cheap enough for inner loops. */
  check(): void;
  /** Yields to the event loop when due (every ~10 ms) so an abort can land; then checks. */
  pause(): Promise<void>;
  /**
   * Whether ~10 ms passed since the last yield, so `pause()` would yield: loops ask every few
   * series, so cancellation lands within about 10 ms plus one series' work.
   */
  due(): boolean;
}

/** Range functions storage can compute per series (StepKernel `rate`). */
const rateKernels = new Map([
  ['rate', { isCounter: true, isRate: true }],
  ['increase', { isCounter: true, isRate: false }],
  ['delta', { isCounter: false, isRate: false }],
]);

/** Aggregations storage may build whole groups for (StepKernel `reduce`). */
const reducible = (op: AggregateOp): op is StepReduce['op'] => op === 'sum' || op === 'min' || op === 'max';

export class Evaluator implements EvalEnv {
  readonly annotations: Annotations;
  readonly timings = new Map<string, NodeTiming>();
  seriesTouched = 0;
  samplesTouched = 0;
  peakSamples = 0;
  peakBytes = 0;
  private currentSamples = 0;
  private currentBytes = 0;
  private readonly queriers: Querier[] = [];
  private checks = 0;
  private readonly turns = new EventLoopTurns();

  constructor(
    private readonly queryable: Queryable,
    private readonly opts: EvalOptions,
    readonly queryStart: number,
    readonly queryEnd: number,
    readonly queryStep: number,
    readonly isRangeQuery: boolean,
    queryText: string,
  ) {
    this.annotations = new Annotations(queryText);
  }

  close(): void {
    for (const q of this.queriers) q.close();
  }

  check(): void {
    if ((++this.checks & 0xff) !== 0) return;
    this.checkNow();
  }

  checkNow(): void {
    if (this.opts.signal?.aborted) throw new QueryCanceledError();
    if (Date.now() > this.opts.deadline) throw new QueryTimeoutError();
  }

  /**
   * Accounts samples (and their bytes) held by raw selects and node outputs; Prometheus-style
   * limit on the peak, checked as data is loaded so memory stops growing at the limit.
   */
  private account(n: number, bytes: number): void {
    this.currentSamples += n;
    this.currentBytes += bytes;
    if (this.currentSamples > this.peakSamples) this.peakSamples = this.currentSamples;
    if (this.currentBytes > this.peakBytes) this.peakBytes = this.currentBytes;
    if (this.currentSamples > this.opts.maxSamples) throw new TooManySamplesError();
    if (this.currentBytes > this.opts.maxBytes) throw new QueryMemoryLimitError(this.opts.maxBytes);
  }
  private release(n: number, bytes: number): void {
    this.currentSamples -= n;
    this.currentBytes -= bytes;
  }

  /**
   * Cancellation arrives through the event loop, so evaluation yields now and then (between
   * nodes and while reading series) to let an `abort()` land; timeouts are checked in loops.
   */
  pause(): Promise<void> {
    return this.yieldNow();
  }

  due(): boolean {
    return this.turns.due();
  }

  private async yieldNow(): Promise<void> {
    await this.turns.pause();
    this.checkNow();
  }

  async eval(expr: Expr, grid: Float64Array): Promise<EvalValue> {
    await this.yieldNow();
    const started = performance.now();
    const before = this.currentSamples;
    const bytesBefore = this.currentBytes;
    const touchedBefore = this.samplesTouched;
    const out = await this.evalNode(expr, grid);
    // Children's samples are released once this node has produced its own.
    this.release(this.currentSamples - before, this.currentBytes - bytesBefore);
    this.account(countSamples(out), bytesOf(out));
    const key = `${expr.pos.start}-${expr.pos.end}`;
    const timing = this.timings.get(key);
    const ms = performance.now() - started;
    const series = out.kind === 'vector' || out.kind === 'matrix' ? out.series.length : 1;
    const example = out.kind === 'vector' || out.kind === 'matrix' ? (out.series[0]?.labels ?? null) : null;
    const samples = this.samplesTouched - touchedBefore;
    if (timing) {
      timing.ms += ms;
      timing.samples += samples;
    } else this.timings.set(key, { pos: expr.pos, type: expr.type, ms, series, samples, example });
    return out;
  }

  private async evalNode(expr: Expr, grid: Float64Array): Promise<EvalValue> {
    switch (expr.type) {
      case 'number':
        return { kind: 'scalar', v: new Float64Array(grid.length).fill(expr.value) };
      case 'string':
        return { kind: 'string', s: expr.value };
      case 'paren':
        return this.eval(expr.expr, grid);
      case 'unary':
        return this.evalUnary(expr, grid);
      case 'vector':
        return this.evalVectorSelector(expr, grid);
      case 'matrix':
        return this.evalMatrixSelector(expr, grid);
      case 'subquery':
        return this.evalSubquery(expr, grid);
      case 'binary':
        return this.evalBinaryExpr(expr, grid);
      case 'aggregate':
        return this.evalAggregateExpr(expr, grid);
      case 'call':
        return this.evalCall(expr, grid);
    }
  }

  private async evalUnary(expr: UnaryExpr, grid: Float64Array): Promise<EvalValue> {
    const inner = await this.eval(expr.expr, grid);
    if (expr.op === '+') return inner;
    if (inner.kind === 'scalar') return { kind: 'scalar', v: inner.v.map((x) => -x) };
    if (inner.kind === 'vector') return evalUnaryMinus(inner);
    throw new QueryExecutionError(`unary minus is not defined for a ${inner.kind}`);
  }

  private async evalBinaryExpr(expr: BinaryExpr, grid: Float64Array): Promise<EvalValue> {
    const lhs = await this.eval(expr.lhs, grid);
    const rhs = await this.eval(expr.rhs, grid);
    return evalBinary(expr, lhs, rhs, grid.length, this);
  }

  private async evalAggregateExpr(expr: AggregateExpr, grid: Float64Array): Promise<EvalValue> {
    const param = expr.param === null ? null : await this.eval(expr.param, grid);
    if (expr.expr.type === 'vector' && !expr.expr.smoothed && streamableAggregations.has(expr.op)) {
      const fused = await this.aggregateSelector(expr, expr.expr, grid);
      if (fused) return fused;
    }
    const call = expr.expr;
    const arg = call.type === 'call' && call.args.length === 1 ? call.args[0]! : null;
    if (call.type === 'call' && arg?.type === 'matrix' && !isExtended(arg.vector) && streamableRangeFunctions.has(call.func) && streamableAggregations.has(expr.op)) {
      const fused = await this.aggregateRangeCall(expr, call, arg, grid);
      if (fused) return fused;
    }
    const inner = await this.eval(expr.expr, grid);
    if (inner.kind !== 'vector') throw new QueryExecutionError(`aggregation ${expr.op} expects an instant vector`);
    if (!histogramAwareAggregations.has(expr.op) && hasHistograms(inner)) {
      if (!histogramIgnoringAggregations.has(expr.op)) throw new HistogramNotSupportedError(`${expr.op}()`);
      this.annotations.info(`ignored histogram in ${expr.op} aggregation`, expr.pos);
      return evalAggregate(expr, param, { kind: 'vector', series: floatsOnly(inner.series, stripStepHistograms) }, grid.length, this);
    }
    return evalAggregate(expr, param, inner, grid.length, this);
  }

  private async evalCall(expr: Call, grid: Float64Array): Promise<EvalValue> {
    // info() reads its second argument as a label selector, not as data, and queries storage.
    if (expr.func === 'info') return evalInfo(expr, grid, this.infoServices());
    const args: EvalValue[] = [];
    for (const arg of expr.args) {
      const bare = unwrapParens(arg);
      if (bare.type === 'matrix' && isExtended(bare.vector)) {
        checkExtendedCall(expr.func, bare.vector.anchored ? 'anchored' : 'smoothed');
        args.push(await this.eval(arg, grid));
        continue;
      }
      // timestamp() of a selector reports the samples' own timestamps, not the step times.
      if (expr.func === 'timestamp' && bare.type === 'vector') args.push(await this.evalVectorSelector(bare, grid, true));
      else args.push(await this.eval(arg, grid));
    }
    if (!histogramAwareFunctions.has(expr.func) && args.some(hasHistograms)) return callFunction(expr, this.floatArgs(expr, args), grid, this);
    return callFunction(expr, args, grid, this);
  }

  /** Arguments of a float-only function with their histogram samples left out, as Prometheus does. */
  private floatArgs(expr: Call, args: EvalValue[]): EvalValue[] {
    const dropping = histogramDroppingFunctions.has(expr.func);
    const ignoring = histogramIgnoringRangeFunctions.has(expr.func);
    if (!dropping && !ignoring) throw new HistogramNotSupportedError(`${expr.func}()`);
    return args.map((a, k) => {
      if (a.kind === 'vector' && dropping) return { kind: 'vector', series: floatsOnly(a.series, stripStepHistograms) };
      if (a.kind !== 'matrix' || !ignoring) return a;
      for (const s of a.series) {
        if (!mixedWindow(s, a)) continue;
        const name = JSON.stringify(s.labels.find((l) => l.name === '__name__')?.value ?? '');
        this.annotations.info(`ignored histograms in a range containing both floats and histograms for metric name ${name}`, expr.args[k]?.pos ?? expr.pos);
      }
      return { ...a, series: floatsOnly(a.series, stripRangeHistograms) };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Selectors

  private infoServices(): InfoServices {
    return {
      eval: async (e, g) => {
        const v = await this.eval(e, g);
        if (v.kind !== 'vector') throw new QueryExecutionError('info() expects an instant vector');
        if (hasHistograms(v)) throw new HistogramNotSupportedError('info()');
        return v;
      },
      // Info series must hold floats (Prometheus refuses histogram info series).
      selectAt: (vs, g) =>
        this.evalVectorSelector(vs, g, true, (labels) => {
          throw new QueryExecutionError(`this should be an info metric, with float samples: ${labelsString(labels)}`);
        }),
      resolveAt: (at) => this.resolveAt(at),
      check: () => this.check(),
    };
  }

  resolveAt(at: AtModifier | null): number | null {
    if (at === null) return null;
    if (at.kind === 'time') return at.ms;
    return at.kind === 'start' ? this.queryStart : this.queryEnd;
  }

  /** Evaluation time per step after `@` and `offset`; monotonic non-decreasing. */
  private stepTimes(grid: Float64Array, at: AtModifier | null, offset: number): Float64Array {
    const pinned = this.resolveAt(at);
    const out = new Float64Array(grid.length);
    for (let i = 0; i < grid.length; i++) out[i] = (pinned ?? grid[i]!) - offset;
    return out;
  }

  /**
   * The selector's series (sorted by labels). Callers read them with `load`, one at a time, then
   * call `selectDone` (decoding warnings appear as samples are read).
   */
  private async select(vs: VectorSelector, mint: number, maxt: number, range?: number, lookback?: LookbackPoints): Promise<SeriesSet> {
    const querier = await this.queryable.querier(mint, maxt);
    this.queriers.push(querier);
    const signal = this.opts.signal;
    let set: SeriesSet;
    try {
      set = await querier.select(vs.matchers, { start: mint, end: maxt, ...(range !== undefined ? { range } : {}), ...(lookback ? { lookback } : {}), ...(signal ? { signal } : {}) });
    } catch (err) {
      this.checkNow(); // a select stopped by our own signal is this query's cancellation
      throw err;
    }
    this.checkNow();
    return set;
  }

/**
   * The kernel's step values of the selector's series, computed by storage where it reads them
   * (Querier.selectSteps: the TSDB's query workers); null when storage does not, and the caller
   * then selects as usual. The select is stopped by this query's cancellation and deadline.
   */
  private async selectKernel(vs: VectorSelector, mint: number, maxt: number, range: number | undefined, kernel: StepKernel): Promise<StepSeriesSet | null> {
    const querier = await this.queryable.querier(mint, maxt);
    this.queriers.push(querier);
    if (!querier.selectSteps) return null;
    const deadline = AbortSignal.timeout(Math.max(0, Math.min(this.opts.deadline - Date.now(), 2 ** 31 - 1)));
    const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, deadline]) : deadline;
    let set: StepSeriesSet | null;
    try {
      set = await querier.selectSteps(vs.matchers, { start: mint, end: maxt, ...(range !== undefined ? { range } : {}), signal }, kernel);
    } catch (err) {
      this.checkNow(); // stopped by our own signal or deadline: this query's cancellation / timeout
      throw err;
    }
    this.checkNow();
    return set;
  }

  private selectDone(set: { readonly warnings: readonly string[] }, vs: VectorSelector): void {
    for (const w of set.warnings) this.annotations.warn(w, vs.pos);
    this.checkNow();
  }

  /**
   * One series' samples, accounted against the limits. Callers loop over a select's series
   * calling this (yielding now and then: decoding is the bulk of a wide select) and keep only
   * what they need, so a wide select's decoded arrays can die young.
   */
  /** `statsFrom`: for a stats selector, where its own select range starts (it reads from a lookback earlier). */
  private load(s: StoredSeries, statsFrom?: number): { labels: RangeSeries['labels'] } & SampleArrays {
    const { t, v, h: stored } = s.samples();
    const h = stored && statsFrom !== undefined ? withStatsHints(t, stored, statsFrom) : stored;
    this.seriesTouched++;
    this.samplesTouched += t.length;
    this.account(t.length, t.length * 16 + labelsBytes(s.labels));
    return h ? { labels: s.labels, t, v, h } : { labels: s.labels, t, v };
  }

  /** `onHistogram`: with `wantTimestamps`, called for a series whose picked sample is a histogram. */
  async evalVectorSelector(vs: VectorSelector, grid: Float64Array, wantTimestamps = false, onHistogram?: (labels: Labels) => void): Promise<VectorValue> {
    if (vs.smoothed && !wantTimestamps) return this.evalSmoothedSelector(vs, grid);
    const out: StepSeries[] = [];
    await this.selectSteps(
      vs,
      grid,
      wantTimestamps,
      (s) => {
        out.push(s);
        return true;
      },
      false,
      onHistogram,
    );
    return { kind: 'vector', series: out };
  }

  /**
   * The selector's value at every step, one series at a time, handed to `sink` (series with no
   * value at any step are left out). With `reuse`, one StepSeries is refilled for every series
   * and `sink` must copy what it keeps. `sink` returns false to stop (e.g. at a histogram);
   * the result says whether every series was taken.
   */
  private async selectSteps(vs: VectorSelector, grid: Float64Array, wantTimestamps: boolean, sink: (s: StepSeries) => boolean, reuse = false, onHistogram?: (labels: Labels) => void): Promise<boolean> {
    const n = grid.length;
    const times = this.stepTimes(grid, vs.at, vs.offset);
    if (n === 0) return true;
    const lookback = this.opts.lookbackDelta;
    // Only the sample each step picks is read (SelectHints.lookback): the rest cannot matter,
    // except to a stats selector, whose hints depend on the sample before.
    const stats = this.opts.statsSelectors?.has(vs) ?? false;
    const from = times[0]! - lookback + 1;
    const set = await this.select(vs, stats ? from - lookback : from, times[n - 1]!, undefined, stats ? undefined : { times, delta: lookback });
    const shared = reuse ? newStepSeries([], n, false) : null;
    let done = 0;
    for (const stored of set.series) {
      if ((++done & 7) === 0 && this.due()) await this.yieldNow();
      const loadedBefore = this.currentSamples;
      const loadedBytesBefore = this.currentBytes;
      const s = this.load(stored, stats ? from : undefined);
      let res: StepSeries;
      if (shared) {
        shared.labels = s.labels;
        shared.has.fill(0);
        delete shared.h;
        res = shared;
      } else res = newStepSeries(s.labels, n, false);
      let j = 0;
      let any = false;
      for (let i = 0; i < n; i++) {
        const T = times[i]!;
        while (j < s.t.length && s.t[j]! <= T) j++;
        const k = j - 1;
        if (k < 0 || s.t[k]! <= T - lookback) continue;
        const val = s.v[k]!;
        if (isStaleNaN(val)) continue;
        res.v[i] = wantTimestamps ? s.t[k]! / 1000 : val;
        if (wantTimestamps && onHistogram && s.h?.[k]) onHistogram(s.labels);
        const hk = wantTimestamps ? undefined : s.h?.[k];
        if (hk) (res.h ??= new Array<NativeHistogram | undefined>(n))[i] = hk;
        res.has[i] = 1;
        any = true;
      }
      // Fused (reuse): each series' loaded samples count until its output exists, as eval()
      // releases a node's loads once it has its output; the sink accounts the output.
      if (reuse) this.release(this.currentSamples - loadedBefore, this.currentBytes - loadedBytesBefore);
      if (any && !sink(res)) return false;
    }
    this.selectDone(set, vs);
    return true;
  }

  /**
   * A `smoothed` instant selector: each step's value interpolated between the samples around it
   * (extended-range.ts), so the select reads one lookback past the last step too.
   */
  private async evalSmoothedSelector(vs: VectorSelector, grid: Float64Array): Promise<VectorValue> {
    const n = grid.length;
    const out: StepSeries[] = [];
    const times = this.stepTimes(grid, vs.at, vs.offset);
    if (n === 0) return { kind: 'vector', series: out };
    const lookback = this.opts.lookbackDelta;
    const set = await this.select(vs, times[0]! - lookback + 1, times[n - 1]! + lookback);
    let done = 0;
    for (const stored of set.series) {
      if ((++done & 7) === 0 && this.due()) await this.yieldNow();
      const s = this.load(stored);
      const res = newStepSeries(s.labels, n, false);
      let j = 0;
      let any = false;
      for (let i = 0; i < n; i++) {
        const T = times[i]!;
        while (j < s.t.length && s.t[j]! <= T) j++;
        const y = smoothedSample(s, j - 1, T, lookback);
        if (y === null) continue;
        if (y === 'mix' || y === 'layout') {
          const name = JSON.stringify(s.labels.find((l) => l.name === '__name__')?.value ?? '');
          if (y === 'mix') this.annotations.warn(`encountered a mix of histograms and floats for metric name ${name}`, vs.pos);
          else this.annotations.warn(`vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${name}`, vs.pos);
          continue;
        }
        res.v[i] = y.v;
        if (y.h) (res.h ??= new Array<NativeHistogram | undefined>(n))[i] = y.h;
        res.has[i] = 1;
        any = true;
      }
      if (any) out.push(res);
    }
    this.selectDone(set, vs);
    return { kind: 'vector', series: out };
  }

  /**
   * `op(selector)` for the streamable aggregations (aggregate-stream.ts): the selector's series
   * flow straight into the groups, so no step column per input series is held. Accounts the
   * selector's output as the unfused evaluation does. Null when a series holds native
   * histograms: the caller then evaluates the usual way.
   */
  private async aggregateSelector(expr: AggregateExpr, vs: VectorSelector, grid: Float64Array): Promise<VectorValue | null> {
    const before = this.currentSamples;
    const bytesBefore = this.currentBytes;
    const started = performance.now();
    const touchedBefore = this.samplesTouched;
    const agg = new StreamingAggregate(expr, grid.length);
    let series = 0;
    let example: Labels | null = null;
    const stats = this.opts.statsSelectors?.has(vs) ?? false;
    const n = grid.length;
    let complete = false;
    if (!stats && n > 0) {
      // In the query workers: each series' step values come back and join their groups in
      // order; for count and group, the workers count per group (exact in any order).
      const times = this.stepTimes(grid, vs.at, vs.offset);
      const lookback = this.opts.lookbackDelta;
      const counting = expr.op === 'count' || expr.op === 'group';
      const grouping = { without: expr.without, names: expr.grouping };
      const reduce = reducible(expr.op) ? { op: expr.op, ...grouping } : undefined;
      const kernel: StepKernel = counting ? { kind: 'instant', times, lookback, count: grouping } : { kind: 'instant', times, lookback, ...(reduce ? { reduce } : {}) };
      const set = await this.selectKernel(vs, times[0]! - lookback + 1, times[n - 1]!, undefined, kernel);
      if (set) {
        let done = 0;
        for (const s of set.series) {
          if ((++done & 63) === 0 && this.due()) await this.yieldNow();
          const labels = s.labels;
          const lb = labelsBytes(labels);
          this.seriesTouched++;
          this.samplesTouched += s.loaded;
          // As the fused select: loaded samples count until the series' step values exist.
          this.account(s.loaded, s.loaded * 16 + lb);
          this.release(s.loaded, s.loaded * 16 + lb);
          if (s.steps === 0) continue;
          this.account(s.steps, n * 9 + lb);
          example ??= labels;
          series++;
          if (s.v !== null) agg.add({ labels, v: s.v, has: s.has!, dropName: false });
        }
        this.selectDone(set, vs);
        if (set.groups) agg.addCounts(set.groups);
        if (set.reduced) agg.addReduced(set.reduced, false);
        complete = true;
      }
    }
    complete ||= await this.selectSteps(
      vs,
      grid,
      false,
      (s) => {
        if (s.h) return false;
        let present = 0;
        for (let i = 0; i < s.has.length; i++) present += s.has[i]!;
        this.account(present, s.has.length * 9 + labelsBytes(s.labels));
        example ??= s.labels;
        series++;
        agg.add(s);
        return true;
      },
      true,
    );
    if (!complete) {
      this.release(this.currentSamples - before, this.currentBytes - bytesBefore);
      return null;
    }
    // The selector's line in the query's timings, as if it had been evaluated on its own.
    const key = `${vs.pos.start}-${vs.pos.end}`;
    const ms = performance.now() - started;
    const samples = this.samplesTouched - touchedBefore;
    const timing = this.timings.get(key);
    if (timing) {
      timing.ms += ms;
      timing.samples += samples;
    } else this.timings.set(key, { pos: vs.pos, type: vs.type, ms, series, samples, example });
    return agg.finish();
  }

  private async evalMatrixSelector(ms: MatrixSelector, grid: Float64Array): Promise<MatrixValue> {
    const series: RangeSeries[] = [];
    const ends = await this.matrixSeries(ms, grid, (s) => {
      series.push(s);
      return true;
    });
    if (isExtended(ms.vector)) return { kind: 'matrix', series, ends, range: ms.range, extended: { smoothed: ms.vector.smoothed === true, lookback: this.opts.lookbackDelta } };
    return { kind: 'matrix', series, ends, range: ms.range };
  }

  /**
   * The selector's series with stale markers left out (they only end series; windows never
   * contain them), one at a time, handed to `sink` until it returns false; returns the window
   * ends per step.
   */
  private async matrixSeries(ms: MatrixSelector, grid: Float64Array, sink: (s: RangeSeries) => boolean | Promise<boolean>): Promise<Float64Array> {
    const vs = ms.vector;
    const ends = this.stepTimes(grid, vs.at, vs.offset);
    const n = grid.length;
    if (n === 0) return ends;
    // anchored / smoothed read one lookback before each window (and after it, smoothed).
    const [before, after] = isExtended(vs) ? extendedMargins(vs.smoothed === true, this.opts.lookbackDelta) : [0, 0];
    const from = ends[0]! - ms.range - before + 1;
    const stats = this.opts.statsSelectors?.has(vs) ?? false;
    const lookback = this.opts.lookbackDelta;
    const set = await this.select(vs, stats ? from - lookback : from, ends[n - 1]! + after, ms.range + before + after + (stats ? lookback : 0));
    let done = 0;
    for (const stored of set.series) {
      if ((++done & 7) === 0 && this.due()) await this.yieldNow();
      const s = this.load(stored, stats ? from : undefined);
      let stale = 0;
      for (let i = 0; i < s.v.length; i++) if (isStaleNaN(s.v[i]!)) stale++;
      if (stale === 0) {
        if (!(await sink(s.h ? { labels: s.labels, t: s.t, v: s.v, h: [...s.h], dropName: false } : { labels: s.labels, t: s.t, v: s.v, dropName: false }))) return ends;
        continue;
      }
      const t = new Float64Array(s.t.length - stale);
      const v = new Float64Array(s.t.length - stale);
      const h: HistogramColumn | undefined = s.h ? new Array<NativeHistogram | undefined>(s.t.length - stale) : undefined;
      let k = 0;
      for (let i = 0; i < s.v.length; i++) {
        if (isStaleNaN(s.v[i]!)) continue;
        t[k] = s.t[i]!;
        v[k] = s.v[i]!;
        if (h) h[k] = s.h![i];
        k++;
      }
      if (k > 0 && !(await sink(h ? { labels: s.labels, t, v, h, dropName: false } : { labels: s.labels, t, v, dropName: false }))) return ends;
    }
    this.selectDone(set, vs);
    return ends;
  }

  /**
   * `op(f(selector[range]))` for a streamable aggregation and a per-series range function
   * (aggregate-stream.ts): each series' window values go straight into the groups, so neither
   * the range vector nor the function's output vector is held. Accounts as the unfused
   * evaluation does per node; null when a series holds native histograms (the caller then
   * evaluates the usual way).
   */
  private async aggregateRangeCall(expr: AggregateExpr, call: Call, ms: MatrixSelector, grid: Float64Array): Promise<VectorValue | null> {
    const before = this.currentSamples;
    const bytesBefore = this.currentBytes;
    const started = performance.now();
    const touchedBefore = this.samplesTouched;
    const agg = new StreamingAggregate(expr, grid.length);
    let complete = true;
    let series = 0;
    let example: Labels | null = null;
    let ends: Float64Array | null = null;
    const kernel = rateKernels.get(call.func);
    const stats = this.opts.statsSelectors?.has(ms.vector) ?? false;
    const n = grid.length;
    // In the query workers: each series' rate comes back, and joins its group in order.
    const set = kernel && !stats && n > 0 ? await this.rateSteps(ms, grid, kernel, reducible(expr.op) ? { op: expr.op, without: expr.without, names: expr.grouping } : undefined) : null;
    if (set) {
      let done = 0;
      for (const s of set.series) {
        if ((++done & 63) === 0 && this.due()) await this.yieldNow();
        const labels = s.labels;
        this.seriesTouched++;
        this.samplesTouched += s.loaded;
        this.account(s.loaded, s.loaded * 16 + labelsBytes(labels));
        if (s.v === null) continue;
        example ??= labels;
        series++;
        agg.add({ labels, v: s.v, has: s.has!, dropName: true });
      }
      this.selectDone(set, ms.vector);
      if (set.reduced) agg.addReduced(set.reduced, true);
    }
    if (!set) await this.matrixSeries(ms, grid, async (s) => {
      if (s.h) return (complete = false);
      const out = await callFunction(call, [{ kind: 'matrix', series: [s], ends: (ends ??= this.stepTimes(grid, ms.vector.at, ms.vector.offset)), range: ms.range }], grid, this);
      if (out.kind !== 'vector') throw new QueryExecutionError(`${call.func}() did not return an instant vector`);
      // The loaded samples stay accounted until this node ends, so the peak is the unfused
      // path's (the range vector's samples); each series' output is gone once added.
      for (const r of out.series) {
        if (r.h) return (complete = false);
        example ??= r.labels;
        series++;
        agg.add(r);
      }
      return true;
    });
    if (!complete) {
      this.release(this.currentSamples - before, this.currentBytes - bytesBefore);
      return null;
    }
    // The call's and the selector's lines in the query's timings, as if evaluated on their own
    // (both span the whole fused work).
    const elapsed = performance.now() - started;
    const samples = this.samplesTouched - touchedBefore;
    for (const node of [call, ms]) {
      const key = `${node.pos.start}-${node.pos.end}`;
      const timing = this.timings.get(key);
      if (timing) {
        timing.ms += elapsed;
        timing.samples += samples;
      } else this.timings.set(key, { pos: node.pos, type: node.type, ms: elapsed, series, samples, example });
    }
    return agg.finish();
  }

/** `rate`-like `f(ms)` per series by storage (selectKernel), with the window matrixSeries reads. */
  private async rateSteps(ms: MatrixSelector, grid: Float64Array, k: { isCounter: boolean; isRate: boolean }, reduce: StepReduce | undefined): Promise<StepSeriesSet | null> {
    const vs = ms.vector;
    const ends = this.stepTimes(grid, vs.at, vs.offset);
    return this.selectKernel(vs, ends[0]! - ms.range + 1, ends[grid.length - 1]!, ms.range, { kind: 'rate', ends, range: ms.range, isCounter: k.isCounter, isRate: k.isRate, ...(reduce ? { reduce } : {}) });
  }

  private async evalSubquery(sq: SubqueryExpr, grid: Float64Array): Promise<MatrixValue> {
    const ends = this.stepTimes(grid, sq.at, sq.offset);
    const n = grid.length;
    const step = sq.step > 0 ? sq.step : this.opts.defaultSubqueryStep;
    if (n === 0) return { kind: 'matrix', series: [], ends, range: sq.range };
    // Prometheus aligns subquery steps to absolute multiples of the step (Go division truncates).
    const first = ends[0]! - sq.range;
    let start = step * Math.trunc(first / step);
    if (start <= first) start += step;
    const last = ends[n - 1]!;
    const count = last >= start ? Math.floor((last - start) / step) + 1 : 0;
    const inner = new Float64Array(count);
    for (let i = 0; i < count; i++) inner[i] = start + i * step;
    const value = await this.eval(sq.expr, inner);
    const series: RangeSeries[] = [];
    if (value.kind === 'scalar') {
      series.push({ labels: [], t: inner, v: value.v, dropName: false });
    } else if (value.kind === 'vector') {
      let done = 0;
      for (const s of value.series) {
        if ((++done & 7) === 0 && this.due()) await this.yieldNow();
        let k = 0;
        for (let i = 0; i < count; i++) k += s.has[i]!;
        if (k === 0) continue;
        const t = new Float64Array(k);
        const v = new Float64Array(k);
        const h: HistogramColumn | undefined = s.h ? new Array<NativeHistogram | undefined>(k) : undefined;
        k = 0;
        for (let i = 0; i < count; i++) {
          if (!s.has[i]) continue;
          t[k] = inner[i]!;
          v[k] = s.v[i]!;
          if (h) h[k] = s.h![i];
          k++;
        }
        series.push(h ? { labels: s.labels, t, v, h, dropName: s.dropName } : { labels: s.labels, t, v, dropName: s.dropName });
      }
    } else {
      throw new QueryExecutionError(`subquery is only allowed on instant vector, got ${value.kind}`);
    }
    return { kind: 'matrix', series, ends, range: sq.range };
  }
}

export function unwrapParens(e: Expr): Expr {
  let cur = e;
  while (cur.type === 'paren') cur = cur.expr;
  return cur;
}

/** Rough heap cost of one series' labels and array headers: enough to bound memory, not exact. */
function labelsBytes(labels: readonly { name: string; value: string }[]): number {
  let n = 96;
  for (const l of labels) n += 48 + 2 * (l.name.length + l.value.length);
  return n;
}

/** Bytes a node's output holds: step series keep a value and a flag per step, present or not. */
function bytesOf(v: EvalValue): number {
  switch (v.kind) {
    case 'scalar':
      return v.v.length * 8;
    case 'string':
      return v.s.length * 2;
    case 'vector': {
      let n = 0;
      for (const s of v.series) n += s.has.length * 9 + labelsBytes(s.labels);
      return n;
    }
    case 'matrix': {
      let n = 0;
      for (const s of v.series) n += s.t.length * 16 + labelsBytes(s.labels);
      return n;
    }
  }
}

function countSamples(v: EvalValue): number {
  switch (v.kind) {
    case 'scalar':
      return v.v.length;
    case 'string':
      return 0;
    case 'vector': {
      let n = 0;
      for (const s of v.series) for (let i = 0; i < s.has.length; i++) n += s.has[i]!;
      return n;
    }
    case 'matrix': {
      let n = 0;
      for (const s of v.series) n += s.t.length;
      return n;
    }
  }
}


function isExtended(vs: VectorSelector): boolean {
  return vs.anchored === true || vs.smoothed === true;
}
