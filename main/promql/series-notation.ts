/**
 * promtool's series notation, as Prometheus' parser reads it (promql/parser generated_parser.y,
 * `series_description`): a selector with exact labels, `metric{a="x"}`, then values such as
 * `1 2 3`, `1+2x3` (1 3 5 7), `5-1x2` (5 4 3), `7x2` (7 7 7), `_` (no sample), `_x3` (three
 * gaps), `stale` (the staleness marker). Native histograms are written
 * `{{schema:0 count:4 sum:5 z_bucket:1 z_bucket_w:0.001 buckets:[1 2] offset:0 n_buckets:[1]
 * n_offset:0 custom_values:[5 10] counter_reset_hint:gauge}}` (every field optional), repeated as
 * `{{…}}x3` or grown as `{{base}}+{{increment}}x3` (or `-`). The one expander for PromQL test
 * scripts, rule unit-test files and the fire drill.
 */
import { StringSyntaxError, unquoteString } from '../../app/promql/strings.js';
import { StaleNaN } from '../tsdb/interface.js';
import type { CounterResetHint, HistogramBucket, NativeHistogram } from '../tsdb/interface.js';
import { combineHistograms, customBucketsSchema, newNotes } from './histogram.js';
import { normalizeLabels, type Label, type Labels } from '../tsdb/labels.js';

/** One step of a series, Prometheus' SequenceValue: a value, or omitted (`_`). Stale is StaleNaN. */
export interface SequenceValue {
  readonly omitted: boolean;
  readonly value: number;
  /** A native histogram sample (then `value` is 0). */
  readonly histogram?: NativeHistogram;
}

export interface SeriesLine {
  readonly labels: Labels;
  readonly values: SequenceValue[];
  /** Some value of the line is a native histogram. */
  readonly histogram: boolean;
}

export class SeriesNotationError extends Error {
  override readonly name = 'SeriesNotationError';
}

/** A series may expand to at most this many steps (`1+1x99999999` is refused, not allocated). */
export const maxExpandedValues = 1_000_000;

const omitted: SequenceValue = { omitted: true, value: 0 };
const metricNameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelNameRe = /^[a-zA-Z_][a-zA-Z0-9_]*/;

// Numbers as the series lexer reads them: decimal with exponent, Inf, NaN. No hex: `0x3` is 0 three more times.
const num = String.raw`(?:[+-]?(?:Inf|inf|NaN|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))`;
const valueRe = new RegExp(`^(${num})(?:(${num.replace('[+-]?', '[+-]')})?x(\\d+))?$`);

function parseNum(t: string): number {
  const lower = t.toLowerCase();
  if (lower.endsWith('inf')) return lower.startsWith('-') ? -Infinity : Infinity;
  if (lower.endsWith('nan')) return NaN;
  return Number(t);
}

/**
 * Expands series values. `a+bxN` is built by repeated addition, as Prometheus does
 * (`$1 += $2` in the parser), so `0.1+0.1x10` ends at 1.0999999999999999, not 1.1.
 */
export function expandSeriesValues(text: string): SequenceValue[] {
  const out: SequenceValue[] = [];
  const room = (n: number, tok: string): void => {
    if (out.length + n > maxExpandedValues) throw new SeriesNotationError(`${JSON.stringify(tok)} expands the series to more than ${maxExpandedValues} values`);
  };
  for (const tok of tokens(text)) {
    if (tok.startsWith('{{')) {
      const hs = expandHistogramToken(tok);
      room(hs.length, tok);
      for (const h of hs) out.push({ omitted: false, value: 0, histogram: h });
      continue;
    }
    if (tok === '_' || tok === 'stale') {
      out.push(tok === '_' ? omitted : { omitted: false, value: StaleNaN });
      continue;
    }
    const blank = /^_x(\d+)$/.exec(tok);
    if (blank !== null) {
      const n = Number(blank[1]);
      room(n, tok);
      for (let k = 0; k < n; k++) out.push(omitted);
      continue;
    }
    const m = valueRe.exec(tok);
    if (m === null) throw new SeriesNotationError(`invalid value ${JSON.stringify(tok)}: expected a number, _, _xN, stale, axN or a+bxN`);
    let v = parseNum(m[1]!);
    if (m[3] === undefined) {
      out.push({ omitted: false, value: v });
      continue;
    }
    const n = Number(m[3]);
    room(n + 1, tok);
    const inc = m[2] === undefined ? 0 : parseNum(m[2]);
    // N+1 values: one for time 0 and N more, as in Prometheus.
    for (let k = 0; k <= n; k++) {
      out.push({ omitted: false, value: v });
      v += inc;
    }
  }
  return out;
}

/** Splits on blanks, keeping `{{…}}` groups (which contain blanks) and their suffixes whole. */
function tokens(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (i >= text.length) break;
    let j = i;
    while (j < text.length && text[j] !== ' ' && text[j] !== '\t') {
      if (text.startsWith('{{', j)) {
        const end = text.indexOf('}}', j);
        if (end < 0) throw new SeriesNotationError(`unterminated histogram ${JSON.stringify(text.slice(j))}: expected }}`);
        j = end + 2;
      } else j++;
    }
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

const histFieldRe = /([a-z_]+):(\[[^\]]*\]|\S+)/g;
const hints: Readonly<Record<string, CounterResetHint>> = { unknown: 'unknown', reset: 'reset', not_reset: 'not_reset', gauge: 'gauge' };

function numList(field: string, text: string): number[] {
  const body = text.slice(1, -1).trim();
  if (body === '') return [];
  return body.split(/[\t ]+/).map((t) => {
    if (!new RegExp(`^${num}$`).test(t)) throw new SeriesNotationError(`invalid number ${JSON.stringify(t)} in histogram field ${field}`);
    return parseNum(t);
  });
}

/** One `{{…}}` histogram description. */
function parseHistogram(text: string): NativeHistogram {
  const body = text.slice(2, -2);
  const fields = new Map<string, string>();
  let rest = body;
  for (const m of body.matchAll(histFieldRe)) {
    if (fields.has(m[1]!)) throw new SeriesNotationError(`duplicate histogram field ${m[1]!} in ${text}`);
    fields.set(m[1]!, m[2]!);
    rest = rest.replace(m[0], '');
  }
  if (rest.trim() !== '') throw new SeriesNotationError(`unexpected ${JSON.stringify(rest.trim())} in histogram ${text}`);
  const scalar = (name: string, dflt: number): number => {
    const t = fields.get(name);
    if (t === undefined) return dflt;
    if (!new RegExp(`^${num}$`).test(t)) throw new SeriesNotationError(`invalid number ${JSON.stringify(t)} for histogram field ${name}`);
    return parseNum(t);
  };
  const list = (name: string): number[] => {
    const t = fields.get(name);
    if (t === undefined) return [];
    if (!t.startsWith('[')) throw new SeriesNotationError(`histogram field ${name} takes a list such as [1 2]`);
    return numList(name, t);
  };
  const known = new Set(['schema', 'sum', 'count', 'z_bucket', 'z_bucket_w', 'buckets', 'offset', 'n_buckets', 'n_offset', 'custom_values', 'counter_reset_hint']);
  for (const k of fields.keys()) if (!known.has(k)) throw new SeriesNotationError(`unknown histogram field ${k} in ${text}`);
  const schema = scalar('schema', 0);
  if (!Number.isInteger(schema) || (schema !== customBucketsSchema && (schema < -4 || schema > 8))) throw new SeriesNotationError(`invalid histogram schema ${schema}: expected -4…8 or -53 (custom buckets)`);
  const buckets = (counts: number[], offset: number): HistogramBucket[] => counts.map((count, k) => ({ index: offset + k, count }));
  const hintText = fields.get('counter_reset_hint') ?? 'unknown';
  const hint = hints[hintText];
  if (hint === undefined) throw new SeriesNotationError(`invalid counter_reset_hint ${JSON.stringify(hintText)}: expected unknown, reset, not_reset or gauge`);
  return {
    schema,
    zeroThreshold: scalar('z_bucket_w', 0),
    zeroCount: scalar('z_bucket', 0),
    count: scalar('count', 0),
    sum: scalar('sum', 0),
    positive: buckets(list('buckets'), scalar('offset', 0)),
    negative: buckets(list('n_buckets'), scalar('n_offset', 0)),
    customValues: list('custom_values'),
    counterResetHint: hint,
  };
}

/** `{{a}}`, `{{a}}xN` (N+1 copies) or `{{a}}+{{b}}xN` / `{{a}}-{{b}}xN` (a, a±b, … N+1 values). */
function expandHistogramToken(tok: string): NativeHistogram[] {
  const m = /^(\{\{[^}]*\}\})(?:(?:([+-])(\{\{[^}]*\}\}))?x(\d+))?$/.exec(tok);
  if (m === null) throw new SeriesNotationError(`invalid histogram value ${JSON.stringify(tok)}: expected {{…}}, {{…}}xN or {{…}}+{{…}}xN`);
  const base = parseHistogram(m[1]!);
  if (m[4] === undefined) return [base];
  const n = Number(m[4]);
  if (n > maxExpandedValues) throw new SeriesNotationError(`${JSON.stringify(tok)} expands the series to more than ${maxExpandedValues} values`);
  const out = [base];
  if (m[3] === undefined) {
    for (let k = 0; k < n; k++) out.push(base);
    return out;
  }
  const inc = parseHistogram(m[3]);
  let cur = base;
  for (let k = 0; k < n; k++) {
    if (cur.schema > inc.schema && inc.schema !== customBucketsSchema) throw new SeriesNotationError(`error combining histograms: cannot merge from schema ${inc.schema} to ${cur.schema}`);
    cur = combineHistograms(cur, inc, m[2] === '-' ? -1 : 1, newNotes());
    out.push(cur);
  }
  return out;
}

/** Reads a quoted string (Go escapes) starting at `i`; returns the value and the index after it. */
function readQuoted(s: string, i: number): [string, number] {
  const q = s[i]!;
  let j = i + 1;
  while (j < s.length && s[j] !== q) j += s[j] === '\\' && q !== '`' ? 2 : 1;
  if (j >= s.length) throw new SeriesNotationError(`unterminated string at position ${i + 1} in ${JSON.stringify(s)}`);
  try {
    return [unquoteString(s.slice(i, j + 1)), j + 1];
  } catch (e) {
    if (e instanceof StringSyntaxError) throw new SeriesNotationError(`${e.message} at position ${i + 1} in ${JSON.stringify(s)}`);
    throw e;
  }
}

const isQuote = (c: string | undefined): boolean => c === '"' || c === "'" || c === '`';

/** Reads `metric{a="x", "utf8.name"}` from the start of `s`; returns the labels and where the selector ends. */
function readSelector(s: string): [Labels, number] {
  const where = (i: number): string => `at position ${i + 1} in ${JSON.stringify(s)}`;
  const pairs: Label[] = [];
  let i = 0;
  const name = metricNameRe.exec(s);
  if (name !== null) {
    pairs.push({ name: '__name__', value: name[0] });
    i = name[0].length;
  }
  const ws = (): void => {
    while (s[i] === ' ' || s[i] === '\t') i++;
  };
  if (s[i] === '{') {
    i++;
    for (;;) {
      ws();
      if (s[i] === '}') {
        i++;
        break;
      }
      let label: string;
      if (isQuote(s[i])) {
        [label, i] = readQuoted(s, i);
      } else {
        const ln = labelNameRe.exec(s.slice(i));
        if (ln === null) throw new SeriesNotationError(`expected a label name ${where(i)}`);
        label = ln[0];
        i += label.length;
      }
      ws();
      if (s[i] === '=' && s[i + 1] !== '~') {
        i++;
        ws();
        if (!isQuote(s[i])) throw new SeriesNotationError(`expected a quoted value for ${label} ${where(i)}`);
        let value: string;
        [value, i] = readQuoted(s, i);
        pairs.push({ name: label, value });
      } else if (s[i] === '!' || s[i] === '=') {
        throw new SeriesNotationError(`series take exact labels only (label="value"), not a matcher, ${where(i)}`);
      } else {
        // A lone quoted string inside braces is the metric name (UTF-8 names).
        pairs.push({ name: '__name__', value: label });
      }
      ws();
      if (s[i] === ',') i++;
      else if (s[i] !== '}') throw new SeriesNotationError(`expected "," or "}" ${where(i)}`);
    }
  }
  if (i === 0) throw new SeriesNotationError(`expected a series such as metric{label="value"}, got ${JSON.stringify(s)}`);
  return [normalizeLabels(pairs), i];
}

/** The labels of a series selector such as `up{job="node"}` or `{__name__="up"}`; nothing may follow it. */
export function parseSeriesSelector(text: string): Labels {
  const s = text.trim();
  const [labels, end] = readSelector(s);
  if (end !== s.length) throw new SeriesNotationError(`unexpected text after the series at position ${end + 1} in ${JSON.stringify(s)}`);
  return labels;
}

/** A load line of a test script: `metric{a="x"} 1+2x3 _ stale`. */
export function parseSeriesLine(line: string): SeriesLine {
  const s = line.trim();
  const [labels, i] = readSelector(s);
  const values = expandSeriesValues(s.slice(i));
  return { labels, values, histogram: values.some((v) => v.histogram !== undefined) };
}
