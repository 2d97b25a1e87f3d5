/**
 * `promtool check metrics` over one page, for the Targets page lint view: the rules and wording
 * of client_golang's promlint as shipped in Prometheus 2.42, problems sorted by metric then text
 * (duplicates kept, as promtool prints them). Families are grouped the way expfmt groups them.
 */
import { ExpositionParseError, createParser, formatOf, type MetricTypeName } from './parse/parser.js';

export interface LintProblem {
  /** The family name, as promtool prints it. */
  metric: string;
  text: string;
  /** Line of the family's first entry, for jumping to it in the page. */
  line: number;
}

export interface LintResult {
  problems: LintProblem[];
  /** Set when the page does not parse; problems then cover the part before the error. */
  error?: string;
}

interface Family {
  name: string;
  type: MetricTypeName;
  hasHelp: boolean;
  line: number;
  labelNames: string[][];
}

type Rule = (f: Family, openMetrics: boolean) => string[];

// Units and prefixes of promlint: base units, and non-base units with their base.
const units: Readonly<Record<string, string>> = {
  amperes: 'amperes', bytes: 'bytes', celsius: 'celsius', grams: 'grams', joules: 'joules', kelvin: 'kelvin',
  meters: 'meters', metres: 'metres', seconds: 'seconds', volts: 'volts',
  minutes: 'seconds', hours: 'seconds', days: 'seconds', weeks: 'seconds',
  kelvins: 'kelvin', fahrenheit: 'celsius', rankine: 'celsius',
  inches: 'meters', yards: 'meters', miles: 'meters',
  bits: 'bytes', calories: 'joules', pounds: 'grams', ounces: 'grams',
};
const unitPrefixes = [
  'pico', 'nano', 'micro', 'milli', 'centi', 'deci', 'deca', 'hecto', 'kilo', 'kibi', 'mega', 'mibi', 'giga', 'gibi',
  'tera', 'tebi', 'peta', 'pebi',
];
const unitAbbreviations = ['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd'];
const camelCase = /[a-z][A-Z]/;

function metricUnit(name: string): { unit: string; base: string } | null {
  for (const part of name.split('_')) {
    const base = units[part];
    if (base !== undefined) return { unit: part, base };
    for (const p of unitPrefixes) {
      const b = part.startsWith(p) ? units[part.slice(p.length)] : undefined;
      if (b !== undefined) return { unit: part, base: b };
    }
  }
  return null;
}

const hasPart = (name: string, part: string) => name.includes(`_${part}_`) || name.endsWith(`_${part}`);

/** promlint's rules, in its order; each returns problem texts. */
const rules: readonly Rule[] = [
  (f) => (f.hasHelp ? [] : ['no help text']),
  (f) => {
    const u = metricUnit(f.name);
    return u === null || u.unit === u.base ? [] : [`use base unit "${u.base}" instead of "${u.unit}"`];
  },
  (f, om) => {
    const total = f.name.endsWith('_total');
    // OpenMetrics names counter families without `_total`; its samples carry it by spec.
    if (f.type === 'counter' && !total && !om) return ['counter metrics should have "_total" suffix'];
    if (f.type !== 'untyped' && f.type !== 'unknown' && f.type !== 'counter' && total) return ['non-counter metrics should not have "_total" suffix'];
    return [];
  },
  (f) => {
    if (f.type === 'untyped' || f.type === 'unknown') return [];
    const histogram = f.type === 'histogram';
    const summary = f.type === 'summary';
    const out: string[] = [];
    if (!histogram && f.name.endsWith('_bucket')) out.push('non-histogram metrics should not have "_bucket" suffix');
    if (!histogram && !summary && f.name.endsWith('_count')) out.push('non-histogram and non-summary metrics should not have "_count" suffix');
    if (!histogram && !summary && f.name.endsWith('_sum')) out.push('non-histogram and non-summary metrics should not have "_sum" suffix');
    for (const names of f.labelNames) {
      for (const n of names) {
        if (!histogram && n === 'le') out.push('non-histogram metrics should not have "le" label');
        if (!summary && n === 'quantile') out.push('non-summary metrics should not have "quantile" label');
      }
    }
    return out;
  },
  (f) => {
    if (f.type === 'untyped' || f.type === 'unknown') return [];
    return hasPart(f.name.toLowerCase(), f.type) ? [`metric name should not include type '${f.type}'`] : [];
  },
  (f) => (f.name.includes(':') ? ["metric names should not contain ':'"] : []),
  (f) => {
    const out: string[] = [];
    if (camelCase.test(f.name)) out.push("metric names should be written in 'snake_case' not 'camelCase'");
    for (const names of f.labelNames) {
      for (const n of names) if (camelCase.test(n)) out.push("label names should be written in 'snake_case' not 'camelCase'");
    }
    return out;
  },
  (f) => {
    const n = f.name.toLowerCase();
    return unitAbbreviations.filter((a) => hasPart(n, a)).map(() => 'metric names should not contain abbreviated units');
  },
];

/** Sample-name suffixes that belong to a family of the given type (expfmt's grouping). */
const memberSuffixes: Partial<Record<MetricTypeName, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['_sum', '_count', '_created'],
  counter: ['_total', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  info: ['_info'],
};

function familyOf(families: Map<string, Family>, sample: string, line: number): Family {
  const exact = families.get(sample);
  if (exact !== undefined) return exact;
  for (const [type, suffixes] of Object.entries(memberSuffixes)) {
    for (const s of suffixes) {
      if (!sample.endsWith(s)) continue;
      const f = families.get(sample.slice(0, -s.length));
      if (f !== undefined && f.type === type) return f;
    }
  }
  const f: Family = { name: sample, type: 'untyped', hasHelp: false, line, labelNames: [] };
  families.set(sample, f);
  return f;
}

export function lintPage(body: Uint8Array, contentType = 'text/plain; version=0.0.4'): LintResult {
  const om = formatOf(contentType) === 'openmetrics';
  const p = createParser(body, contentType);
  const families = new Map<string, Family>();
  const meta = (name: string): Family => {
    let f = families.get(name);
    if (f === undefined) families.set(name, (f = { name, type: om ? 'unknown' : 'untyped', hasHelp: false, line: p.line(), labelNames: [] }));
    return f;
  };
  let error: string | undefined;
  try {
    for (let k = p.next(); k !== 'eof'; k = p.next()) {
      if (k === 'help') meta(p.help().name).hasHelp = true;
      else if (k === 'type') meta(p.metricType().name).type = p.metricType().type;
      else if (k === 'series') {
        const f = familyOf(families, p.metricName(), p.line());
        f.labelNames.push(p.labels().map((l) => l.name).filter((n) => n !== '__name__'));
      }
    }
  } catch (err) {
    if (!(err instanceof ExpositionParseError)) throw err;
    error = err.message;
  }
  const problems: LintProblem[] = [];
  for (const f of families.values()) {
    for (const rule of rules) for (const text of rule(f, om)) problems.push({ metric: f.name, text, line: f.line });
  }
  problems.sort((a, b) => (a.metric === b.metric ? cmp(a.text, b.text) : cmp(a.metric, b.metric)));
  return error === undefined ? { problems } : { problems, error };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** promtool's output lines: `<metric> <text>`. */
export function formatLintProblems(problems: readonly LintProblem[]): string {
  return problems.map((p) => `${p.metric} ${p.text}\n`).join('');
}
