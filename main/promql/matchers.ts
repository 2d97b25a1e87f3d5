/**
 * Label matchers with Prometheus semantics: regexes are anchored at both ends and `.` matches
 * newlines; a matcher on an absent label sees the empty string (so `x=""` matches series
 * without `x`). Compiled regexes are cached because the same selector runs for every query.
 */
import type { LabelMatcher } from '../../app/promql/ast.js';
import type { Labels } from '../tsdb/labels.js';
import { getLabel } from '../tsdb/labels.js';
import { QueryExecutionError } from './errors.js';

const regexCache = new Map<string, RegExp>();

export function anchoredRegex(source: string): RegExp {
  let re = regexCache.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${goRegexToJs(source)})$`, 'su');
    } catch (e) {
      throw new QueryExecutionError(`invalid regular expression ${JSON.stringify(source)} in label matcher: ${(e as Error).message}`);
    }
    if (regexCache.size > 10_000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

export function matchValue(m: LabelMatcher, value: string): boolean {
  switch (m.type) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return anchoredRegex(m.value).test(value);
    case '!~':
      return !anchoredRegex(m.value).test(value);
  }
}

export function matchesAll(matchers: readonly LabelMatcher[], labels: Labels): boolean {
  for (const m of matchers) if (!matchValue(m, getLabel(labels, m.name))) return false;
  return true;
}

const syntaxChars = new Set('^$\\.*+?()[]{}|/'.split(''));
const posixClasses: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

const isLetter = (c: string): boolean => c.toLowerCase() !== c.toUpperCase();

/**
 * Translates Go RE2 syntax to a JS (`u` mode) pattern: `(?P<n>` groups, inline flags `(?i)` and
 * `(?i:…)` (Node 20 lacks regexp modifiers, so letters become `[xX]`), POSIX classes, and
 * escaped punctuation that `u` mode would reject.
 */
export function goRegexToJs(src: string): string {
  let out = '';
  const stack: boolean[] = [];
  let ci = false;
  const escapeIn = (c: string): string => (syntaxChars.has(c) || c === '-' ? `\\${c}` : `\\u{${c.codePointAt(0)!.toString(16)}}`);
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const d = src[i + 1] ?? '';
      i++;
      if (d === 'z') out += '$';
      else if ((d === 'p' || d === 'P') && src[i + 1] !== '{' && src[i + 1] !== undefined) out += `\\${d}{${src[++i]!}}`;
      else if (d === 'A') out += '^';
      else if (/[0-9A-Za-z]/.test(d)) out += `\\${d}`;
      else if (d !== '') out += syntaxChars.has(d) ? `\\${d}` : escapeIn(d);
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      let cls = '[';
      if (src[j] === '^') cls += src[j++];
      if (src[j] === ']') {
        cls += '\\]';
        j++;
      }
      const extra: string[] = [];
      for (; j < src.length && src[j] !== ']'; j++) {
        const ch = src[j]!;
        if (ch === '[' && src[j + 1] === ':') {
          const end = src.indexOf(':]', j + 2);
          const name = end > 0 ? src.slice(j + 2, end) : '';
          const neg = name.startsWith('^');
          const body = posixClasses[neg ? name.slice(1) : name];
          if (body !== undefined && !neg) {
            cls += body;
            j = end + 1;
            continue;
          }
        }
        if (ch === '\\') {
          const d = src[++j] ?? '';
          cls += /[0-9A-Za-z]/.test(d) ? `\\${d}` : escapeIn(d);
          continue;
        }
        if (ch === '[' || ch === '/' || ch === '{' || ch === '}' || ch === '(' || ch === ')' || ch === '|') {
          cls += `\\${ch}`;
          continue;
        }
        cls += ch;
        if (ci && isLetter(ch)) {
          if (src[j + 1] === '-' && src[j + 2] !== undefined && src[j + 2] !== ']' && isLetter(src[j + 2]!)) {
            const hi = src[j + 2]!;
            extra.push(swapCase(ch) + '-' + swapCase(hi));
          } else if (src[j - 1] !== '-') {
            extra.push(swapCase(ch));
          }
        }
      }
      out += cls + extra.join('') + ']';
      i = j;
      continue;
    }
    if (c === '(') {
      const flags = /^\(\?([imsU]+)(:|\))/.exec(src.slice(i));
      if (flags) {
        const hasI = flags[1]!.includes('i');
        if (flags[2] === ')') {
          if (hasI) ci = true;
          i += flags[0].length - 1;
          continue;
        }
        stack.push(ci);
        if (hasI) ci = true;
        out += '(?:';
        i += flags[0].length - 1;
        continue;
      }
      stack.push(ci);
      if (src.startsWith('(?P<', i)) {
        out += '(?<';
        i += 3;
        continue;
      }
      out += c;
      continue;
    }
    if (c === ')') {
      ci = stack.pop() ?? false;
      out += c;
      continue;
    }
    if (ci && isLetter(c)) {
      out += `[${c}${swapCase(c)}]`;
      continue;
    }
    if (c === '{' && !/^\{\d+(,\d*)?\}/.test(src.slice(i))) {
      out += '\\{';
      continue;
    }
    if (c === '}' && !/\{\d+(,\d*)?$/.test(src.slice(0, i))) {
      out += '\\}';
      continue;
    }
    out += c;
  }
  return out;
}

function swapCase(c: string): string {
  const u = c.toUpperCase();
  return u === c ? c.toLowerCase() : u;
}
