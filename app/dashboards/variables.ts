/**
 * Dashboard variables and interpolation as Grafana does them for a Prometheus data source:
 * `$var`, `${var}`, `${var:format}`, `[[var]]`; multi-value and "All"; the built-ins
 * `$__interval`, `$__interval_ms`, `$__rate_interval`, `$__range`, `$__range_s`, `$__range_ms`;
 * variable kinds query, custom, constant, interval (with auto) and textbox; chained variables
 * resolved in dependency order. Pure: reads from the engine go through a `VariableSource`.
 *
 * Behaviour follows Grafana's templateSrv, its format registry, `rangeutil` (interval rounding)
 * and the Prometheus data source (`interpolateQueryExpr`, `adjustInterval`,
 * `getRateIntervalScopedVariable`, `metricFindQuery`); the unit tests cite the cases.
 */
import { RegexSyntaxError } from '../dialect/regex.js';
import { grafanaRegex } from './grafana-regex.js';
import { vigilDatasource, type Variable } from './model.js';
import { variableDependencies } from './variable-refs.js';

/** One entry of a dashboard's `templating.list` (Grafana's JSON, as the model reads it). */
export type VariableModel = Variable;

export const allValue = '$__all';

export interface VariableOption {
  text: string;
  value: string;
}

/** A variable after resolution: its options and what is selected (`['$__all']` for All). */
export interface ResolvedVariable {
  name: string;
  type: string;
  multi: boolean;
  includeAll: boolean;
  /** The custom "All" value, sent unescaped (Grafana skips formatting for it). */
  customAll: string | null;
  options: VariableOption[];
  selected: string[];
  /** Why resolution failed (a query error, a loop); the variable then has no options. */
  error: string | null;
}

// ---------------------------------------------------------------------------------------------
// Intervals (Grafana's rangeutil)

const intervalSeconds: Record<string, number> = { y: 31536000, M: 2592000, w: 604800, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };

/** Grafana's `intervalToMs`: `30s`, `1m`, `500ms`, or a bare number of seconds. */
function intervalToMs(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.trunc(Number(t)) * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|[yMwdhms])$/.exec(t);
  if (m === null) throw new Error(`invalid interval "${text}": use a number and one of the units y, M, w, d, h, m, s, ms (e.g. 30s)`);
  return Math.round(parseInt(m[1]!, 10) * intervalSeconds[m[2]!]! * 1000);
}

const ladder: ReadonlyArray<readonly [number, number]> = [
  [10, 1], [15, 10], [35, 20], [75, 50], [150, 100], [350, 200], [750, 500], [1500, 1000], [3500, 2000], [7500, 5000],
  [12500, 10000], [17500, 15000], [25000, 20000], [45000, 30000], [90000, 60000], [210000, 120000], [450000, 300000],
  [750000, 600000], [1050000, 900000], [1500000, 1200000], [2700000, 1800000], [5400000, 3600000], [9000000, 7200000],
  [16200000, 10800000], [32400000, 21600000], [86400000, 43200000], [604800000, 86400000], [1814400000, 604800000],
  [3628800000, 2592000000],
];

/** Grafana's `roundInterval`: a computed interval (ms) snapped to a readable one. */
export function roundInterval(ms: number): number {
  for (const [below, to] of ladder) if (ms < below) return to;
  return 31536000000;
}

/** Grafana's `secondsToHms`: the largest whole unit (`1m`, `15s`, `500ms`). */
export function secondsToHms(seconds: number): string {
  const units: Array<[number, string]> = [[31536000, 'y'], [86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
  let rest = seconds;
  for (const [size, unit] of units) {
    const n = Math.floor(rest / size);
    if (n) return `${n}${unit}`;
    rest %= size;
  }
  const ms = Math.floor(seconds * 1000);
  return ms ? `${ms}ms` : 'less than a millisecond';
}

/** Grafana's `calculateInterval`: range over resolution, rounded, never below the low limit. */
export function calculateInterval(rangeMs: number, resolution: number, lowLimit?: string): { intervalMs: number; interval: string } {
  const low = lowLimit ? intervalToMs(lowLimit) : 1;
  const intervalMs = Math.max(roundInterval(rangeMs / Math.max(1, resolution)), low);
  return { intervalMs, interval: secondsToHms(intervalMs / 1000) };
}

/** What a panel's query is evaluated over. */
export interface QueryTiming {
  fromMs: number;
  toMs: number;
  /** The panel's maxDataPoints, else its width in pixels (Grafana's default). */
  maxDataPoints: number;
  /** The panel's or target's min interval (`interval` in the JSON), may hold variables. */
  minInterval?: string;
  /** The data source's scrape interval (Grafana's default 15s). */
  scrapeInterval?: string;
  intervalFactor?: number;
}

export interface QueryStep {
  /** The range query's step in ms. */
  stepMs: number;
  /** `$__interval` & co. as they are substituted for this query. */
  builtins: Record<string, string>;
}

/**
 * A Prometheus query's step and built-in variables, as Grafana's panel query runner and
 * Prometheus data source compute them: interval = round(range / maxDataPoints) floored at the
 * min interval; step = max(interval × factor, min step, range / 11000);
 * `$__rate_interval` = max(step + scrape interval, 4 × scrape interval).
 */
export function queryStep(t: QueryTiming): QueryStep {
  const rangeMs = t.toMs - t.fromMs;
  const scrapeMs = t.scrapeInterval ? intervalToMs(t.scrapeInterval) : 15_000;
  const calc = calculateInterval(rangeMs, t.maxDataPoints, t.minInterval || t.scrapeInterval || '15s');
  const minMs = t.minInterval ? intervalToMs(t.minInterval) : calc.intervalMs;
  let safe = rangeMs / 1000 / 11000;
  if (safe > 1) safe = Math.ceil(safe);
  const stepS = Math.max((calc.intervalMs / 1000) * (t.intervalFactor ?? 1), minMs / 1000, safe);
  const adjusted = stepS * 1000 !== calc.intervalMs;
  const rangeS = Math.round(rangeMs / 1000);
  const rateS = Math.max(stepS + (scrapeMs || 15_000) / 1000, (4 * (scrapeMs || 15_000)) / 1000);
  return {
    stepMs: stepS * 1000,
    builtins: {
      __interval: adjusted ? `${stepS}s` : calc.interval,
      __interval_ms: String(stepS * 1000),
      __rate_interval: `${rateS}s`,
      __range: `${rangeS}s`,
      __range_s: String(rangeS),
      __range_ms: String(rangeMs),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Interpolation

/** Grafana's variable syntax: `$name`, `[[name:fmt]]`, `${name.field:fmt}`. */
const variableRe = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/** Grafana's `kbn.regexEscape` (the `:regex` format). */
function regexEscape(s: string): string {
  return s.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/** The Prometheus data source's escape inside a regex matcher string (classic behaviour). */
function prometheusRegexEscape(s: string): string {
  return s.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]+?.()|]/g, '\\\\$&');
}

/** The Prometheus data source's escape for a single value in a string literal. */
function prometheusRegularEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");
}

type Formatter = (values: string[], v: ResolvedVariable | null) => string;

const join = (values: string[], sep: string) => values.join(sep);

/** Grafana's format registry (the ones that make sense for PromQL and text). */
const formats: Record<string, Formatter> = {
  raw: (vs) => join(vs, ','),
  regex: (vs) => (vs.length === 1 ? regexEscape(vs[0]!) : `(${vs.map(regexEscape).join('|')})`),
  pipe: (vs) => join(vs, '|'),
  csv: (vs) => join(vs, ','),
  distributed: (vs) => join(vs, ','),
  glob: (vs) => (vs.length > 1 ? `{${vs.join(',')}}` : vs.join('')),
  json: (vs) => JSON.stringify(vs.length === 1 ? vs[0] : vs),
  singlequote: (vs) => vs.map((s) => `'${s.replace(/'/g, "\\'")}'`).join(','),
  doublequote: (vs) => vs.map((s) => `"${s.replace(/"/g, '\\"')}"`).join(','),
  sqlstring: (vs) => vs.map((s) => `'${s.replace(/'/g, "''")}'`).join(','),
  percentencode: (vs) => (vs.length === 1 ? encodeURIComponent(vs[0]!) : encodeURIComponent(`{${vs.join(',')}}`)),
  queryparam: (vs, v) => vs.map((s) => `var-${v?.name ?? ''}=${encodeURIComponent(s)}`).join('&'),
  lucene: (vs) => (vs.length === 1 ? vs[0]! : `(${vs.map((s) => `"${s}"`).join(' OR ')})`),
};

/**
 * The Prometheus data source's default interpolation: a plain single-value variable is escaped
 * for a string literal; a multi-value or include-All one is regex-escaped, several values
 * joined as `(a|b)`.
 */
const promDefault: Formatter = (vs, v) => {
  if (v !== null && !v.multi && !v.includeAll) return prometheusRegularEscape(vs.join(','));
  const escaped = vs.map(prometheusRegexEscape);
  return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
};

export type InterpolationTarget = 'promql' | 'text';

export interface Scope {
  variables: ReadonlyMap<string, ResolvedVariable>;
  /** Built-ins for this query (`__interval`, …) and any scoped values, substituted raw. */
  builtins?: Readonly<Record<string, string>>;
}

/** The values a variable stands for now: All becomes the custom all value or every option. */
function selectedValues(v: ResolvedVariable): { values: string[]; isCustomAll: boolean } {
  if (v.selected.includes(allValue)) {
    if (v.customAll !== null) return { values: [v.customAll], isCustomAll: true };
    return { values: v.options.filter((o) => o.value !== allValue).map((o) => o.value), isCustomAll: false };
  }
  return { values: v.selected, isCustomAll: false };
}

/**
 * Replaces variable references in `text`. Unknown names stay as written (Grafana leaves them).
 * `promql` uses the Prometheus data source's escaping when no format is given; `text` (titles,
 * legends, Markdown) uses the values as they are, joined with `, ` for several (Grafana's text
 * for multi-value in titles is `a + b`, its value `a,b`; values are what queries need).
 */
export function interpolate(text: string, scope: Scope, target: InterpolationTarget = 'promql'): string {
  if (!text.includes('$') && !text.includes('[[')) return text;
  return text.replace(variableRe, (whole, n1?: string, n2?: string, f2?: string, n3?: string, field?: string, f3?: string) => {
    const name = n1 ?? n2 ?? n3 ?? '';
    const fmt = f2 ?? f3;
    const builtin = scope.builtins?.[name];
    if (builtin !== undefined) return builtin;
    const v = scope.variables.get(name);
    if (v === undefined) return whole;
    const { values, isCustomAll } = selectedValues(v);
    if (field === 'text') return values.map((val) => v.options.find((o) => o.value === val)?.text ?? val).join(' + ');
    // Grafana sends a custom All value as written unless the format is text or percentencode.
    if (isCustomAll && fmt !== 'text' && fmt !== 'percentencode') return values[0]!;
    if (fmt === 'text') return values.map((val) => v.options.find((o) => o.value === val)?.text ?? val).join(' + ');
    if (fmt !== undefined) {
      const f = formats[fmt.split(':')[0]!];
      if (f) return f(values, v);
      return formats.raw!(values, v);
    }
    return target === 'promql' ? promDefault(values, v) : values.join(', ');
  });
}

// ---------------------------------------------------------------------------------------------
// Query variables: Grafana's Prometheus metricFindQuery helpers

export type VariableQuery =
  | { kind: 'label_names'; match: string | null }
  | { kind: 'label_values'; label: string; match: string | null }
  | { kind: 'metrics'; regex: string }
  | { kind: 'query_result'; expr: string };

/** Parses a Prometheus variable query as Grafana's metric_find_query recognises it. */
export function parseVariableQuery(query: string): VariableQuery {
  const q = query.trim();
  let m = /^label_names\(\s*(.*?)\s*\)$/s.exec(q);
  if (m) return { kind: 'label_names', match: m[1] ? m[1] : null };
  m = /^label_values\((?:(.+),\s*)?([a-zA-Z_$][\w$]*)\s*\)$/s.exec(q);
  if (m) return { kind: 'label_values', label: m[2]!, match: m[1] !== undefined ? m[1].trim() : null };
  m = /^metrics\((.+)\)$/s.exec(q);
  if (m) return { kind: 'metrics', regex: m[1]!.trim() };
  m = /^query_result\((.+)\)$/s.exec(q);
  if (m) return { kind: 'query_result', expr: m[1]! };
  // Grafana runs anything else as a query_result.
  return { kind: 'query_result', expr: q };
}

/** Engine reads a query variable needs (implemented over the contract channels). */
/**
 * Where a variable's reads go. `source` is a remote data source's uid (the variable's datasource),
 * undefined for Vigil's engine.
 */
export interface VariableSource {
  labelNames(match: string | null, fromMs: number, toMs: number, source: string | undefined): Promise<string[]>;
  labelValues(label: string, match: string | null, fromMs: number, toMs: number, source: string | undefined): Promise<string[]>;
  /** An instant query at `timeMs`, each result as Grafana's text: `name{a="b",c="d"} value ts`. */
  queryResult(expr: string, timeMs: number, source: string | undefined): Promise<string[]>;
  /** The data sources a `datasource` variable offers: text the name, value the uid (Vigil's engine first). */
  dataSources(): Promise<VariableOption[]>;
}

/**
 * The remote data source a datasource reference names once variables are substituted (`{uid:
 * "$ds"}` with a datasource variable), or undefined for Vigil's engine: absent references, bare
 * names (Grafana before 7.5), Grafana's built-ins (`-- Mixed --`), other plugin types and the
 * engine's own uid all stay on the engine.
 */
export function datasourceUid(ref: unknown, scope: Scope): string | undefined {
  if (ref === null || typeof ref !== 'object') return undefined;
  const r = ref as { type?: unknown; uid?: unknown };
  if ((r.type ?? 'prometheus') !== 'prometheus' || typeof r.uid !== 'string') return undefined;
  const uid = interpolate(r.uid, scope, 'text');
  if (uid === '' || uid === vigilDatasource.uid || uid.startsWith('$') || uid.startsWith('-- ')) return undefined;
  return uid;
}

/** Grafana's text for one instant vector sample in a query_result variable. */
export function queryResultText(labels: Readonly<Record<string, string>>, value: string, timeMs: number): string {
  const name = labels['__name__'] ?? '';
  const rest = Object.entries(labels)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `${name}{${rest}} ${value} ${timeMs}`;
}

/**
 * A variable's `regex` applied to option texts as Grafana does: no match drops the option; the
 * first capture group (or the named groups `text` / `value`) becomes the option. Patterns are
 * matched by RE2 (linear time), so an imported dashboard cannot freeze the page.
 */
export function applyVariableRegex(texts: readonly string[], regex: string): VariableOption[] {
  if (regex === '') return texts.map((t) => ({ text: t, value: t }));
  const re = grafanaRegex(regex);
  const out: VariableOption[] = [];
  const seen = new Set<string>();
  for (const t of texts) {
    const match = re.exec(t);
    if (match === null) continue;
    const named = { text: match.group('text'), value: match.group('value') };
    let opt: VariableOption;
    if (named.text !== undefined || named.value !== undefined) opt = { text: named.text ?? named.value!, value: named.value ?? named.text! };
    else {
      const v = match.group(1) ?? match.group(0)!;
      opt = { text: v, value: v };
    }
    if (seen.has(opt.value)) continue;
    seen.add(opt.value);
    out.push(opt);
  }
  return out;
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
}

function firstNumber(s: string): number {
  const m = /.*?(\d+).*/.exec(s);
  return m ? parseInt(m[1]!, 10) : -1;
}

/**
 * Grafana's variable sort: 0 none, 1/2 alphabetical asc/desc, 3/4 numerical (first number in
 * the text) asc/desc, 5/6 alphabetical case-insensitive asc/desc, 7/8 natural asc/desc.
 */
export function sortOptions(options: readonly VariableOption[], sort: number | undefined): VariableOption[] {
  const out = [...options];
  const by = (f: (a: VariableOption, b: VariableOption) => number, desc: boolean) => out.sort((a, b) => (desc ? -f(a, b) : f(a, b)));
  switch (sort) {
    case 1:
    case 2:
      return by((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0), sort === 2);
    case 3:
    case 4:
      return by((a, b) => firstNumber(a.text) - firstNumber(b.text), sort === 4);
    case 5:
    case 6:
      return by((a, b) => {
        const x = a.text.toLowerCase();
        const y = b.text.toLowerCase();
        return x < y ? -1 : x > y ? 1 : 0;
      }, sort === 6);
    case 7:
    case 8:
      return by((a, b) => naturalCompare(a.text, b.text), sort === 8);
    default:
      return out;
  }
}

/** Grafana's custom variable: comma-separated, `\,` for a literal comma, `text : value` pairs. */
export function parseCustomOptions(query: string): VariableOption[] {
  const parts = query.match(/(?:\\,|[^,])+/g) ?? [];
  return parts.map((raw) => {
    const p = raw.trim().replace(/\\,/g, ',');
    const kv = /^(.+?)\s+:\s+(.+)$/.exec(p);
    return kv ? { text: kv[1]!.trim(), value: kv[2]!.trim() } : { text: p, value: p };
  });
}

// ---------------------------------------------------------------------------------------------
// Resolution

const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);

function queryText(v: VariableModel): string {
  const q = v.query;
  if (typeof q === 'string') return q;
  if (q !== null && typeof q === 'object' && 'query' in q && typeof (q as { query: unknown }).query === 'string') return (q as { query: string }).query;
  return '';
}

/**
 * Dependency order (a variable after every variable its query or regex mentions). A cycle
 * yields an error naming it, and its members resolve to no options.
 */
export function dependencyOrder(defs: readonly VariableModel[]): { order: string[]; loops: Map<string, string> } {
  const deps = variableDependencies(defs);
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const loops = new Map<string, string>();
  const visit = (n: string, path: string[]) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(n)), n];
      const msg = `variable loop: ${cycle.map((c) => `$${c}`).join(' → ')}; change one of these queries so it does not refer back`;
      for (const c of cycle) loops.set(c, msg);
      return;
    }
    state.set(n, 'visiting');
    for (const d of deps.get(n) ?? []) visit(d, [...path, n]);
    state.set(n, 'done');
    order.push(n);
  };
  for (const d of defs) visit(d.name, []);
  return { order, loops };
}

export interface ResolveContext {
  fromMs: number;
  toMs: number;
  source: VariableSource;
  /** Values from the URL (`var-name=value`, repeated for several), which win over the saved ones. */
  urlValues?: Readonly<Record<string, readonly string[]>>;
  /** Values already resolved and still valid (a variable change re-resolves only dependants). */
  previous?: ReadonlyMap<string, ResolvedVariable>;
}

async function optionsOf(v: VariableModel, scope: Scope, ctx: ResolveContext): Promise<VariableOption[]> {
  const q = queryText(v);
  switch (v.type) {
    case 'custom':
      return parseCustomOptions(interpolate(q, scope, 'text'));
    case 'constant':
      return [{ text: q, value: q }];
    case 'datasource': {
      // Vigil's engine and its remote data sources: every one answers PromQL (the query names the plugin type).
      if (q !== '' && q !== 'prometheus') return [];
      const all = await ctx.source.dataSources();
      const regex = interpolate(v.regex ?? '', scope, 'text');
      if (regex === '') return all;
      const re = grafanaRegex(regex);
      return all.filter((o) => re.exec(o.text) !== null);
    }
    case 'textbox': {
      const value = asStrings(v.current?.value)[0] ?? q;
      return [{ text: value, value }];
    }
    case 'interval': {
      const opts = parseCustomOptions(q);
      if (v.auto) {
        const auto = calculateInterval(ctx.toMs - ctx.fromMs, v.auto_count ?? 30, v.auto_min ?? '10s');
        return [{ text: 'auto', value: auto.interval }, ...opts];
      }
      return opts;
    }
    case 'query': {
      const parsed = parseVariableQuery(interpolate(q, scope, 'promql'));
      const source = datasourceUid(v.datasource, scope);
      let texts: string[];
      switch (parsed.kind) {
        case 'label_names':
          texts = await ctx.source.labelNames(parsed.match, ctx.fromMs, ctx.toMs, source);
          break;
        case 'label_values':
          texts = await ctx.source.labelValues(parsed.label, parsed.match, ctx.fromMs, ctx.toMs, source);
          break;
        case 'metrics':
          texts = await ctx.source.labelValues('__name__', `{__name__=~"${parsed.regex}"}`, ctx.fromMs, ctx.toMs, source);
          break;
        case 'query_result':
          texts = await ctx.source.queryResult(parsed.expr, ctx.toMs, source);
          break;
      }
      return sortOptions(applyVariableRegex(texts, interpolate(v.regex ?? '', scope, 'text')), v.sort);
    }
    default:
      throw new Error(`variable type "${v.type}" is not supported (supported: query, custom, constant, interval, textbox, datasource)`);
  }
}

/** What stays selected: the URL's value, else the saved one if still an option, else the first. */
function pickSelection(v: VariableModel, options: VariableOption[], ctx: ResolveContext): string[] {
  const fromUrl = ctx.urlValues?.[v.name];
  const saved = ctx.previous?.get(v.name)?.selected ?? asStrings(v.current?.value);
  const wanted = fromUrl && fromUrl.length > 0 ? [...fromUrl] : saved;
  if (v.type === 'textbox' || v.type === 'constant') return fromUrl && fromUrl.length > 0 ? [fromUrl[0]!] : [options[0]?.value ?? ''];
  if (v.type === 'interval' && v.auto && wanted.includes('auto')) return [options[0]!.value];
  if (v.includeAll && (wanted.includes(allValue) || wanted.includes('All'))) return [allValue];
  const valid = wanted.filter((w) => options.some((o) => o.value === w));
  if (valid.length > 0) return v.multi ? valid : [valid[0]!];
  if (v.includeAll) return [allValue];
  return options.length > 0 ? [options[0]!.value] : [];
}

/**
 * Resolves every variable in dependency order. A query error or a loop is kept on the variable
 * (its `error`); the others still resolve.
 */
export async function resolveVariables(defs: readonly VariableModel[], ctx: ResolveContext): Promise<Map<string, ResolvedVariable>> {
  const { order, loops } = dependencyOrder(defs);
  const byName = new Map(defs.map((d) => [d.name, d]));
  const out = new Map<string, ResolvedVariable>();
  for (const name of order) {
    const v = byName.get(name)!;
    const base: ResolvedVariable = {
      name,
      type: v.type,
      multi: v.multi === true,
      includeAll: v.includeAll === true,
      customAll: v.allValue ? v.allValue : null,
      options: [],
      selected: [],
      error: loops.get(name) ?? null,
    };
    if (base.error === null) {
      try {
        const opts = await optionsOf(v, { variables: out, builtins: rangeBuiltins(ctx.fromMs, ctx.toMs) }, ctx);
        base.options = opts;
        base.selected = pickSelection(v, opts, ctx);
      } catch (err) {
        base.error = `variable $${name}: ${err instanceof RegexSyntaxError ? `regex ${err.message}` : err instanceof Error ? err.message : String(err)}`;
      }
    }
    out.set(name, base);
  }
  return out;
}

/** `$__range*` for a time range (variable queries see these; panels add `$__interval`). */
function rangeBuiltins(fromMs: number, toMs: number): Record<string, string> {
  const rangeS = Math.round((toMs - fromMs) / 1000);
  return { __range: `${rangeS}s`, __range_s: String(rangeS), __range_ms: String(toMs - fromMs) };
}

/** The variables a change of `changed` invalidates: those depending on it, transitively. */
export function dependants(defs: readonly VariableModel[], changed: string): Set<string> {
  const all = variableDependencies(defs);
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const d of defs) {
      if (out.has(d.name)) continue;
      const deps = (all.get(d.name) ?? []).filter((n) => n !== d.name);
      if (deps.includes(changed) || deps.some((x) => out.has(x))) {
        out.add(d.name);
        grew = true;
      }
    }
  }
  return out;
}
