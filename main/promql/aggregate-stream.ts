/**
 * count, group, sum, min and max of an instant vector selector, fed one input series at a time
 * (evaluator.ts fuses `op(selector)`): no vector of input series is held, so a wide
 * `count({job="fleet"})` keeps one group's columns per output series instead of a step column
 * per input series. Every group sees its members in the order the generic path sees them
 * (selector order) and applies the same per-step operations as aggregate.ts' column reducers, so
 * the results are identical, bit for bit.
 */
import type { AggregateExpr, AggregateOp } from '../../app/promql/ast.js';
import { labelsKeyOf, metricNameLabel } from '../tsdb/labels.js';
import type { ReducedGroup, StepGroup } from '../tsdb/interface.js';
import { reduceSteps, type StepReduceOp } from '../tsdb/step-kernels.js';
import type { StepSeries, VectorValue } from './value.js';
import { newStepSeries } from './value.js';

export const streamableAggregations: ReadonlySet<AggregateOp> = new Set<AggregateOp>(['count', 'group', 'sum', 'min', 'max']);

/**
 * Range functions whose value for a series depends on that series' window only, with no
 * annotations: `op(f(m[r]))` streams series by series (evaluator.ts).
 */
export const streamableRangeFunctions: ReadonlySet<string> = new Set([
  'rate',
  'increase',
  'delta',
  'irate',
  'idelta',
  'sum_over_time',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'count_over_time',
  'last_over_time',
]);

interface StreamGroup {
  readonly r: StepSeries;
  /** Kahan compensation per step (sum only). */
  readonly c: Float64Array | null;
}

export class StreamingAggregate {
  private readonly groups = new Map<string, StreamGroup>();
  /** Whether a label of an input series is one of its group's labels. */
  private readonly keeps: (name: string) => boolean;

  constructor(
    private readonly expr: AggregateExpr,
    private readonly n: number,
  ) {
    if (!streamableAggregations.has(expr.op)) throw new Error(`${expr.op} is not a streamable aggregation`);
    const names = new Set(expr.grouping);
    this.keeps = expr.without ? (name) => !names.has(name) && name !== metricNameLabel : (name) => names.has(name);
  }

  /** Adds one float series (no histograms); `s` may be reused by the caller afterwards. */
  add(s: StepSeries): void {
    const { expr, n } = this;
    // The group's key without its filtered labels: most series join a group that exists
    // (12,500 series of a dashboard's "All" into a few groups).
    const keeps = this.keeps;
    const key = labelsKeyOf(s.labels, keeps);
    let g = this.groups.get(key);
    if (!g) {
      const labels = s.labels.filter((l) => keeps(l.name));
      this.groups.set(key, (g = { r: newStepSeries(labels, n, s.dropName), c: expr.op === 'sum' ? new Float64Array(n) : null }));
    } else if (s.dropName) g.r.dropName = true;
    reduceSteps(expr.op as StepReduceOp, g.r.v, g.c, g.r.has, 0, s.v, s.has, 0, n);
  }

  /**
   * count / group from counts of series with a value per group and step (storage counted them:
   * Querier.selectSteps with `count`), instead of the series one at a time; the groups come in
   * the order `add` would have made them. Only on a fresh aggregation.
   */
  addCounts(groups: readonly StepGroup[]): void {
    const { expr, n } = this;
    if (expr.op !== 'count' && expr.op !== 'group') throw new Error(`${expr.op} cannot be built from counts`);
    for (const { labels, counts } of groups) {
      const r = newStepSeries(labels, n, false);
      for (let i = 0; i < n; i++) {
        if (counts[i] === 0) continue;
        r.v[i] = counts[i]!;
        r.has[i] = 1;
      }
      this.groups.set(labelsKeyOf(labels, () => true), { r, c: null });
    }
  }

  /**
   * sum / min / max from groups storage built (Querier.selectSteps with `reduce`: each group from
   * its members in selector order, with the reducer `add` uses), in the order `add` would have
   * made them. Only on a fresh aggregation.
   */
  addReduced(groups: readonly ReducedGroup[], dropName: boolean): void {
    for (const { labels, v, c, has } of groups) {
      this.groups.set(labelsKeyOf(labels, () => true), { r: { labels, v, has, dropName }, c: this.expr.op === 'sum' ? c : null });
    }
  }

  finish(): VectorValue {
    const out: StepSeries[] = [];
    const n = this.n;
    for (const { r, c } of this.groups.values()) {
      let any = false;
      for (let i = 0; i < n; i++) {
        if (!r.has[i]) continue;
        any = true;
        if (this.expr.op === 'group') r.v[i] = 1;
        else if (c !== null) {
          const x = r.v[i]!;
          if (x !== Infinity && x !== -Infinity) r.v[i] = x + c[i]!;
        }
      }
      if (any) out.push(r);
    }
    return { kind: 'vector', series: out };
  }
}
