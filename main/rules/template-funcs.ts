/**
 * The function table for rule templates: Go's builtins (eq, len, index, printf…) and
 * Prometheus' (humanize*, query, first, label…). One table, name → implementation.
 */
import { formatValue, humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp, sprintf, type SampleValue } from './template-format.js';
import { parseDuration } from '../../app/dialect/duration.js';
import { compileRegex, RegexSyntaxError, type GoRegex } from '../../app/dialect/regex.js';

export type QueryFn = (query: string) => Promise<SampleValue[]>;

export interface FuncContext {
  query: QueryFn | null;
  externalURL: string;
  pathPrefix: string;
}

export type TemplateFunc = (ctx: FuncContext, args: unknown[]) => unknown;

export class TemplateFuncError extends Error {}

/** Go's notion of truth: zero values and empty containers are false. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === 0n || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function toFloat(v: unknown, fn: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    const lower = t.toLowerCase();
    if (['inf', '+inf', 'infinity', '+infinity'].includes(lower)) return Infinity;
    if (['-inf', '-infinity'].includes(lower)) return -Infinity;
    if (lower === 'nan') return NaN;
    const n = t === '' ? NaN : Number(t);
    if (!Number.isNaN(n)) return n;
  }
  throw new TemplateFuncError(`error calling ${fn}: can't convert ${formatValue(v)} to float`);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : formatValue(v);
}

function arity(name: string, args: unknown[], n: number): void {
  if (args.length !== n) throw new TemplateFuncError(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

function isSample(v: unknown): v is SampleValue {
  return typeof v === 'object' && v !== null && 'Labels' in v && 'Value' in v;
}

function sampleArg(name: string, v: unknown): SampleValue {
  if (!isSample(v)) throw new TemplateFuncError(`error calling ${name}: argument is not a query result sample`);
  return v;
}

const isNum = (v: unknown): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';

// Go refuses to compare an int with a float64 (`gt $value 10` fails in Prometheus); we compare
// them numerically instead, which accepts more templates and never changes a valid one's result.
function compare(name: string, a: unknown, b: unknown): number {
  if (isNum(a) && isNum(b)) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateFuncError(`error calling ${name}: incompatible types for comparison`);
}

function basicEq(a: unknown, b: unknown): boolean {
  if (isNum(a) && isNum(b)) return Number(a) === Number(b);
  if ((typeof a === 'object' && a !== null) || (typeof b === 'object' && b !== null)) throw new TemplateFuncError('error calling eq: non-comparable type');
  if (typeof a !== typeof b && a !== null && b !== null && a !== undefined && b !== undefined) throw new TemplateFuncError('error calling eq: incompatible types for comparison');
  return a === b;
}

/** Go's regexp.Compile (unanchored), as text/template's funcs use it; errors name the function. */
function goRegex(pattern: string, fn: string): GoRegex {
  try {
    return compileRegex(pattern, 'unanchored');
  } catch (e) {
    if (!(e instanceof RegexSyntaxError)) throw e;
    throw new TemplateFuncError(`error calling ${fn}: ${e.reason}`);
  }
}

function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function title(s: string): string {
  // strings.Title: upper-case the first letter of each word; letters, digits and _ join words.
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase());
}

function stripPort(hostPort: string): string {
  const m = /^\[([^\]]*)\]:[^:]*$/.exec(hostPort) ?? /^([^:]*):[^:]*$/.exec(hostPort);
  return m?.[1] ?? hostPort;
}

const builtins: Record<string, TemplateFunc> = {
  and: (_c, a) => {
    if (a.length === 0) throw new TemplateFuncError('wrong number of args for and: want at least 1 got 0');
    for (const x of a) if (!truthy(x)) return x;
    return a[a.length - 1];
  },
  or: (_c, a) => {
    if (a.length === 0) throw new TemplateFuncError('wrong number of args for or: want at least 1 got 0');
    for (const x of a) if (truthy(x)) return x;
    return a[a.length - 1];
  },
  not: (_c, a) => (arity('not', a, 1), !truthy(a[0])),
  eq: (_c, a) => {
    if (a.length < 2) throw new TemplateFuncError('missing argument for comparison');
    return a.slice(1).some((b) => basicEq(a[0], b));
  },
  ne: (_c, a) => (arity('ne', a, 2), !basicEq(a[0], a[1])),
  lt: (_c, a) => (arity('lt', a, 2), compare('lt', a[0], a[1]) < 0),
  le: (_c, a) => (arity('le', a, 2), compare('le', a[0], a[1]) <= 0),
  gt: (_c, a) => (arity('gt', a, 2), compare('gt', a[0], a[1]) > 0),
  ge: (_c, a) => (arity('ge', a, 2), compare('ge', a[0], a[1]) >= 0),
  len: (_c, a) => {
    arity('len', a, 1);
    const v = a[0];
    if (typeof v === 'string') return BigInt(Buffer.byteLength(v, 'utf8'));
    if (Array.isArray(v)) return BigInt(v.length);
    if (typeof v === 'object' && v !== null) return BigInt(Object.keys(v).length);
    throw new TemplateFuncError(`error calling len: len of type ${typeof v}`);
  },
  index: (_c, a) => {
    if (a.length < 1) throw new TemplateFuncError('wrong number of args for index: want at least 1 got 0');
    let v: unknown = a[0];
    for (const k of a.slice(1)) {
      if (Array.isArray(v) && isNum(k)) {
        const i = Number(k);
        if (!Number.isInteger(i) || i < 0 || i >= v.length) throw new TemplateFuncError(`error calling index: index out of range: ${String(k)}`);
        v = v[i];
      } else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        const m = v as Record<string, unknown>;
        v = Object.hasOwn(m, str(k)) ? m[str(k)] : Object.values(m).every((x) => typeof x === 'string') ? '' : undefined;
      } else throw new TemplateFuncError(`error calling index: can't index item of type ${typeof v}`);
    }
    return v;
  },
  print: (_c, a) => a.map((x, i) => (i > 0 && typeof x !== 'string' && typeof a[i - 1] !== 'string' ? ' ' : '') + formatValue(x)).join(''),
  println: (_c, a) => a.map((x) => formatValue(x)).join(' ') + '\n',
  printf: (_c, a) => {
    if (a.length < 1 || typeof a[0] !== 'string') throw new TemplateFuncError('error calling printf: format must be a string');
    return sprintf(a[0], a.slice(1));
  },
  html: (_c, a) => a.map(str).join('').replace(/[&<>"'\0]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;', '\0': '\uFFFD' })[c] ?? c),
  urlquery: (_c, a) => queryEscape(a.map(str).join('')),
  js: (_c, a) => JSON.stringify(a.map(str).join('')).slice(1, -1).replace(/'/g, "\\'").replace(/</g, '\\u003C').replace(/>/g, '\\u003E'),
  call: () => {
    throw new TemplateFuncError('call is not supported in rule templates');
  },
};

const prometheus: Record<string, TemplateFunc> = {
  query: () => {
    throw new TemplateFuncError('query is asynchronous and handled by the executor');
  },
  first: (_c, a) => {
    arity('first', a, 1);
    const v = a[0];
    if (!Array.isArray(v) || v.length === 0) throw new TemplateFuncError('error calling first: first() called on vector with no elements');
    return v[0];
  },
  label: (_c, a) => (arity('label', a, 2), sampleArg('label', a[1]).Labels[str(a[0])] ?? ''),
  value: (_c, a) => (arity('value', a, 1), sampleArg('value', a[0]).Value),
  strvalue: (_c, a) => (arity('strvalue', a, 1), sampleArg('strvalue', a[0]).Labels['__value__'] ?? ''),
  sortByLabel: (_c, a) => {
    arity('sortByLabel', a, 2);
    const name = str(a[0]);
    if (!Array.isArray(a[1])) throw new TemplateFuncError('error calling sortByLabel: argument is not a query result');
    return [...(a[1] as SampleValue[])].sort((x, y) => {
      const p = x.Labels[name] ?? '';
      const q = y.Labels[name] ?? '';
      return p < q ? -1 : p > q ? 1 : 0;
    });
  },
  humanize: (_c, a) => (arity('humanize', a, 1), humanize(toFloat(a[0], 'humanize'))),
  humanize1024: (_c, a) => (arity('humanize1024', a, 1), humanize1024(toFloat(a[0], 'humanize1024'))),
  humanizeDuration: (_c, a) => (arity('humanizeDuration', a, 1), humanizeDuration(toFloat(a[0], 'humanizeDuration'))),
  humanizePercentage: (_c, a) => (arity('humanizePercentage', a, 1), humanizePercentage(toFloat(a[0], 'humanizePercentage'))),
  humanizeTimestamp: (_c, a) => (arity('humanizeTimestamp', a, 1), humanizeTimestamp(toFloat(a[0], 'humanizeTimestamp'))),
  toUpper: (_c, a) => (arity('toUpper', a, 1), str(a[0]).toUpperCase()),
  toLower: (_c, a) => (arity('toLower', a, 1), str(a[0]).toLowerCase()),
  title: (_c, a) => (arity('title', a, 1), title(str(a[0]))),
  match: (_c, a) => (arity('match', a, 2), goRegex(str(a[0]), 'match').test(str(a[1]))),
  reReplaceAll: (_c, a) => (arity('reReplaceAll', a, 3), goRegex(str(a[0]), 'reReplaceAll').replaceAll(str(a[2]), str(a[1]))),
  stripPort: (_c, a) => (arity('stripPort', a, 1), stripPort(str(a[0]))),
  args: (_c, a) => Object.fromEntries(a.map((v, i) => [`arg${i}`, v])),
  safeHtml: (_c, a) => (arity('safeHtml', a, 1), str(a[0])),
  graphLink: (c, a) => (arity('graphLink', a, 1), `${c.pathPrefix}/graph?g0.expr=${queryEscape(str(a[0]))}&g0.tab=0`),
  tableLink: (c, a) => (arity('tableLink', a, 1), `${c.pathPrefix}/graph?g0.expr=${queryEscape(str(a[0]))}&g0.tab=1`),
  pathPrefix: (c) => c.pathPrefix,
  externalURL: (c) => c.externalURL,
  parseDuration: (_c, a) => {
    arity('parseDuration', a, 1);
    try {
      return parseDuration(str(a[0])) / 1000;
    } catch (e) {
      throw new TemplateFuncError(`error calling parseDuration: ${(e as Error).message}`);
    }
  },
};

export const templateFuncs: Readonly<Record<string, TemplateFunc>> = { ...builtins, ...prometheus };
