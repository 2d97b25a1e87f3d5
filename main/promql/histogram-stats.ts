/**
 * Prometheus reads the native histograms of a selector whose values only feed histogram_count /
 * histogram_sum / histogram_avg (through aggregations and range functions, not through a binary
 * operator, a subquery or histogram_quantile / histogram_fraction) with its
 * HistogramStatsIterator. That iterator gives every sample whose counter-reset hint is unknown a
 * hint made on the fly — "reset" or "not_reset" against the sample read before it — which is
 * visible in what aggregations warn ("conflicting counter resets"). The evaluator does the same
 * for the selectors found here (statsSelectors) as it loads their samples (withStatsHints).
 */
import type { Expr, VectorSelector } from '../../app/promql/ast.js';
import type { NativeHistogram } from '../tsdb/interface.js';
import { detectReset, withHint } from './histogram.js';

/** The vector selectors (also those inside range selectors) read for their histogram statistics only. */
export function statsSelectors(root: Expr): ReadonlySet<VectorSelector> {
  const out = new Set<VectorSelector>();
  const walk = (e: Expr, stats: boolean): void => {
    switch (e.type) {
      case 'vector':
        if (stats) out.add(e);
        return;
      case 'matrix':
        if (stats) out.add(e.vector);
        return;
      case 'binary':
        walk(e.lhs, false);
        walk(e.rhs, false);
        return;
      case 'subquery':
        walk(e.expr, false);
        return;
      case 'paren':
      case 'unary':
        walk(e.expr, stats);
        return;
      case 'aggregate':
        walk(e.expr, stats);
        if (e.param) walk(e.param, stats);
        return;
      case 'call': {
        const s = e.func === 'histogram_count' || e.func === 'histogram_sum' || e.func === 'histogram_avg' ? true : e.func === 'histogram_quantile' || e.func === 'histogram_fraction' ? false : stats;
        for (const a of e.args) walk(a, s);
        return;
      }
      default:
        return;
    }
  };
  walk(root, false);
  return out;
}

/**
 * A loaded series' histogram column with the hints the stats iterator sees. The select began at
 * `from`, one lookback early so that the first sample read has its predecessor: that first
 * sample carries the hint Prometheus' chunks give it (unknown where a chunk starts — at the
 * series' start or at a reset — else not_reset); every later unknown hint is made on the fly,
 * reset or not_reset against the sample before.
 */
export function withStatsHints(t: Float64Array, h: readonly (NativeHistogram | undefined)[], from: number): (NativeHistogram | undefined)[] {
  const out = h.slice();
  let first = 0;
  while (first < t.length && t[first]! < from) first++;
  for (let i = first; i < h.length; i++) {
    const cur = h[i];
    if (cur === undefined || cur.counterResetHint !== 'unknown') continue;
    const prev = i > 0 ? h[i - 1] : undefined;
    if (i === first) {
      if (prev !== undefined && !detectReset(cur, prev)) out[i] = withHint(cur, 'not_reset');
      continue;
    }
    if (prev === undefined) continue;
    out[i] = withHint(cur, detectReset(cur, prev) ? 'reset' : 'not_reset');
  }
  return out;
}
