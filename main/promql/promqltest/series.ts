/**
 * Series lines of test scripts: `metric{a="x"} 1+2x3 _ stale 5`. The selector is PromQL series
 * syntax; values use the expanding notation of Prometheus' series descriptions (see
 * ../shared/conformance/FORMAT.md). Native histogram values (`{{…}}`) are reported, not parsed.
 */
import { StaleNaN } from '../../tsdb/interface.js';
import type { Labels } from '../../tsdb/labels.js';
import { normalizeLabels } from '../../tsdb/labels.js';
import { unquoteString } from '../../../app/promql/strings.js';

export interface SeriesValue {
  /** `_`: no sample at this step. */
  readonly omitted: boolean;
  readonly value: number;
}

export interface SeriesLine {
  readonly labels: Labels;
  readonly values: SeriesValue[];
  /** The line uses native histogram notation. */
  readonly histogram: boolean;
}

export class SeriesSyntaxError extends Error {}

const identRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelNameRe = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Reads a quoted string starting at `i`; returns [value, next index]. */
function readQuoted(s: string, i: number): [string, number] {
  const q = s[i]!;
  let j = i + 1;
  while (j < s.length && s[j] !== q) j += s[j] === '\\' && q !== '`' ? 2 : 1;
  if (j >= s.length) throw new SeriesSyntaxError(`unterminated string in ${JSON.stringify(s)}`);
  return [unquoteString(s.slice(i, j + 1)), j + 1];
}

/** Parses the selector part; returns labels and the index where values start. */
export function parseSeriesSelector(s: string): [Labels, number] {
  const pairs: { name: string; value: string }[] = [];
  let i = 0;
  const m = identRe.exec(s);
  if (m) {
    pairs.push({ name: '__name__', value: m[0] });
    i = m[0].length;
  }
  if (s[i] === '{') {
    i++;
    for (;;) {
      while (s[i] === ' ' || s[i] === '\t') i++;
      if (s[i] === '}') {
        i++;
        break;
      }
      let name: string;
      if (s[i] === '"' || s[i] === "'" || s[i] === '`') {
        [name, i] = readQuoted(s, i);
      } else {
        const nm = labelNameRe.exec(s.slice(i));
        if (!nm) throw new SeriesSyntaxError(`bad label name at ${i} in ${JSON.stringify(s)}`);
        name = nm[0];
        i += name.length;
      }
      while (s[i] === ' ' || s[i] === '\t') i++;
      if (s[i] === '=') {
        i++;
        while (s[i] === ' ' || s[i] === '\t') i++;
        let value: string;
        [value, i] = readQuoted(s, i);
        pairs.push({ name, value });
      } else {
        // A lone quoted string inside braces is the metric name (UTF-8 names).
        pairs.push({ name: '__name__', value: name });
      }
      while (s[i] === ' ' || s[i] === '\t') i++;
      if (s[i] === ',') i++;
      else if (s[i] !== '}') throw new SeriesSyntaxError(`expected "," or "}" at ${i} in ${JSON.stringify(s)}`);
    }
  }
  if (i === 0) throw new SeriesSyntaxError(`missing series selector in ${JSON.stringify(s)}`);
  return [normalizeLabels(pairs), i];
}

const num = String.raw`(?:[+-]?(?:Inf|inf|NaN|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))`;
const valueRe = new RegExp(`^(${num})(?:(${num.replace('[+-]?', '[+-]')})?x(\\d+))?$`);

function parseNum(t: string): number {
  const lower = t.toLowerCase();
  if (lower.endsWith('inf')) return lower.startsWith('-') ? -Infinity : Infinity;
  if (lower.endsWith('nan')) return NaN;
  return Number(t);
}

export function parseSeriesValues(text: string): SeriesValue[] {
  const out: SeriesValue[] = [];
  for (const tok of text.split(/[\t ]+/)) {
    if (tok === '') continue;
    if (tok === '_') {
      out.push({ omitted: true, value: 0 });
      continue;
    }
    const blank = /^_x(\d+)$/.exec(tok);
    if (blank) {
      for (let k = 0; k < Number(blank[1]); k++) out.push({ omitted: true, value: 0 });
      continue;
    }
    if (tok === 'stale') {
      out.push({ omitted: false, value: StaleNaN });
      continue;
    }
    const m = valueRe.exec(tok);
    if (!m) throw new SeriesSyntaxError(`bad series value ${JSON.stringify(tok)}`);
    let v = parseNum(m[1]!);
    if (m[3] === undefined) {
      out.push({ omitted: false, value: v });
      continue;
    }
    const times = Number(m[3]);
    const inc = m[2] === undefined ? 0 : parseNum(m[2]);
    out.push({ omitted: false, value: v });
    // Accumulate like Prometheus' parser does, so float rounding matches.
    for (let k = 1; k <= times; k++) {
      if (m[2] !== undefined) v += inc;
      out.push({ omitted: false, value: v });
    }
  }
  return out;
}

export function parseSeriesLine(line: string): SeriesLine {
  const [labels, i] = parseSeriesSelector(line);
  const rest = line.slice(i);
  if (rest.includes('{{')) return { labels, values: [], histogram: true };
  return { labels, values: parseSeriesValues(rest), histogram: false };
}
