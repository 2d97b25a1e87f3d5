/**
 * Binary operators over whole step columns: scalar/scalar, vector/scalar, vector/vector with
 * Prometheus' vector matching (on / ignoring / group_left / group_right) and set operators.
 * Duplicate and many-to-many checks are done per step, as Prometheus does per evaluation.
 */
import type { ArithmeticOp, BinaryExpr, BinaryOp, ComparisonOp, PosRange, VectorMatching } from '../../app/promql/ast.js';
import type { Labels } from '../tsdb/labels.js';
import { getLabel, labelsKey, metricNameLabel } from '../tsdb/labels.js';
import type { NativeHistogram } from '../tsdb/interface.js';
import { isTrimOp } from '../../app/promql/catalog.js';
import { QueryExecutionError } from './errors.js';
import { trimHistogram } from './histogram-trim.js';
import { combineHistograms, compactHistogram, divideHistogram, HistogramLayoutError, histogramsMatch, newNotes, scaleHistogram } from './histogram.js';
import type { EvalEnv } from './evaluator.js';
import type { EvalValue, StepSeries, VectorValue } from './value.js';
import { newStepSeries } from './value.js';

/** Go's math.Pow differs from `**` on a few edge cases Prometheus tests rely on. */
function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  return x ** y;
}

/** Go's math.Mod: result has the sign of x, like JS `%`. */
const arithmetic: Record<ArithmeticOp, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
  '^': goPow,
  atan2: (a, b) => Math.atan2(a, b),
};

const comparison: Record<ComparisonOp, (a: number, b: number) => boolean> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '>': (a, b) => a > b,
  '<': (a, b) => a < b,
  '>=': (a, b) => a >= b,
  '<=': (a, b) => a <= b,
};

const isArithmetic = (op: BinaryOp): op is ArithmeticOp => op in arithmetic;
const isComparison = (op: BinaryOp): op is ComparisonOp => op in comparison;

interface HistContext {
  readonly env: EvalEnv;
  readonly pos: PosRange;
}

/**
 * One element of a binary operation where at least one side is a native histogram (Prometheus'
 * vectorElemBinop): hist × float, float × hist, hist / float, hist ± hist, hist == / != hist.
 * Anything else gives no sample and an info annotation. Returns null for no sample.
 */
function histogramElem(op: BinaryOp, fl: number, hl: NativeHistogram | undefined, fr: number, hr: NativeHistogram | undefined, returnBool: boolean, ctx: HistContext, name: string): { v: number; h?: NativeHistogram } | null {
  const kind = (h: NativeHistogram | undefined): string => (h === undefined ? 'float' : 'histogram');
  const incompatible = (): null => {
    ctx.env.annotations.info(`incompatible sample types encountered for binary operator ${JSON.stringify(op)}: ${kind(hl)} ${op} ${kind(hr)}`, ctx.pos);
    return null;
  };
  if (isTrimOp(op)) return hl !== undefined && hr === undefined ? { v: 0, h: trimHistogram(hl, fr, op === '</') } : incompatible();
  if (hl === undefined && hr !== undefined) return op === '*' ? { v: 0, h: compactHistogram(scaleHistogram(hr, fl)) } : incompatible();
  if (hl !== undefined && hr === undefined) {
    if (op === '*') return { v: 0, h: compactHistogram(scaleHistogram(hl, fr)) };
    if (op === '/') return { v: 0, h: compactHistogram(divideHistogram(hl, fr)) };
    return incompatible();
  }
  const a = hl!;
  const b = hr!;
  if (op === '+' || op === '-') {
    const notes = newNotes();
    try {
      const h = compactHistogram(combineHistograms(a, b, op === '+' ? 1 : -1, notes));
      if (notes.customReconciled) ctx.env.annotations.info(`mismatched custom buckets were reconciled during ${op === '+' ? 'addition' : 'subtraction'}`, ctx.pos);
      return { v: 0, h };
    } catch (e) {
      if (!(e instanceof HistogramLayoutError)) throw e;
      ctx.env.annotations.warn(`vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${JSON.stringify(name)}`, ctx.pos);
      return null;
    }
  }
  if (op === '==' || op === '!=') {
    const same = histogramsMatch(a, b, (x, y) => x === y || (Number.isNaN(x) && Number.isNaN(y)));
    const keep = op === '==' ? same : !same;
    if (returnBool) return { v: keep ? 1 : 0 };
    return keep ? { v: 0, h: a } : null;
  }
  return incompatible();
}

function setHist(r: StepSeries, i: number, n: number, h: NativeHistogram): void {
  (r.h ??= new Array<NativeHistogram | undefined>(n))[i] = h;
}

export function evalUnaryMinus(v: VectorValue): VectorValue {
  return {
    kind: 'vector',
    series: v.series.map((s) => {
      const r: StepSeries = { labels: s.labels, v: s.v.map((x) => -x), has: s.has, dropName: true };
      // A histogram is negated as Prometheus does it: every count and the sum times −1.
      if (s.h) r.h = s.h.map((h) => (h ? scaleHistogram(h, -1) : undefined));
      return r;
    }),
  };
}

export async function evalBinary(expr: BinaryExpr, lhs: EvalValue, rhs: EvalValue, n: number, env: EvalEnv): Promise<EvalValue> {
  const op = expr.op;
  if (lhs.kind === 'scalar' && rhs.kind === 'scalar') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = lhs.v[i]!;
      const b = rhs.v[i]!;
      if (isArithmetic(op)) out[i] = arithmetic[op](a, b);
      else if (isComparison(op)) out[i] = comparison[op](a, b) ? 1 : 0;
      else throw new QueryExecutionError(`set operator "${op}" not allowed between scalars`);
    }
    return { kind: 'scalar', v: out };
  }
  const ctx: HistContext = { env, pos: expr.pos };
  if (lhs.kind === 'vector' && rhs.kind === 'scalar') return vectorScalar(op, lhs, rhs.v, false, expr.returnBool, n, ctx);
  if (lhs.kind === 'scalar' && rhs.kind === 'vector') return vectorScalar(op, rhs, lhs.v, true, expr.returnBool, n, ctx);
  if (lhs.kind === 'vector' && rhs.kind === 'vector') {
    const matching: VectorMatching = expr.matching ?? { card: op === 'and' || op === 'or' || op === 'unless' ? 'many-to-many' : 'one-to-one', matchingLabels: [], on: false, include: [] };
    if (op === 'and' || op === 'or' || op === 'unless') return setOp(op, lhs, rhs, matching, n, env);
    return await vectorVector(op, lhs, rhs, matching, expr.returnBool, n, env, ctx);
  }
  throw new QueryExecutionError(`binary operator "${op}" not defined between ${lhs.kind} and ${rhs.kind}`);
}

function vectorScalar(op: BinaryOp, vec: VectorValue, sc: Float64Array, swap: boolean, returnBool: boolean, n: number, ctx: HistContext): VectorValue {
  const out: StepSeries[] = [];
  const arith = isArithmetic(op) ? arithmetic[op] : null;
  const cmp = isComparison(op) ? comparison[op] : null;
  const trim = isTrimOp(op);
  if (arith === null && cmp === null && !trim) throw new QueryExecutionError(`set operator "${op}" not allowed in binary scalar expression`);
  for (const s of vec.series) {
    const r = newStepSeries(s.labels, n, arith !== null || returnBool || s.dropName);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      const x = s.v[i]!;
      const y = sc[i]!;
      const h = s.h?.[i];
      if (h !== undefined || trim) {
        const res = swap ? histogramElem(op, y, undefined, x, h, returnBool, ctx, '') : histogramElem(op, x, h, y, undefined, returnBool, ctx, '');
        if (res === null) continue;
        r.v[i] = res.v;
        if (res.h) setHist(r, i, n, res.h);
        r.has[i] = 1;
        any = true;
        continue;
      }
      if (arith) {
        r.v[i] = swap ? arith(y, x) : arith(x, y);
      } else {
        const keep = swap ? cmp!(y, x) : cmp!(x, y);
        if (returnBool) r.v[i] = keep ? 1 : 0;
        else if (keep) r.v[i] = x;
        else continue;
      }
      r.has[i] = 1;
      any = true;
    }
    if (any) out.push(r);
  }
  return { kind: 'vector', series: out };
}

type SigFn = (labels: Labels) => string;

function signatureFn(on: boolean, names: readonly string[]): SigFn {
  const set = new Set(names);
  if (on) {
    return (labels) => {
      let k = '';
      for (const l of labels) if (set.has(l.name)) k += l.name + '\xff' + l.value + '\xfe';
      return k;
    };
  }
  set.add(metricNameLabel);
  return (labels) => {
    let k = '';
    for (const l of labels) if (!set.has(l.name)) k += l.name + '\xff' + l.value + '\xfe';
    return k;
  };
}

/** Prometheus' labels.String(): `{a="b", c="d"}` including `__name__`. */
export function labelsString(labels: Labels): string {
  return `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}

function matchLabels(labels: Labels, on: boolean, names: readonly string[]): Labels {
  const set = new Set(names);
  return on ? labels.filter((l) => set.has(l.name)) : labels.filter((l) => !set.has(l.name) && l.name !== metricNameLabel);
}

function resultLabels(lhs: Labels, rhs: Labels, m: VectorMatching): Labels {
  let out: Label[] = lhs.slice();
  if (m.card === 'one-to-one') {
    const set = new Set(m.matchingLabels);
    out = m.on ? out.filter((l) => set.has(l.name)) : out.filter((l) => !set.has(l.name));
  }
  if (m.include.length > 0) {
    const inc = new Set(m.include);
    out = out.filter((l) => !inc.has(l.name));
    for (const l of rhs) if (inc.has(l.name) && l.value !== '') out.push(l);
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return out;
}
type Label = Labels[number];

async function vectorVector(
  op: BinaryOp,
  lhs: VectorValue,
  rhs: VectorValue,
  m: VectorMatching,
  returnBool: boolean,
  n: number,
  env: EvalEnv,
  ctx: HistContext,
): Promise<VectorValue> {
  const swapped = m.card === 'one-to-many';
  const many = swapped ? rhs : lhs;
  const one = swapped ? lhs : rhs;
  const sigf = signatureFn(m.on, m.matchingLabels);
  const arith = isArithmetic(op) ? arithmetic[op] : null;
  const cmp = isComparison(op) ? comparison[op] : null;
  const trim = isTrimOp(op);

  const oneBySig = new Map<string, StepSeries[]>();
  for (const s of one.series) {
    const sig = sigf(s.labels);
    const list = oneBySig.get(sig);
    if (list) list.push(s);
    else oneBySig.set(sig, [s]);
  }
  for (const list of oneBySig.values()) {
    if (list.length < 2) continue;
    for (let i = 0; i < n; i++) {
      let first: StepSeries | null = null;
      for (const s of list) {
        if (!s.has[i]) continue;
        if (first === null) {
          first = s;
          continue;
        }
        const side = swapped ? 'left' : 'right';
        throw new QueryExecutionError(
          `found duplicate series for the match group ${labelsString(matchLabels(s.labels, m.on, m.matchingLabels))} on the ${side} hand-side of the operation: [${labelsString(first.labels)}, ${labelsString(s.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
    }
  }

  const out = new Map<string, StepSeries>();
  const matchedOne = new Map<string, Uint8Array>();
  const matchedMany = new Map<string, Map<string, Uint8Array>>();
  let done = 0;
  for (const ls of many.series) {
    if ((++done & 7) === 0 && env.due()) await env.pause();
    const sig = sigf(ls.labels);
    const group = oneBySig.get(sig);
    if (!group) continue;
    for (const rs of group) {
      let target: StepSeries | null = null;
      let labels: Labels | null = null;
      let key = '';
      for (let i = 0; i < n; i++) {
        if (!ls.has[i] || !rs.has[i]) continue;
        // Cardinality errors come before comparison filtering, as in Prometheus.
        if (labels === null) {
          labels = resultLabels(ls.labels, rs.labels, m);
          key = labelsKey(labels);
        }
        if (m.card === 'one-to-one') {
          let seen = matchedOne.get(sig);
          if (!seen) matchedOne.set(sig, (seen = new Uint8Array(n)));
          if (seen[i]) throw new QueryExecutionError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
          seen[i] = 1;
        } else {
          let bySig = matchedMany.get(sig);
          if (!bySig) matchedMany.set(sig, (bySig = new Map()));
          let seen = bySig.get(key);
          if (!seen) bySig.set(key, (seen = new Uint8Array(n)));
          if (seen[i]) throw new QueryExecutionError('multiple matches for labels: grouping labels must ensure unique matches');
          seen[i] = 1;
        }
        const fl = swapped ? rs.v[i]! : ls.v[i]!;
        const fr = swapped ? ls.v[i]! : rs.v[i]!;
        const hl = swapped ? rs.h?.[i] : ls.h?.[i];
        const hr = swapped ? ls.h?.[i] : rs.h?.[i];
        let value: number;
        let hv: NativeHistogram | undefined;
        if (hl !== undefined || hr !== undefined || trim) {
          const res = histogramElem(op, fl, hl, fr, hr, returnBool, ctx, getLabel(ls.labels, metricNameLabel));
          if (res === null) continue;
          value = res.v;
          hv = res.h;
        } else if (arith) {
          value = arith(fl, fr);
        } else {
          const keep = cmp!(fl, fr);
          if (returnBool) value = keep ? 1 : 0;
          else if (keep) value = fl;
          else continue;
        }
        if (target === null) {
          target = out.get(key) ?? null;
          if (target === null) {
            target = newStepSeries(labels, n, arith !== null || returnBool || ls.dropName);
            out.set(key, target);
          }
        }
        target.v[i] = value;
        if (hv !== undefined) setHist(target, i, n, hv);
        target.has[i] = 1;
      }
    }
  }
  if (m.fillLeft !== undefined || m.fillRight !== undefined) fillMissing(op, many, one, m, sigf, returnBool, n, out);
  return { kind: 'vector', series: [...out.values()] };
}

/**
 * The experimental fill modifiers: where a series has no counterpart at a step, the fill value
 * stands in for it. `fillRight` fills a missing one-side sample for a many-side series,
 * `fillLeft` a missing many-side sample for a one-side series (sides as after group_right's
 * swap, as Prometheus applies them); a stand-in many side carries the match group's labels.
 */
function fillMissing(op: BinaryOp, many: VectorValue, one: VectorValue, m: VectorMatching, sigf: SigFn, returnBool: boolean, n: number, out: Map<string, StepSeries>): void {
  const swapped = m.card === 'one-to-many';
  const arith = isArithmetic(op) ? arithmetic[op] : null;
  const cmp = isComparison(op) ? comparison[op] : null;
  const present = (v: VectorValue): Map<string, Uint8Array> => presence(v, sigf, n);
  const manyAt = present(many);
  const oneAt = present(one);
  const emit = (labels: Labels, dropName: boolean, i: number, fl: number, fr: number): void => {
    let value: number;
    if (arith) value = arith(fl, fr);
    else {
      const keep = cmp!(fl, fr);
      if (returnBool) value = keep ? 1 : 0;
      else if (keep) value = fl;
      else return;
    }
    const key = labelsKey(labels);
    let target = out.get(key);
    if (!target) out.set(key, (target = newStepSeries(labels, n, arith !== null || returnBool || dropName)));
    if (target.has[i]) throw new QueryExecutionError('vector cannot contain metrics with the same labelset');
    target.v[i] = value;
    target.has[i] = 1;
  };
  const groupLabels = (labels: Labels): Labels => matchLabels(labels, m.on, m.matchingLabels);
  if (m.fillRight !== undefined) {
    for (const ls of many.series) {
      const at = oneAt.get(sigf(ls.labels));
      const labels = resultLabels(ls.labels, groupLabels(ls.labels), m);
      for (let i = 0; i < n; i++) {
        if (!ls.has[i] || at?.[i] || ls.h?.[i] !== undefined) continue;
        if (swapped) emit(labels, ls.dropName, i, m.fillRight, ls.v[i]!);
        else emit(labels, ls.dropName, i, ls.v[i]!, m.fillRight);
      }
    }
  }
  if (m.fillLeft !== undefined) {
    for (const rs of one.series) {
      const at = manyAt.get(sigf(rs.labels));
      const labels = resultLabels(groupLabels(rs.labels), rs.labels, m);
      for (let i = 0; i < n; i++) {
        if (!rs.has[i] || at?.[i] || rs.h?.[i] !== undefined) continue;
        if (swapped) emit(labels, false, i, rs.v[i]!, m.fillLeft);
        else emit(labels, false, i, m.fillLeft, rs.v[i]!);
      }
    }
  }
}

function presence(v: VectorValue, sigf: SigFn, n: number): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const s of v.series) {
    const sig = sigf(s.labels);
    let p = m.get(sig);
    if (!p) m.set(sig, (p = new Uint8Array(n)));
    for (let i = 0; i < n; i++) if (s.has[i]) p[i] = 1;
  }
  return m;
}

function filtered(s: StepSeries, keep: (i: number) => boolean, n: number): StepSeries | null {
  const r = newStepSeries(s.labels, n, s.dropName);
  let any = false;
  for (let i = 0; i < n; i++) {
    if (!s.has[i] || !keep(i)) continue;
    r.v[i] = s.v[i]!;
    const h = s.h?.[i];
    if (h !== undefined) setHist(r, i, n, h);
    r.has[i] = 1;
    any = true;
  }
  return any ? r : null;
}

function setOp(op: 'and' | 'or' | 'unless', lhs: VectorValue, rhs: VectorValue, m: VectorMatching, n: number, env: EvalEnv): VectorValue {
  const sigf = signatureFn(m.on, m.matchingLabels);
  const out: StepSeries[] = [];
  const none = new Uint8Array(n);
  if (op === 'or') {
    const left = presence(lhs, sigf, n);
    out.push(...lhs.series);
    for (const s of rhs.series) {
      env.check();
      const p = left.get(sigf(s.labels)) ?? none;
      const r = filtered(s, (i) => !p[i], n);
      if (r) out.push(r);
    }
    return { kind: 'vector', series: out };
  }
  const right = presence(rhs, sigf, n);
  for (const s of lhs.series) {
    env.check();
    const p = right.get(sigf(s.labels)) ?? none;
    const r = filtered(s, op === 'and' ? (i) => p[i] === 1 : (i) => !p[i], n);
    if (r) out.push(r);
  }
  return { kind: 'vector', series: out };
}
