/** Label manipulation: label_replace, label_join, sort_by_label(_desc). */
import type { NativeHistogram } from '../../tsdb/interface.js';
import type { Labels } from '../../tsdb/labels.js';
import { getLabel, metricNameLabel, normalizeLabels } from '../../tsdb/labels.js';
import { QueryExecutionError } from '../errors.js';
import { compileRegex, expandTemplate, RegexSyntaxError, type GoRegex } from '../../../app/dialect/regex.js';
import type { EvalValue, StepSeries } from '../value.js';
import { stringArg, vector, vectorArg } from './helpers.js';
import type { FnCall, FunctionImpl } from './types.js';

const labelNameRe = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Prometheus 3 accepts any valid UTF-8 label name; reject only invalid or empty ones. */
function validLabelName(name: string): boolean {
  if (labelNameRe.test(name)) return true;
  // Invalid UTF-8 in a literal (e.g. "\xff") reaches us as U+FFFD.
  if (name === '' || name.includes('\ufffd')) return false;
  return !/[\ud800-\udfff]/.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));
}


function setLabel(labels: Labels, name: string, value: string): Labels {
  return normalizeLabels([...labels.filter((l) => l.name !== name), { name, value }]);
}

/** Several input series may map to one output label set; merge them per step. */
function collect(out: Map<string, StepSeries>, s: StepSeries, labels: Labels, dropName: boolean, n: number): void {
  const key = JSON.stringify(labels) + (dropName ? '\x01' : '');
  const prev = out.get(key);
  if (!prev) {
    out.set(key, s.h ? { labels, v: s.v, has: s.has, dropName, h: s.h } : { labels, v: s.v, has: s.has, dropName });
    return;
  }
  const v = new Float64Array(prev.v);
  const has = new Uint8Array(prev.has);
  // Native histogram samples move with their steps.
  const h = prev.h || s.h ? (prev.h?.slice() ?? new Array<NativeHistogram | undefined>(n)) : undefined;
  for (let i = 0; i < n; i++) {
    if (!s.has[i]) continue;
    if (has[i]) throw new QueryExecutionError('vector cannot contain metrics with the same labelset');
    v[i] = s.v[i]!;
    if (h) h[i] = s.h?.[i];
    has[i] = 1;
  }
  out.set(key, h ? { labels, v, has, dropName, h } : { labels, v, has, dropName });
}

export const labelFunctions = {
  label_replace: (c: FnCall): EvalValue | Promise<EvalValue> => {
    const dst = stringArg(c, 1);
    const repl = stringArg(c, 2);
    const src = stringArg(c, 3);
    const regexText = stringArg(c, 4);
    let re: GoRegex;
    try {
      re = compileRegex(regexText, 'prometheus');
    } catch (e) {
      if (!(e instanceof RegexSyntaxError)) throw e;
      throw new QueryExecutionError(`invalid regular expression in label_replace(): ${regexText}: ${e.reason}`);
    }
    if (!validLabelName(dst)) throw new QueryExecutionError(`invalid destination label name in label_replace(): ${dst}`);
    const out = new Map<string, StepSeries>();
    for (const s of vectorArg(c, 0).series) {
      const m = re.exec(getLabel(s.labels, src));
      let labels = s.labels;
      let dropName = s.dropName;
      if (m) {
        labels = setLabel(s.labels, dst, expandTemplate(repl, m));
        if (dst === metricNameLabel) dropName = false;
      }
      collect(out, s, labels, dropName, c.grid.length);
    }
    return vector([...out.values()]);
  },
  label_join: (c: FnCall): EvalValue | Promise<EvalValue> => {
    const dst = stringArg(c, 1);
    const sep = stringArg(c, 2);
    const srcs: string[] = [];
    for (let i = 3; i < c.args.length; i++) {
      const name = stringArg(c, i);
      if (!validLabelName(name)) throw new QueryExecutionError(`invalid source label name in label_join(): ${name}`);
      srcs.push(name);
    }
    if (!validLabelName(dst)) throw new QueryExecutionError(`invalid destination label name in label_join(): ${dst}`);
    const out = new Map<string, StepSeries>();
    for (const s of vectorArg(c, 0).series) {
      const value = srcs.map((name) => getLabel(s.labels, name)).join(sep);
      const labels = setLabel(s.labels, dst, value);
      collect(out, s, labels, dst === metricNameLabel ? false : s.dropName, c.grid.length);
    }
    return vector([...out.values()]);
  },
  sort_by_label: (c: FnCall): EvalValue => sortByLabel(c, false),
  sort_by_label_desc: (c: FnCall): EvalValue => sortByLabel(c, true),
} satisfies Record<string, FunctionImpl>;

const collator = new Intl.Collator('en', { numeric: true });

function sortByLabel(c: FnCall, desc: boolean): EvalValue {
  if (c.env.isRangeQuery) {
    c.env.annotations.warn('sort is ineffective for range queries since results are always ordered by labels', c.call.pos);
  }
  const names: string[] = [];
  for (let i = 1; i < c.args.length; i++) names.push(stringArg(c, i));
  const series = vectorArg(c, 0).series.slice();
  series.sort((a, b) => {
    for (const name of names) {
      const r = collator.compare(getLabel(a.labels, name), getLabel(b.labels, name));
      if (r !== 0) return desc ? -r : r;
    }
    const r = collator.compare(JSON.stringify(a.labels), JSON.stringify(b.labels));
    return desc ? -r : r;
  });
  return vector(series);
}
