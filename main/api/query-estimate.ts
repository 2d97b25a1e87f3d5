/**
 * A cheap cost estimate before a query runs: for each selector, how many series match (index
 * only, no samples read) and how many samples the time span would load at the typical scrape
 * interval. The Explore page warns before running a query estimated to be too heavy, and the
 * query service refuses one before it loads anything (query-service-impl.ts, admit).
 */
import type { Expr, VectorSelector } from '../../app/promql/ast.js';
import type { Matcher, Queryable } from '../tsdb/interface.js';

interface SelectorSpan {
  selector: VectorSelector;
  /** Milliseconds of data before each step this selector reads (range or lookback). */
  windowMs: number;
}

/** Every selector with the data window it reads per step, through subqueries and offsets. */
function selectorSpans(expr: Expr, lookbackMs: number, extraMs = 0): SelectorSpan[] {
  switch (expr.type) {
    case 'vector':
      return [{ selector: expr, windowMs: lookbackMs + extraMs }];
    case 'matrix':
      return [{ selector: expr.vector, windowMs: expr.range + extraMs }];
    case 'subquery':
      return selectorSpans(expr.expr, lookbackMs, extraMs + expr.range);
    case 'aggregate':
      return [...selectorSpans(expr.expr, lookbackMs, extraMs), ...(expr.param ? selectorSpans(expr.param, lookbackMs, extraMs) : [])];
    case 'binary':
      return [...selectorSpans(expr.lhs, lookbackMs, extraMs), ...selectorSpans(expr.rhs, lookbackMs, extraMs)];
    case 'call':
      return expr.args.flatMap((a) => selectorSpans(a, lookbackMs, extraMs));
    case 'paren':
    case 'unary':
      return selectorSpans(expr.expr, lookbackMs, extraMs);
    case 'number':
    case 'string':
      return [];
  }
}

export interface Estimate {
  series: number;
  samples: number;
  tooHeavy: boolean;
  reason: string | null;
}

export interface EstimateOptions {
  lookbackMs: number;
  maxSamples: number;
  scrapeIntervalMs?: number;
  /**
   * Series in the index matching a selector, whatever their time range: a cheap upper bound.
   * When given and that bound is under the limit, storage is not read at all.
   */
  countSeries?: (matchers: readonly Matcher[]) => number;
}

export async function estimateQuery(storage: Queryable, expr: Expr, startMs: number, endMs: number, opts: EstimateOptions): Promise<Estimate> {
  const interval = opts.scrapeIntervalMs ?? 15_000;
  const spans = selectorSpans(expr, opts.lookbackMs);
  if (opts.countSeries) {
    let series = 0;
    let samples = 0;
    for (const { selector, windowMs } of spans) {
      const n = opts.countSeries(selector.matchers);
      series += n;
      samples += n * Math.ceil((endMs - startMs + windowMs) / interval);
    }
    if (samples <= opts.maxSamples) return { series, samples, tooHeavy: false, reason: null };
  }
  let series = 0;
  let samples = 0;
  for (const { selector, windowMs } of spans) {
    const q = await storage.querier(startMs - windowMs - Math.max(0, selector.offset), endMs);
    try {
      const set = await q.select(selector.matchers, { start: startMs, end: endMs, seriesOnly: true });
      series += set.series.length;
      samples += set.series.length * Math.ceil((endMs - startMs + windowMs) / interval);
    } finally {
      q.close();
    }
  }
  const tooHeavy = samples > opts.maxSamples;
  return {
    series,
    samples,
    tooHeavy,
    reason: tooHeavy
      ? `estimated ${samples.toLocaleString('en-US')} samples from ${series.toLocaleString('en-US')} series, over the limit of ${opts.maxSamples.toLocaleString('en-US')}`
      : null,
  };
}
