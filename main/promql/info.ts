/**
 * The experimental `info(v, {data-label selector})` function: enriches each series of v with
 * data labels of "info" series (default target_info) that share its identifying labels
 * (instance, job), as of the same reference time as v's selector (its `@` and offsets).
 * Semantics follow Prometheus' promql/info.go and the upstream info.test script.
 */
import type { Call, Expr, LabelMatcher, VectorSelector } from '../../app/promql/ast.js';
import type { Labels } from '../tsdb/labels.js';
import { getLabel, labelsKey, metricNameLabel, normalizeLabels } from '../tsdb/labels.js';
import { QueryExecutionError } from './errors.js';
import { compileMatcher } from '../../app/dialect/matcher.js';
import { quoteMeta } from '../../app/dialect/regex.js';
import type { StepSeries, VectorValue } from './value.js';
import { newStepSeries } from './value.js';
import { labelsString } from './binary.js';

const identifyingLabels = ['instance', 'job'];

export interface InfoServices {
  eval(expr: Expr, grid: Float64Array): Promise<VectorValue>;
  selectAt(vs: VectorSelector, grid: Float64Array): Promise<VectorValue>;
  resolveAt(at: VectorSelector['at']): number | null;
  check(): void;
}

/** Reference time per step: the @ and offsets on the path to the first selector of `expr`. */
function referenceTimes(expr: Expr, grid: Float64Array, ev: InfoServices): Float64Array {
  const shifts: { at: number | null; offset: number }[] = [];
  const walk = (e: Expr): boolean => {
    switch (e.type) {
      case 'vector':
        shifts.push({ at: ev.resolveAt(e.at), offset: e.offset });
        return true;
      case 'matrix':
        shifts.push({ at: ev.resolveAt(e.vector.at), offset: e.vector.offset });
        return true;
      case 'subquery':
        shifts.push({ at: ev.resolveAt(e.at), offset: e.offset });
        if (walk(e.expr)) return true;
        shifts.pop();
        return false;
      case 'paren':
      case 'unary':
        return walk(e.expr);
      case 'call':
        return e.args.some(walk);
      case 'aggregate':
        return walk(e.expr);
      case 'binary':
        return walk(e.lhs) || walk(e.rhs);
      default:
        return false;
    }
  };
  walk(expr);
  return grid.map((t) => {
    let ref = t;
    for (const s of shifts) ref = (s.at ?? ref) - s.offset;
    return ref;
  });
}

export async function evalInfo(call: Call, grid: Float64Array, ev: InfoServices): Promise<VectorValue> {
  const arg = call.args[0];
  if (arg === undefined) throw new QueryExecutionError('info() needs an instant vector argument');
  const base = await ev.eval(arg, grid);
  const selector = call.args[1];
  const dataMatchers = new Map<string, LabelMatcher[]>();
  let nameMatchers: LabelMatcher[];
  if (selector !== undefined) {
    if (selector.type !== 'vector') throw new QueryExecutionError('info(): the second argument must be a label selector');
    for (const m of selector.matchers) {
      const list = dataMatchers.get(m.name) ?? [];
      list.push(m);
      dataMatchers.set(m.name, list);
    }
    nameMatchers = selector.matchers.filter((m) => m.name === metricNameLabel);
  } else {
    nameMatchers = [{ op: '=', name: metricNameLabel, value: 'target_info' }];
  }
  // Info series themselves are not enriched; only a positive name matcher can mark them.
  const positive = nameMatchers.some((m) => m.op === '=' || m.op === '=~');
  const ignored = (s: StepSeries): boolean => positive && nameMatchers.every((m) => compileMatcher(m).matches(getLabel(s.labels, metricNameLabel)));

  const idValues = new Map<string, Set<string>>();
  for (const s of base.series) {
    if (ignored(s)) continue;
    for (const l of identifyingLabels) {
      const v = getLabel(s.labels, l);
      if (v === '') continue;
      if (!idValues.has(l)) idValues.set(l, new Set());
      idValues.get(l)!.add(v);
    }
  }
  const nameGiven = dataMatchers.has(metricNameLabel);
  dataMatchers.delete(metricNameLabel);

  let info: VectorValue = { kind: 'vector', series: [] };
  if (idValues.size > 0) {
    const matchers: LabelMatcher[] = [];
    // No name matcher means target_info; only negative ones still mean "some *_info metric"
    // (upstream info.test: a negated name matcher must not turn data series into info series).
    if (!nameGiven) matchers.push({ op: '=', name: metricNameLabel, value: 'target_info' });
    else if (!positive) matchers.push({ op: '=~', name: metricNameLabel, value: '.+_info' });
    for (const [name, vals] of idValues) matchers.push({ op: '=~', name, value: [...vals].map(quoteMeta).join('|') });
    if (selector !== undefined && selector.type === 'vector') matchers.push(...selector.matchers);
    const vs: VectorSelector = { type: 'vector', name: null, matchers, offset: 0, at: null, pos: call.pos };
    info = await ev.selectAt(vs, referenceTimes(arg, grid, ev));
  }

  const sigOf = (name: string, labels: Labels): string =>
    name + '\xfe' + identifyingLabels.map((l) => getLabel(labels, l)).join('\xff');
  const infoNames = [...new Set(info.series.map((s) => getLabel(s.labels, metricNameLabel)))];
  const allMatchEmpty = [...dataMatchers.values()].every((ms) => ms.every((m) => compileMatcher(m).matches('')));

  const n = grid.length;
  const out = new Map<string, StepSeries>();
  const emit = (labels: Labels, dropName: boolean, i: number, v: number): void => {
    const key = labelsKey(labels);
    let r = out.get(key);
    if (!r) out.set(key, (r = newStepSeries(labels, n, dropName)));
    if (r.has[i]) throw new QueryExecutionError('vector cannot contain metrics with the same labelset');
    r.v[i] = v;
    r.has[i] = 1;
  };
  for (let i = 0; i < n; i++) {
    ev.check();
    // Newest info sample per signature; equal timestamps are a conflict.
    const bySig = new Map<string, StepSeries>();
    for (const s of info.series) {
      if (!s.has[i]) continue;
      const sig = sigOf(getLabel(s.labels, metricNameLabel), s.labels);
      const prev = bySig.get(sig);
      if (prev === undefined || prev.v[i]! < s.v[i]!) bySig.set(sig, s);
      else if (prev.v[i] === s.v[i]) {
        throw new QueryExecutionError(
          `found duplicate series for info metric: existing ${labelsString(prev.labels)} @ ${prev.v[i]! * 1000}, new ${labelsString(s.labels)} @ ${s.v[i]! * 1000}`,
        );
      }
    }
    for (const bs of base.series) {
      if (!bs.has[i]) continue;
      if (ignored(bs)) {
        emit(bs.labels, bs.dropName, i, bs.v[i]!);
        continue;
      }
      const added = new Map<string, string>();
      let seen = 0;
      for (const name of infoNames) {
        const is = bySig.get(sigOf(name, bs.labels));
        if (is === undefined) continue;
        seen++;
        for (const l of is.labels) {
          if (l.name === metricNameLabel) continue;
          if (dataMatchers.size > 0 && !dataMatchers.has(l.name)) continue;
          const prev = added.get(l.name);
          if (prev !== undefined && prev !== l.value) throw new QueryExecutionError(`conflicting label: ${l.name}`);
          if (getLabel(bs.labels, l.name) !== '') continue;
          added.set(l.name, l.value);
        }
      }
      if (seen === 0 && !allMatchEmpty) continue;
      const labels = added.size === 0 ? bs.labels : normalizeLabels([...bs.labels, ...[...added].map(([name, value]) => ({ name, value }))]);
      emit(labels, bs.dropName, i, bs.v[i]!);
    }
  }
  return { kind: 'vector', series: [...out.values()] };
}
