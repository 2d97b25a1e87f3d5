/**
 * A linear pass over the query text before lezer sees it. It does what the LR grammar cannot:
 * - bounds bracket nesting, so absurd input (100 000 parens) fails fast with a clean error
 *   instead of making lezer work for seconds and recovery produce noise;
 * - reports the lexical errors Prometheus' lexer reports (unclosed/unexpected brackets,
 *   unterminated strings) with its wording;
 * - finds calls of functions lezer's grammar does not know (unknown names, or names newer than
 *   the grammar such as `integral`). Lezer cannot parse those at all, so each such name is
 *   replaced by a known function name of at most the same length, padded with spaces so every
 *   offset stays valid; the converter puts the real name back.
 */
import type { PosRange } from './ast.js';
import { functionSignatures } from './functions.js';

export const MAX_DEPTH = 1000;

interface LexError {
  readonly message: string;
  readonly pos: PosRange;
}

export interface Prescan {
  /** Text handed to lezer: the input with substituted function names. */
  readonly text: string;
  /** Real function names by the offset where they start. */
  readonly renamed: ReadonlyMap<number, string>;
  /** Calls of names lezer could not be given (too short to substitute), by offset. */
  readonly unparsable: ReadonlyMap<number, string>;
  readonly errors: readonly LexError[];
  /** Offsets of a number's trailing `.` (`2.`), which Go accepts and lezer does not. */
  readonly trailingDots: ReadonlySet<number>;
}

/**
 * Function names absent from @prometheus-io/lezer-promql's grammar. `min_of` / `max_of` it knows
 * only inside duration expressions (`[min_of(step(), 1m)]`, `offset max_of(…)`); elsewhere they
 * are the scalar functions and get substituted like any unknown name.
 */
const notInGrammar: ReadonlySet<string> = new Set(['integral', 'min_of', 'max_of']);
/** Calls that inside a duration expression are its own syntax, not PromQL functions. */
const durationKeywords: ReadonlySet<string> = new Set(['min_of', 'max_of', 'step', 'range']);

/** Words followed by `(` that are grammar keywords, not function calls (case-insensitive). */
const keywordsBeforeParen: ReadonlySet<string> = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'start', 'end',
  'step', 'range', 'fill', 'fill_left', 'fill_right', 'and', 'or', 'unless', 'atan2',
  'avg', 'bottomk', 'count', 'count_values', 'group', 'max', 'min', 'quantile', 'limitk', 'limit_ratio',
  'stddev', 'stdvar', 'sum', 'topk', 'smoothed', 'anchored', 'inf', 'nan',
]);

const closers: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };
const openerNames: Readonly<Record<string, string>> = { '(': 'left parenthesis', '[': 'left bracket' };
const closerNames: Readonly<Record<string, string>> = { ')': 'right parenthesis', ']': 'right bracket', '}': 'right brace' };

const isIdentStart = (c: string): boolean => /[A-Za-z_:]/.test(c);
const isIdentChar = (c: string): boolean => /[A-Za-z0-9_:]/.test(c);

export function prescan(input: string): Prescan {
  const errors: LexError[] = [];
  const renamed = new Map<number, string>();
  const unparsable = new Map<number, string>();
  const trailingDots = new Set<number>();
  // `dur`: the bracket holds a duration expression (`[…]`, or parentheses inside one or after `offset`).
  const stack: { ch: string; at: number; dur: boolean }[] = [];
  let durationCall = false;
  let text = input;
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i] as string;
    if (c === '#') {
      while (i < n && input[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const start = i;
      i++;
      let closed = false;
      while (i < n) {
        const d = input[i] as string;
        if (d === '\\' && c !== '`') {
          i += 2;
          continue;
        }
        if (d === '\n' && c !== '`') break;
        i++;
        if (d === c) {
          closed = true;
          break;
        }
      }
      if (!closed) {
        errors.push({ message: c === '`' ? 'unterminated raw string' : 'unterminated quoted string', pos: { start, end: i } });
        return { text, renamed, unparsable, errors, trailingDots };
      }
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      const dur = c === '[' || (c === '(' && (durationCall || (stack[stack.length - 1]?.dur ?? false) || afterOffset(input, i)));
      durationCall = false;
      stack.push({ ch: c, at: i, dur });
      if (stack.length > MAX_DEPTH) {
        errors.push({ message: `expression nests more than ${MAX_DEPTH} brackets deep; simplify the query`, pos: { start: i, end: i + 1 } });
        return { text, renamed, unparsable, errors, trailingDots };
      }
      i++;
      continue;
    }
    if (c === ')' || c === ']' || c === '}') {
      const top = stack.pop();
      if (top === undefined || top.ch !== closers[c]) {
        errors.push({ message: `unexpected ${closerNames[c]} '${c}'`, pos: { start: i, end: i + 1 } });
        return { text, renamed, unparsable, errors, trailingDots };
      }
      i++;
      continue;
    }
    if (/[0-9]/.test(c) && (i === 0 || !isIdentChar(input[i - 1] as string))) {
      const m = /^[0-9][0-9a-zA-Z_]*(?:\.[0-9a-zA-Z_]*)?/.exec(input.slice(i, i + 400));
      const tok = m?.[0] ?? c;
      if (tok.endsWith('.')) {
        const dot = i + tok.length - 1;
        trailingDots.add(dot);
        text = text.slice(0, dot) + ' ' + text.slice(dot + 1);
      }
      i += tok.length;
      continue;
    }
    if (isIdentStart(c) && (i === 0 || !isIdentChar(input[i - 1] as string))) {
      const start = i;
      while (i < n && isIdentChar(input[i] as string)) i++;
      const name = input.slice(start, i);
      let j = i;
      while (j < n && /\s/.test(input[j] as string)) j++;
      const inBraces = stack.length > 0 && stack[stack.length - 1]?.ch === '{';
      const inDuration = (stack[stack.length - 1]?.dur ?? false) || afterOffset(input, start);
      if (inDuration && input[j] === '(' && durationKeywords.has(name.toLowerCase())) {
        // Prometheus reads these keywords in any case (`STEP()`); lezer's grammar only in lower case.
        text = text.slice(0, start) + name.toLowerCase() + text.slice(i);
        durationCall = true;
        continue;
      }
      if (input[j] === '(' && !inBraces && !keywordsBeforeParen.has(name.toLowerCase()) && !isGrammarFunction(name)) {
        const stand = name.length >= 3 ? 'abs' : name.length === 2 ? 'ln' : null;
        if (stand === null) unparsable.set(start, name);
        else {
          renamed.set(start, name);
          text = text.slice(0, start) + stand.padEnd(name.length, ' ') + text.slice(i);
        }
      }
      continue;
    }
    i++;
  }
  const open = stack.pop();
  if (open !== undefined) {
    // Prometheus' lexer reports these where the input ends.
    const message = open.ch === '{' ? 'unexpected end of input inside braces' : `unclosed ${openerNames[open.ch]}`;
    errors.push({ message, pos: { start: n, end: n } });
  }
  return { text, renamed, unparsable, errors, trailingDots };
}

/** Whether `offset` (and perhaps a sign) comes right before position `at`. */
function afterOffset(input: string, at: number): boolean {
  return /(^|[^A-Za-z0-9_:])offset\s*[-+]?\s*$/i.test(input.slice(Math.max(0, at - 40), at));
}

function isGrammarFunction(name: string): boolean {
  return Object.hasOwn(functionSignatures, name) && !notInGrammar.has(name);
}
