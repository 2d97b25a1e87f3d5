/**
 * Runs promqltest scripts through PromQLEngine over a fresh storage per script (the storage is
 * a factory parameter: in-memory now, the real TSDB later). Every eval ends as pass, fail (with
 * expected vs got) or skip (with the reason: native histograms, feature-flagged syntax,
 * experimental functions).
 */
import { matchesAll } from '../../../app/dialect/matcher.js';
import type { Expr } from '../../../app/promql/ast.js';
import { aggregations } from '../../../app/promql/catalog.js';
import { functionSignatures, isFunctionName } from '../../../app/promql/functions.js';
import type { Appendable, Queryable } from '../../tsdb/interface.js';
import type { Labels } from '../../tsdb/labels.js';
import { getLabel, labelsKey } from '../../tsdb/labels.js';
import { PromQLEngine } from '../engine.js';
import type { QueryResult } from '../engine.js';
import { atTestTimes, pinAt } from './at-modifier.js';
import { compareResult } from './compare.js';
import { knownGaps } from './known-gaps.js';
import { classicToNhcb } from './nhcb.js';
import type { EvalCmd, LoadCmd } from './script.js';
import type { SequenceValue } from '../series-notation.js';
import { HistogramNotSupportedError } from '../errors.js';
import { parseScript } from './script.js';

interface TestStorage {
  readonly queryable: Queryable;
  readonly appendable: Appendable;
  close?(): void | Promise<void>;
}
export type StorageFactory = () => TestStorage | Promise<TestStorage>;

type EvalStatus = 'pass' | 'fail' | 'skip';

export interface EvalOutcome {
  readonly file: string;
  readonly line: number;
  readonly expr: string;
  readonly status: EvalStatus;
  /** Skip reason, or failure description (expected vs got). */
  readonly detail: string;
}

export interface ScriptReport {
  readonly file: string;
  readonly outcomes: EvalOutcome[];
  /** The script itself could not be parsed. */
  readonly error?: string;
}

export interface RunnerOptions {
  readonly storage: StorageFactory;
  readonly parse: (query: string) => Expr;
  readonly engine?: PromQLEngine;
  /** Also run evals that call experimental functions (skipped by default, as upstream flags them). */
  readonly experimental?: boolean;
}

/** Engine settings the upstream suite assumes (FORMAT.md). */
function conformanceEngine(parse: (q: string) => Expr): PromQLEngine {
  return new PromQLEngine({ lookbackDelta: 300_000, timeoutMs: 100_000, defaultSubqueryStep: 60_000, parse });
}


/** Signs of duration expressions, consulted only when our parser rejects the query. */
const durationExprHints = [/\[[^\]"']*[-+*/%^()][^\]"']*\]/, /\boffset\s*[-(]/, /\b(step|range|start|end)\s*\(\s*\)/i, /@\s*\(/, /\[\s*\d+(\.\d+)?\s*[\]:]/, /:\s*\d+(\.\d+)?\s*\]/];

function selectors(e: Expr, out: Expr[] = []): Expr[] {
  switch (e.type) {
    case 'vector':
      out.push(e);
      break;
    case 'matrix':
      out.push(e.vector);
      break;
    case 'subquery':
    case 'paren':
    case 'unary':
      selectors(e.expr, out);
      break;
    case 'call':
      for (const a of e.args) selectors(a, out);
      break;
    case 'aggregate':
      selectors(e.expr, out);
      if (e.param) selectors(e.param, out);
      break;
    case 'binary':
      selectors(e.lhs, out);
      selectors(e.rhs, out);
      break;
    default:
      break;
  }
  return out;
}

function experimentalCall(e: Expr): string | null {
  switch (e.type) {
    case 'call': {
      if (isFunctionName(e.func) && functionSignatures[e.func].experimental) return e.func;
      for (const a of e.args) {
        const f = experimentalCall(a);
        if (f) return f;
      }
      return null;
    }
    case 'aggregate':
      if (aggregations[e.op].experimental) return e.op;
      return experimentalCall(e.expr) ?? (e.param ? experimentalCall(e.param) : null);
    case 'binary':
      return experimentalCall(e.lhs) ?? experimentalCall(e.rhs);
    case 'subquery':
    case 'paren':
    case 'unary':
      return experimentalCall(e.expr);
    default:
      return null;
  }
}

interface ScriptState {
  storage: TestStorage;
  startTimestampSeries: Labels[];
}

async function load(state: ScriptState, cmd: LoadCmd): Promise<void> {
  const app = state.storage.appendable.appender();
  // A block may list the same series twice; the later line wins at each step (as the upstream
  // loader leaves it), so merge them before appending to a storage that refuses duplicates.
  const merged = new Map<string, { labels: Labels; values: Map<number, SequenceValue> }>();
  for (const s of cmd.series) {
    const key = labelsKey(s.labels);
    let m = merged.get(key);
    if (!m) merged.set(key, (m = { labels: s.labels, values: new Map() }));
    const values = m.values;
    s.values.forEach((v, i) => {
      if (!v.omitted) values.set(i, v);
    });
  }
  for (const { labels, values } of merged.values()) {
    for (const i of [...values.keys()].sort((a, b) => a - b)) {
      const v = values.get(i)!;
      if (v.histogram === undefined) {
        app.append(labels, i * cmd.interval, v.value);
        continue;
      }
      if (app.appendHistogram === undefined) throw new Error(`line ${cmd.line}: this storage cannot hold native histogram samples`);
      app.appendHistogram(labels, i * cmd.interval, v.histogram);
    }
  }
  if (cmd.withNhcb) {
    // load_with_nhcb also stores X_bucket/X_count/X_sum groups as a custom-bucket native histogram X.
    for (const { labels, values } of classicToNhcb(cmd.series)) {
      if (app.appendHistogram === undefined) throw new Error(`line ${cmd.line}: this storage cannot hold native histogram samples`);
      for (const [i, h] of [...values].sort((a, b) => a[0] - b[0])) app.appendHistogram(labels, i * cmd.interval, h);
    }
  }
  state.startTimestampSeries.push(...cmd.startTimestampSeries);
  await app.commit();
}

function skipReason(cmd: EvalCmd, expr: Expr | null, parseError: string | null, state: ScriptState, experimental: boolean): string | null {
  if (expr === null) {
    if (durationExprHints.some((re) => re.test(cmd.expr))) return 'duration expressions (feature flag)';
    if (parseError !== null && /experimental/.test(parseError)) return `experimental syntax: ${parseError}`;
    return null;
  }
  const exp = experimental ? null : experimentalCall(expr);
  if (exp) return `experimental function ${exp}`;
  for (const sel of selectors(expr)) {
    if (sel.type !== 'vector') continue;
    if (state.startTimestampSeries.some((l) => matchesAll(sel.matchers, (n) => getLabel(l, n)))) return 'start timestamps (@st)';
  }
  return null;
}

function annotationProblem(cmd: EvalCmd, res: QueryResult): string | null {
  if (cmd.noWarn && res.warnings.length > 0) return `unexpected warnings: ${res.warnings.join('; ')}`;
  if (cmd.noInfo && res.infos.length > 0) return `unexpected info annotations: ${res.infos.join('; ')}`;
  if (cmd.expectWarn && res.warnings.length === 0) return 'expected a warning annotation, got none';
  if (cmd.expectInfo && res.infos.length === 0) return 'expected an info annotation, got none';
  for (const kind of ['warn', 'info'] as const) {
    const exps = cmd.annotations.filter((a) => a.kind === kind);
    if (exps.length === 0) continue;
    const got = kind === 'warn' ? res.warnings : res.infos;
    const matches = (a: (typeof exps)[number], text: string): boolean => (a.msg !== undefined ? a.msg === text : a.regex!.test(text));
    for (const a of exps) if (!got.some((g) => matches(a, g))) return `expected ${kind} ${a.msg ?? `/${a.regex!.pattern}/`}, got [${got.join('; ')}]`;
    for (const g of got) if (!exps.some((a) => matches(a, g))) return `unexpected ${kind} ${g}`;
  }
  return null;
}

function failProblem(cmd: EvalCmd, err: unknown): string | null {
  const msg = err instanceof Error ? err.message : String(err);
  if (!cmd.fail) return `unexpected error: ${msg}`;
  if (cmd.failMsg !== undefined && msg !== cmd.failMsg) return `expected error ${JSON.stringify(cmd.failMsg)}, got ${JSON.stringify(msg)}`;
  if (cmd.failRegex !== undefined && !cmd.failRegex.test(msg)) return `expected error matching /${cmd.failRegex.pattern}/, got ${JSON.stringify(msg)}`;
  return null;
}

async function runInstant(engine: PromQLEngine, q: Queryable, cmd: EvalCmd, expr: Expr, t: number, label: string): Promise<string | null> {
  let res: QueryResult;
  try {
    res = await engine.instantQuery(q, expr, t);
  } catch (err) {
    if (err instanceof HistogramNotSupportedError) throw err;
    const p = failProblem(cmd, err);
    return p === null ? null : `${label}: ${p}`;
  }
  if (cmd.fail) return `${label}: expected the query to fail, it succeeded`;
  const anno = annotationProblem(cmd, res);
  if (anno) return `${label}: ${anno}`;
  const cmp = compareResult(cmd, res.result, cmd.rangeVector);
  if (cmp) return `${label}: ${cmp}`;
  if (cmd.expectedString !== null || cmd.rangeVector !== null || /\b(start|end|range|step)\s*\(\s*\)/.test(cmd.expr)) return null;
  // The same query as a range query around t must give the instant result at its middle step.
  let rr: QueryResult;
  try {
    rr = await engine.rangeQuery(q, expr, t - 60_000, t + 60_000, 60_000);
  } catch (err) {
    if (err instanceof HistogramNotSupportedError) throw err;
    return `${label} as range query: unexpected error: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (cmd.ordered) return null;
  if (rr.result.type !== 'matrix') return `${label} as range query: not a matrix`;
  const samples = [];
  for (const s of rr.result.series) {
    for (let i = 0; i < s.t.length; i++) {
      if (s.t[i] !== t) continue;
      const h = s.h?.[i];
      samples.push(h ? { labels: s.labels, t, v: 0, h } : { labels: s.labels, t, v: s.v[i]! });
    }
  }
  const mid = res.result.type === 'scalar' ? ({ type: 'scalar', t, v: samples[0]?.v ?? NaN } as const) : ({ type: 'vector', samples } as const);
  const cmp2 = compareResult(cmd, mid, null);
  return cmp2 ? `${label} as range query (middle step): ${cmp2}` : null;
}

async function runEval(engine: PromQLEngine, q: Queryable, cmd: EvalCmd, expr: Expr): Promise<string | null> {
  if (cmd.range !== null) {
    let res: QueryResult;
    try {
      res = await engine.rangeQuery(q, expr, cmd.range.start, cmd.range.end, cmd.range.step);
    } catch (err) {
      if (err instanceof HistogramNotSupportedError) throw err;
      return failProblem(cmd, err);
    }
    if (cmd.fail) return 'expected the query to fail, it succeeded';
    return annotationProblem(cmd, res) ?? compareResult(cmd, res.result, cmd.range);
  }
  const first = await runInstant(engine, q, cmd, expr, cmd.at, `at ${cmd.at / 1000}s`);
  if (first) return first;
  const pinned = pinAt(expr, cmd.at);
  if (pinned.unsafe) return null;
  for (const t of atTestTimes(cmd.at)) {
    const p = await runInstant(engine, q, cmd, pinned.expr, t, `@ re-run (pinned to ${cmd.at / 1000}s) at ${t / 1000}s`);
    if (p) return p;
  }
  return null;
}

export async function runScript(file: string, text: string, opts: RunnerOptions): Promise<ScriptReport> {
  let cmds;
  try {
    cmds = parseScript(text);
  } catch (err) {
    return { file, outcomes: [], error: err instanceof Error ? err.message : String(err) };
  }
  const engine = opts.engine ?? conformanceEngine(opts.parse);
  const state: ScriptState = { storage: await opts.storage(), startTimestampSeries: [] };
  const outcomes: EvalOutcome[] = [];
  try {
    for (const cmd of cmds) {
      if (cmd.type === 'clear') {
        await state.storage.close?.();
        state.storage = await opts.storage();
        state.startTimestampSeries = [];
        continue;
      }
      if (cmd.type === 'load') {
        await load(state, cmd);
        continue;
      }
      let expr: Expr | null = null;
      let parseError: string | null = null;
      try {
        expr = opts.parse(cmd.expr);
      } catch (err) {
        parseError = err instanceof Error ? err.message : String(err);
      }
      const base = { file, line: cmd.line, expr: cmd.expr };
      const skip = knownGaps.get(`${file}:${cmd.line}`) ?? skipReason(cmd, expr, parseError, state, opts.experimental ?? false);
      if (skip !== null) {
        outcomes.push({ ...base, status: 'skip', detail: skip });
        continue;
      }
      if (expr === null) {
        outcomes.push({ ...base, status: 'fail', detail: `parse error: ${parseError ?? ''}` });
        continue;
      }
      let problem: string | null;
      try {
        problem = await runEval(engine, state.storage.queryable, cmd, expr);
      } catch (err) {
        if (err instanceof HistogramNotSupportedError) {
          outcomes.push({ ...base, status: 'skip', detail: `native histograms: ${err.what} not implemented` });
          continue;
        }
        problem = `runner error: ${err instanceof Error ? err.message : String(err)}`;
      }
      outcomes.push({ ...base, status: problem === null ? 'pass' : 'fail', detail: problem ?? '' });
    }
  } finally {
    await state.storage.close?.();
  }
  return { file, outcomes };
}
