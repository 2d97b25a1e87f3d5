/**
 * Aggregation operators over whole step columns. Groups are formed once per query (labels do
 * not change between steps); each group is then reduced step by step over its present members.
 */
import type { AggregateExpr, AggregateOp } from '../../app/promql/ast.js';
import { quoteString } from '../../app/promql/strings.js';
import type { Labels } from '../tsdb/labels.js';
import { labelsKey, metricNameLabel, normalizeLabels } from '../tsdb/labels.js';
import { QueryExecutionError } from './errors.js';
import type { EvalEnv } from './evaluator.js';
import { KahanSum, kahanMean } from './kahan.js';
import { quantile } from './mathutil.js';
import { formatGoFloatFixed } from '../util/go-float.js';
import type { NativeHistogram } from '../tsdb/interface.js';
import { getLabel } from '../tsdb/labels.js';
import { compactHistogram, HistogramLayoutError, histogramString, newNotes, sumHistogramList } from './histogram.js';
import type { EvalValue, StepSeries, VectorValue } from './value.js';
import { hasHistograms, newStepSeries } from './value.js';

/** Aggregations that accept native histogram samples (count and group only count them). */
export const histogramAwareAggregations: ReadonlySet<AggregateOp> = new Set<AggregateOp>(['sum', 'avg', 'count', 'group', 'limitk', 'limit_ratio', 'count_values']);

/** Aggregations over floats that ignore histogram samples, with Prometheus' info annotation. */
export const histogramIgnoringAggregations: ReadonlySet<AggregateOp> = new Set<AggregateOp>(['min', 'max', 'stddev', 'stdvar', 'quantile', 'topk', 'bottomk']);

interface Group {
  readonly labels: Labels;
  readonly members: StepSeries[];
  dropName: boolean;
}

/** Reduces the present values of one group at one step; `vals` is never empty. */
type Reducer = (vals: number[], param: number) => number;

const avgReducer: Reducer = (vals) => kahanMean(vals);

function variance(vals: number[]): number {
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (const x of vals) {
    count++;
    const delta = x - mean;
    mean += delta / count;
    m2 += delta * (x - mean);
  }
  return m2 / count;
}

const reducers: Partial<Record<AggregateOp, Reducer>> = {
  sum: (vals) => {
    const k = new KahanSum();
    for (const x of vals) k.add(x);
    return k.value();
  },
  avg: avgReducer,
  count: (vals) => vals.length,
  group: () => 1,
  min: (vals) => {
    let m = vals[0]!;
    for (const x of vals) if (m > x || Number.isNaN(m)) m = x;
    return m;
  },
  max: (vals) => {
    let m = vals[0]!;
    for (const x of vals) if (m < x || Number.isNaN(m)) m = x;
    return m;
  },
  stdvar: (vals) => variance(vals),
  stddev: (vals) => Math.sqrt(variance(vals)),
  quantile: (vals, q) => quantile(q, vals),
};

/** Column-at-a-time reducers; return whether any step has a value. */
type ColumnReducer = (members: readonly StepSeries[], r: StepSeries, n: number) => boolean;

function markHas(members: readonly StepSeries[], r: StepSeries, n: number): boolean {
  let any = false;
  for (const s of members) {
    const has = s.has;
    for (let i = 0; i < n; i++) if (has[i]) r.has[i] = 1;
  }
  for (let i = 0; i < n; i++) if (r.has[i]) any = true;
  return any;
}

const columnar: Partial<Record<AggregateOp, ColumnReducer>> = {
  count: (members, r, n) => {
    const v = r.v;
    for (const s of members) {
      const has = s.has;
      for (let i = 0; i < n; i++) if (has[i]) v[i]! += 1;
    }
    return markHas(members, r, n);
  },
  group: (members, r, n) => {
    const any = markHas(members, r, n);
    for (let i = 0; i < n; i++) if (r.has[i]) r.v[i] = 1;
    return any;
  },
  sum: (members, r, n) => {
    // KahanSum.add per step, with the running sum in r.v and the compensation in c.
    const sum = r.v;
    const c = new Float64Array(n);
    for (const s of members) {
      const has = s.has;
      const sv = s.v;
      for (let i = 0; i < n; i++) {
        if (!has[i]) continue;
        const inc = sv[i]!;
        const cur = sum[i]!;
        const t = cur + inc;
        if (t === Infinity || t === -Infinity) c[i] = 0;
        else if (Math.abs(cur) >= Math.abs(inc)) c[i]! += cur - t + inc;
        else c[i]! += inc - t + cur;
        sum[i] = t;
      }
    }
    const any = markHas(members, r, n);
    for (let i = 0; i < n; i++) {
      const x = sum[i]!;
      if (r.has[i] && x !== Infinity && x !== -Infinity) sum[i] = x + c[i]!;
    }
    return any;
  },
  min: (members, r, n) => extreme(members, r, n, (m, x) => m > x),
  max: (members, r, n) => extreme(members, r, n, (m, x) => m < x),
};

/** min/max as the generic reducers do it: first value, then replace when better or when NaN. */
function extreme(members: readonly StepSeries[], r: StepSeries, n: number, better: (m: number, x: number) => boolean): boolean {
  const v = r.v;
  const seen = r.has;
  for (const s of members) {
    const has = s.has;
    const sv = s.v;
    for (let i = 0; i < n; i++) {
      if (!has[i]) continue;
      const x = sv[i]!;
      if (!seen[i]) {
        v[i] = x;
        seen[i] = 1;
      } else {
        const m = v[i]!;
        if (better(m, x) || Number.isNaN(m)) v[i] = x;
      }
    }
  }
  for (let i = 0; i < n; i++) if (seen[i]) return true;
  return false;
}

function groupSeries(expr: AggregateExpr, series: readonly StepSeries[]): Group[] {
  const names = new Set(expr.grouping);
  const groups = new Map<string, Group>();
  for (const s of series) {
    const labels = expr.without
      ? s.labels.filter((l) => !names.has(l.name) && l.name !== metricNameLabel)
      : s.labels.filter((l) => names.has(l.name));
    const key = labelsKey(labels);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels, members: [], dropName: false }));
    g.members.push(s);
    if (s.dropName) g.dropName = true;
  }
  return [...groups.values()];
}

function paramAt(param: EvalValue | null, i: number): number {
  return param !== null && param.kind === 'scalar' ? param.v[i]! : NaN;
}

export async function evalAggregate(expr: AggregateExpr, param: EvalValue | null, inner: VectorValue, n: number, env: EvalEnv): Promise<VectorValue> {
  const groups = groupSeries(expr, inner.series);
  if (expr.op === 'topk' || expr.op === 'bottomk' || expr.op === 'limitk' || expr.op === 'limit_ratio') {
    return selectK(expr, param, groups, n, env);
  }
  if (expr.op === 'count_values') return countValues(expr, param, inner, n, env);
  if ((expr.op === 'sum' || expr.op === 'avg') && hasHistograms(inner)) return sumHistograms(expr, groups, n, env);
  const reduce = reducers[expr.op];
  if (!reduce) throw new QueryExecutionError(`unknown aggregation ${expr.op}`);
  if (expr.op === 'quantile') {
    for (let i = 0; i < n; i++) {
      const q = paramAt(param, i);
      if (!(q >= 0 && q <= 1)) env.annotations.warn(`quantile value should be between 0 and 1, got ${formatGoFloatFixed(q)}`, expr.param?.pos ?? expr.pos);
    }
  }
  const out: StepSeries[] = [];
  const fast = columnar[expr.op];
  if (fast !== undefined) {
    // Series-major over typed arrays: the same per-step order of additions as the generic path
    // (members in order), so results are identical, without building a value list per step.
    let done = 0;
    for (const g of groups) {
      if ((++done & 7) === 0 && env.due()) await env.pause();
      const r = newStepSeries(g.labels, n, g.dropName);
      if (fast(g.members, r, n)) out.push(r);
    }
    return { kind: 'vector', series: out };
  }
  const vals: number[] = [];
  let done = 0;
  for (const g of groups) {
    if ((++done & 7) === 0 && env.due()) await env.pause();
    const r = newStepSeries(g.labels, n, g.dropName);
    let any = false;
    for (let i = 0; i < n; i++) {
      vals.length = 0;
      for (const s of g.members) if (s.has[i]) vals.push(s.v[i]!);
      if (vals.length === 0) continue;
      r.v[i] = reduce(vals, paramAt(param, i));
      r.has[i] = 1;
      any = true;
    }
    if (any) out.push(r);
  }
  return { kind: 'vector', series: out };
}

/** topk, bottomk, limitk, limit_ratio: keep input series (labels untouched) where selected. */
/** topk / bottomk up to this k keep the best k by insertion instead of sorting the group per step. */
const smallK = 32;

function selectK(expr: AggregateExpr, param: EvalValue | null, groups: Group[], n: number, env: EvalEnv): VectorValue {
  const selected = new Map<StepSeries, StepSeries>();
  const order: StepSeries[] = [];
  const take = (s: StepSeries, i: number): void => {
    let r = selected.get(s);
    if (!r) {
      r = newStepSeries(s.labels, n, s.dropName);
      selected.set(s, r);
      order.push(r);
    }
    r.v[i] = s.v[i]!;
    const h = s.h?.[i];
    if (h !== undefined) (r.h ??= new Array<NativeHistogram | undefined>(n))[i] = h;
    r.has[i] = 1;
  };
  const ratioWarned = new Set<number>();
  const best: StepSeries[] = [];
  for (let i = 0; i < n; i++) {
    env.check();
    let p = paramAt(param, i);
    if (expr.op === 'limit_ratio') {
      if (Number.isNaN(p)) throw new QueryExecutionError('Ratio value is NaN');
      if (p < -1 || p > 1) {
        const capped = p < -1 ? -1 : 1;
        if (!ratioWarned.has(p)) env.annotations.warn(`ratio value should be between -1 and 1, got ${formatGoFloatFixed(p)}, capping to ${capped}`, expr.param?.pos ?? expr.pos);
        ratioWarned.add(p);
        p = capped;
      }
    } else {
      if (Number.isNaN(p)) throw new QueryExecutionError('Parameter value is NaN');
      if (p >= 9.223372036854776e18 || p <= -9.223372036854776e18) throw new QueryExecutionError(`Scalar value ${formatGoFloatFixed(p)} overflows int64`);
      p = Math.trunc(p);
    }
    for (const g of groups) {
      const present = g.members.filter((s) => s.has[i]);
      if (present.length === 0) continue;
      if (expr.op === 'limit_ratio') {
        for (const s of present) if (ratioSelects(p, s.labels)) take(s, i);
        continue;
      }
      if (p < 1) continue;
      if (expr.op === 'limitk') {
        for (const s of present.slice(0, p)) take(s, i);
        continue;
      }
      const top = expr.op === 'topk';
      // NaN sorts last for both directions: it is the first to be dropped.
      const before = (a: StepSeries, b: StepSeries): number => {
        const x = a.v[i]!;
        const y = b.v[i]!;
        if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
        if (Number.isNaN(y)) return -1;
        return top ? y - x : x - y;
      };
      if (p > smallK) {
        for (const s of present.slice().sort(before).slice(0, p)) take(s, i);
        continue;
      }
      // A small k: the first k of the same stable order, kept by insertion (a member goes after
      // every kept one it does not strictly precede), without sorting the whole group.
      best.length = 0;
      for (const s of present) {
        let j = best.length;
        while (j > 0 && before(s, best[j - 1]!) < 0) j--;
        if (j >= p) continue;
        best.splice(j, 0, s);
        if (best.length > p) best.length = p;
      }
      for (const s of best) take(s, i);
    }
  }
  return { kind: 'vector', series: order };
}

/** A stable per-series fraction in [0, 1) from the label set (FNV-1a 64-bit). */
function labelsFraction(labels: Labels): number {
  let h = 0xcbf29ce484222325n;
  const key = labelsKey(labels);
  for (let i = 0; i < key.length; i++) {
    h ^= BigInt(key.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return Number(h) / 18446744073709551616;
}

function ratioSelects(ratio: number, labels: Labels): boolean {
  const offset = labelsFraction(labels);
  return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1 + ratio);
}

const labelNameRe = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function countValues(expr: AggregateExpr, param: EvalValue | null, inner: VectorValue, n: number, env: EvalEnv): VectorValue {
  if (param === null || param.kind !== 'string') throw new QueryExecutionError('count_values needs a string label name');
  const label = param.s;
  if (!labelNameRe.test(label) && !isValidUtf8LabelName(label)) throw new QueryExecutionError(`invalid label name ${quoteString(label)}`);
  const names = new Set(expr.grouping);
  const out = new Map<string, StepSeries>();
  for (const s of inner.series) {
    env.check();
    const base = expr.without
      ? s.labels.filter((l) => !names.has(l.name) && l.name !== metricNameLabel)
      : s.labels.filter((l) => names.has(l.name));
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      const h = s.h?.[i];
      const labels = normalizeLabels([...base, { name: label, value: h ? histogramString(h, formatGoFloatFixed) : formatGoFloatFixed(s.v[i]!) }]);
      const key = labelsKey(labels);
      let r = out.get(key);
      if (!r) out.set(key, (r = newStepSeries(labels, n, false)));
      r.v[i] = (r.has[i] ? r.v[i]! : 0) + 1;
      r.has[i] = 1;
    }
  }
  return { kind: 'vector', series: [...out.values()] };
}

function isValidUtf8LabelName(name: string): boolean {
  if (name === '') return false;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(name)) === name && !name.includes('\ufffd');
  } catch {
    return false;
  }
}

/**
 * sum / avg over groups holding native histograms (Prometheus' aggregation()): histograms add up
 * (then divide by their number for avg); a group mixing floats and histograms at a step gives
 * nothing there, with Prometheus' warning.
 */
function sumHistograms(expr: AggregateExpr, groups: Group[], n: number, env: EvalEnv): VectorValue {
  const pos = expr.expr.pos;
  const out: StepSeries[] = [];
  for (const g of groups) {
    env.check();
    const r = newStepSeries(g.labels, n, g.dropName);
    let any = false;
    for (let i = 0; i < n; i++) {
      const floats: number[] = [];
      const hists: NativeHistogram[] = [];
      for (const s of g.members) {
        if (!s.has[i]) continue;
        const h = s.h?.[i];
        if (h === undefined) floats.push(s.v[i]!);
        else hists.push(h);
      }
      if (floats.length === 0 && hists.length === 0) continue;
      if (hists.length === 0) {
        r.v[i] = expr.op === 'sum' ? reducers.sum!(floats, 0) : avgReducer(floats, 0);
      } else if (floats.length > 0) {
        env.annotations.warn('encountered a mix of histograms and floats for aggregation', pos);
        continue;
      } else {
        const notes = newNotes();
        let acc: NativeHistogram;
        try {
          acc = sumHistogramList(hists, expr.op === 'avg', notes);
        } catch (e) {
          if (!(e instanceof HistogramLayoutError)) throw e;
          const name = getLabel(g.members[0]!.labels, metricNameLabel);
          env.annotations.warn(`vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${JSON.stringify(name)}`, pos);
          continue;
        }
        if (notes.resetCollision) env.annotations.warn('conflicting counter resets during histogram aggregation', pos);
        if (notes.customReconciled) env.annotations.info('mismatched custom buckets were reconciled during aggregation', pos);
        (r.h ??= new Array<NativeHistogram | undefined>(n))[i] = compactHistogram(acc);
      }
      r.has[i] = 1;
      any = true;
    }
    if (any) out.push(r);
  }
  return { kind: 'vector', series: out };
}
