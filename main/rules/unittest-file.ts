/**
 * promtool's rule unit-test file (`promtool test rules`), parsed and validated with positions.
 * Series values use the promql test notation (`1+2x3`, `_`, `_x4`, `stale`) and are expanded
 * here so the runner (later) only sees numbers. Errors name the file, line and field.
 */
import { parseDuration } from '../../app/dialect/duration.js';
import { formatPosition, parseYamlWithPositions, type PositionedYaml, type YamlPath } from '../util/yaml-positions.js';

/** One expanded input value: a number, an omitted step (`_`), or a staleness marker. */
export type SeriesValue = number | 'omitted' | 'stale';

export interface InputSeries {
  series: string;
  labels: Record<string, string>;
  values: SeriesValue[];
}

export interface ExpectedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertTestCase {
  evalTimeMs: number;
  alertname: string;
  expAlerts: ExpectedAlert[];
  line: number;
}

export interface ExprTestCase {
  expr: string;
  evalTimeMs: number;
  expSamples: { labels: Record<string, string>; value: number }[];
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

export interface RuleTestFile {
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
  sample: new Set(['labels', 'value']),
};

const maxExpandedValues = 1_000_000;

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
    const labels = parseSeriesSelector(series);
    if (typeof labels === 'string') c.err([...p, 'series'], `could not parse series ${JSON.stringify(series)}: ${labels}`);
    const values = expandSeriesValues(String(o['values'] ?? ''));
    if (typeof values === 'string') c.err([...p, 'values'], values);
    return { series, labels: typeof labels === 'string' ? {} : labels, values: typeof values === 'string' ? [] : values };
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
        const labels = text === '' ? {} : parseSeriesSelector(text);
        if (typeof labels === 'string') c.err([...sp, 'labels'], `could not parse labels ${JSON.stringify(text)}: ${labels}`);
        const value = parseNumber(String(so['value'] ?? '0'));
        if (value === null) c.err([...sp, 'value'], `not a number: ${JSON.stringify(so['value'])}`);
        return { labels: typeof labels === 'string' ? {} : labels, value: value ?? 0 };
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

/**
 * Expands promql test notation: `1 2 3`, `1+2x3` (1 3 5 7), `5-1x2` (5 4 3), `1x3` (1 1 1 1),
 * `_` (omitted), `_x3` (three omitted), `stale`. Returns an error string on bad input.
 */
export function expandSeriesValues(text: string): SeriesValue[] | string {
  const out: SeriesValue[] = [];
  for (const tok of text.trim().split(/\s+/).filter((t) => t !== '')) {
    if (tok === 'stale') {
      out.push('stale');
      continue;
    }
    if (tok === '_') {
      out.push('omitted');
      continue;
    }
    const blank = /^_x(\d+)$/.exec(tok);
    if (blank !== null) {
      const n = Number(blank[1]);
      if (out.length + n > maxExpandedValues) return `series expands to more than ${maxExpandedValues} values`;
      for (let i = 0; i < n; i++) out.push('omitted');
      continue;
    }
    const m = /^(.+?)(?:([+-])(.+?))?x(\d+)$/.exec(tok);
    if (m !== null && parseNumber(m[1] ?? '') !== null) {
      const start = parseNumber(m[1] ?? '') ?? 0;
      const delta = m[2] === undefined ? 0 : (parseNumber(m[3] ?? '') ?? NaN) * (m[2] === '-' ? -1 : 1);
      if (Number.isNaN(delta)) return `invalid value ${JSON.stringify(tok)}: expected a number after ${m[2]}`;
      const n = Number(m[4]);
      if (out.length + n + 1 > maxExpandedValues) return `series expands to more than ${maxExpandedValues} values`;
      for (let i = 0; i <= n; i++) out.push(start + delta * i);
      continue;
    }
    const v = parseNumber(tok);
    if (v === null) return `invalid value ${JSON.stringify(tok)}: expected a number, _, stale, or a+bxN`;
    out.push(v);
  }
  return out;
}

/** Parses `metric{a="b", c="d"}` into labels (with `__name__`); returns an error string on bad input. */
export function parseSeriesSelector(text: string): Record<string, string> | string {
  const labels: Record<string, string> = {};
  let i = 0;
  const s = text.trim();
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s);
  if (name !== null) {
    labels['__name__'] = name[0];
    i = name[0].length;
  }
  if (i === s.length) return name === null ? 'empty series' : labels;
  if (s[i] !== '{') return `unexpected ${JSON.stringify(s[i])} at position ${i + 1}`;
  i++;
  const ws = (): void => {
    while (s[i] === ' ' || s[i] === '\t') i++;
  };
  for (;;) {
    ws();
    if (s[i] === '}') {
      i++;
      break;
    }
    const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i));
    if (ln === null) return `expected a label name at position ${i + 1}`;
    i += ln[0].length;
    ws();
    if (s[i] !== '=') return `expected "=" after ${ln[0]} (series take exact labels only)`;
    i++;
    ws();
    const q = s[i];
    if (q !== '"' && q !== "'" && q !== '`') return `expected a quoted value for ${ln[0]}`;
    let j = i + 1;
    let v = '';
    for (;;) {
      const ch = s[j];
      if (ch === undefined) return `unterminated value for ${ln[0]}`;
      if (ch === q) break;
      if (ch === '\\' && q !== '`') {
        const e = s[j + 1] ?? '';
        v += ({ n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'" } as Record<string, string>)[e] ?? e;
        j += 2;
        continue;
      }
      v += ch;
      j++;
    }
    labels[ln[0]] = v;
    i = j + 1;
    ws();
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (s[i] === '}') {
      i++;
      break;
    }
    return `expected "," or "}" at position ${i + 1}`;
  }
  ws();
  if (i !== s.length) return `unexpected text after "}" at position ${i + 1}`;
  return labels;
}
