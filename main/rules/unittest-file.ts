/**
 * promtool's rule unit-test file (`promtool test rules`), parsed and validated with positions.
 * Series values use promtool's series notation (`1+2x3`, `_`, `_x4`, `stale`) and are expanded
 * here so the runner (later) only sees numbers. Errors name the file, line and field.
 */
import { parseDuration } from '../../app/dialect/duration.js';
import { expandSeriesValues, parseSeriesSelector, SeriesNotationError, type SequenceValue } from '../promql/series-notation.js';
import type { Labels } from '../tsdb/labels.js';
import type { NativeHistogram } from '../tsdb/interface.js';
import { formatPosition, parseYamlWithPositions, type PositionedYaml, type YamlPath } from '../util/yaml-positions.js';

interface InputSeries {
  series: string;
  labels: Labels;
  values: SequenceValue[];
}

interface ExpectedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface AlertTestCase {
  evalTimeMs: number;
  alertname: string;
  expAlerts: ExpectedAlert[];
  line: number;
}

interface ExprTestCase {
  expr: string;
  evalTimeMs: number;
  /** A sample's expected float, or its native histogram (`histogram:` in series notation, `{{…}}`). */
  expSamples: { labels: Labels; value: number; histogram?: NativeHistogram }[];
  line: number;
}

export interface RuleTestGroup {
  name: string;
  intervalMs: number;
  inputSeries: InputSeries[];
  alertRuleTests: AlertTestCase[];
  promqlExprTests: ExprTestCase[];
  externalLabels: Record<string, string>;
  externalURL: string;
  line: number;
}

interface RuleTestFile {
  file: string;
  ruleFiles: string[];
  evaluationIntervalMs: number;
  groupEvalOrder: string[];
  tests: RuleTestGroup[];
}

export type ParseTestFileResult = { ok: true; value: RuleTestFile } | { ok: false; errors: string[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// Field tables of promtool's structs; anything else is an unmarshal error, as in promtool.
const fields: Record<string, ReadonlySet<string>> = {
  unitTestFile: new Set(['rule_files', 'evaluation_interval', 'group_eval_order', 'tests']),
  testGroup: new Set(['interval', 'input_series', 'alert_rule_test', 'promql_expr_test', 'external_labels', 'external_url', 'name']),
  series: new Set(['series', 'values']),
  alertTestCase: new Set(['eval_time', 'alertname', 'exp_alerts']),
  alert: new Set(['exp_labels', 'exp_annotations']),
  promqlTestCase: new Set(['expr', 'eval_time', 'exp_samples']),
  sample: new Set(['labels', 'value', 'histogram']),
};

class Ctx {
  readonly errors: string[] = [];
  constructor(
    readonly file: string,
    readonly y: PositionedYaml,
  ) {}
  err(path: YamlPath, msg: string): void {
    this.errors.push(`${this.file}: ${formatPosition(this.y.positionOf(path))}: ${path.filter((p) => typeof p === 'string').slice(-1)[0] ?? 'file'}: ${msg}`);
  }
  check(o: unknown, kind: string, path: YamlPath): Obj {
    if (!isObj(o)) {
      this.err(path, `expected a map (${kind})`);
      return {};
    }
    const allowed = fields[kind] ?? new Set<string>();
    for (const k of Object.keys(o)) {
      if (!allowed.has(k)) this.errors.push(`${this.file}: ${formatPosition(this.y.keyPositionOf([...path, k]))}: field ${k} not found in type ${kind}`);
    }
    return o;
  }
  list(o: Obj, key: string, path: YamlPath): unknown[] {
    const v = o[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.err([...path, key], 'expected a list');
      return [];
    }
    return v;
  }
  /** Runs a series-notation parse; a SeriesNotationError becomes an error at `path`, and null. */
  notation<T>(path: YamlPath, prefix: string, parse: () => T): T | null {
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof SeriesNotationError)) throw e;
      this.err(path, prefix + e.message);
      return null;
    }
  }
  duration(o: Obj, key: string, path: YamlPath, fallback: number): number {
    const v = o[key];
    if (v === undefined || v === null) return fallback;
    try {
      return parseDuration(String(v));
    } catch (e) {
      this.err([...path, key], (e as Error).message);
      return fallback;
    }
  }
  strMap(o: Obj, key: string, path: YamlPath): Record<string, string> {
    const v = o[key];
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      this.err([...path, key], 'expected a map of strings');
      return {};
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : String(x)]));
  }
  line(path: YamlPath): number {
    return this.y.positionOf(path)?.line ?? 0;
  }
}

export function parseRuleTestFile(file: string, text: string): ParseTestFileResult {
  const y = parseYamlWithPositions(text);
  if (y.errors.length > 0) return { ok: false, errors: y.errors.map((e) => `${file}: yaml: ${e}`) };
  const c = new Ctx(file, y);
  const root = c.check(y.value ?? {}, 'unitTestFile', []);
  const ruleFiles = c.list(root, 'rule_files', []).map(String);
  const evaluationIntervalMs = c.duration(root, 'evaluation_interval', [], 60_000);
  const groupEvalOrder = c.list(root, 'group_eval_order', []).map(String);
  const tests = c.list(root, 'tests', []).map((t, ti) => parseGroup(c, t, ['tests', ti], evaluationIntervalMs));
  if (c.errors.length > 0) return { ok: false, errors: c.errors };
  return { ok: true, value: { file, ruleFiles, evaluationIntervalMs, groupEvalOrder, tests } };
}

function parseGroup(c: Ctx, raw: unknown, path: YamlPath, defaultInterval: number): RuleTestGroup {
  const g = c.check(raw, 'testGroup', path);
  const inputSeries = c.list(g, 'input_series', path).map((s, si): InputSeries => {
    const p = [...path, 'input_series', si];
    const o = c.check(s, 'series', p);
    const series = String(o['series'] ?? '');
    const labels = c.notation([...p, 'series'], `could not parse series ${JSON.stringify(series)}: `, () => parseSeriesSelector(series)) ?? [];
    const values = c.notation([...p, 'values'], '', () => expandSeriesValues(String(o['values'] ?? ''))) ?? [];
    return { series, labels, values };
  });
  const alertRuleTests = c.list(g, 'alert_rule_test', path).map((a, ai): AlertTestCase => {
    const p = [...path, 'alert_rule_test', ai];
    const o = c.check(a, 'alertTestCase', p);
    const alertname = String(o['alertname'] ?? '');
    if (alertname === '') c.err(p, 'alertname must be set');
    return {
      evalTimeMs: c.duration(o, 'eval_time', p, 0),
      alertname,
      expAlerts: c.list(o, 'exp_alerts', p).map((e, ei) => {
        const ep = [...p, 'exp_alerts', ei];
        const eo = c.check(e, 'alert', ep);
        return { labels: c.strMap(eo, 'exp_labels', ep), annotations: c.strMap(eo, 'exp_annotations', ep) };
      }),
      line: c.line(p),
    };
  });
  const promqlExprTests = c.list(g, 'promql_expr_test', path).map((e, ei): ExprTestCase => {
    const p = [...path, 'promql_expr_test', ei];
    const o = c.check(e, 'promqlTestCase', p);
    const expr = String(o['expr'] ?? '');
    if (expr === '') c.err(p, 'expr must be set');
    return {
      expr,
      evalTimeMs: c.duration(o, 'eval_time', p, 0),
      expSamples: c.list(o, 'exp_samples', p).map((s, si) => {
        const sp = [...p, 'exp_samples', si];
        const so = c.check(s, 'sample', sp);
        const text = String(so['labels'] ?? '');
        const labels = text === '' ? [] : (c.notation([...sp, 'labels'], `could not parse labels ${JSON.stringify(text)}: `, () => parseSeriesSelector(text)) ?? []);
        if (so['histogram'] !== undefined) {
          // As promtool: a histogram in series notation, e.g. '{{schema:0 count:4 sum:10 buckets:[1 3]}}'.
          const htext = String(so['histogram']);
          const vs = c.notation([...sp, 'histogram'], `could not parse expected histogram ${JSON.stringify(htext)}: `, () => expandSeriesValues(htext));
          const h = vs?.length === 1 ? vs[0]!.histogram : undefined;
          if (vs !== null && h === undefined) c.err([...sp, 'histogram'], `expected one native histogram ({{…}}), got ${JSON.stringify(htext)}`);
          return { labels, value: 0, ...(h !== undefined ? { histogram: h } : {}) };
        }
        const value = parseNumber(String(so['value'] ?? '0'));
        if (value === null) c.err([...sp, 'value'], `not a number: ${JSON.stringify(so['value'])}`);
        return { labels, value: value ?? 0 };
      }),
      line: c.line(p),
    };
  });
  return {
    name: String(g['name'] ?? ''),
    intervalMs: c.duration(g, 'interval', path, defaultInterval),
    inputSeries,
    alertRuleTests,
    promqlExprTests,
    externalLabels: c.strMap(g, 'external_labels', path),
    externalURL: String(g['external_url'] ?? ''),
    line: c.line(path),
  };
}

function parseNumber(s: string): number | null {
  const t = s.trim();
  const special: Record<string, number> = { inf: Infinity, '+inf': Infinity, '-inf': -Infinity, nan: NaN };
  const sp = special[t.toLowerCase()];
  if (sp !== undefined) return sp;
  if (t === '' || !/^[+-]?(0x[0-9a-f]+|(\d+\.?\d*|\.\d+)(e[+-]?\d+)?)$/i.test(t)) return null;
  const n = t.toLowerCase().includes('0x') ? (t.startsWith('-') ? -1 : 1) * parseInt(t.replace(/^[+-]/, ''), 16) : Number(t);
  return Number.isNaN(n) ? null : n;
}
