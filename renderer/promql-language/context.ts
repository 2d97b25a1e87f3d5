/**
 * Where is the cursor, in PromQL terms? The answer decides what completion offers. Works on
 * incomplete queries (the usual case while typing): braces, parentheses, brackets and quotes are
 * scanned up to the cursor, and the lezer PromQL tree (the grammar the shared parser uses) names
 * the selectors already present for scoping label suggestions.
 */
import { parser } from '@prometheus-io/lezer-promql';

export interface Matcher {
  name: string;
  op: string;
  value: string;
}

export type CompletionContext =
  | { kind: 'history' }
  | { kind: 'expression'; prefix: string; afterAggregation: boolean }
  | { kind: 'afterExpression'; prefix: string }
  | { kind: 'aggregationModifier'; prefix: string }
  | { kind: 'labelName'; metric: string | null; matchers: Matcher[]; prefix: string }
  | { kind: 'matchOp'; metric: string | null; labelName: string }
  | { kind: 'labelValue'; metric: string | null; matchers: Matcher[]; labelName: string; prefix: string; quote: string | null }
  | { kind: 'groupingLabel'; clause: string; metrics: string[]; prefix: string }
  | { kind: 'duration'; prefix: string }
  | { kind: 'atModifier'; prefix: string }
  | { kind: 'none' };

const groupingKeywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const aggregationOps = new Set([
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
]);

interface Scan {
  /** Stack of unclosed openers with their offsets. */
  open: Array<{ ch: '{' | '(' | '['; at: number }>;
  /** The quote character if the cursor is inside a string, and where the string starts. */
  quote: { ch: string; at: number } | null;
}

function scan(text: string): Scan {
  const open: Scan['open'] = [];
  let quote: Scan['quote'] = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote.ch !== '`') i++;
      else if (c === quote.ch) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = { ch: c, at: i };
    else if (c === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
    } else if (c === '{' || c === '(' || c === '[') open.push({ ch: c, at: i });
    else if (c === '}' || c === ')' || c === ']') open.pop();
  }
  return { open, quote };
}

const identTail = /[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelTail = /[a-zA-Z_][a-zA-Z0-9_]*$/;

function splitMatchers(body: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      cur += c;
      if (c === '\\' && quote !== '`') cur += body[++i] ?? '';
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
      cur += c;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

const matcherRe = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(["'`])((?:[^\\]|\\.)*?)\3\s*$/s;

function parseMatcher(text: string): Matcher | null {
  const m = matcherRe.exec(text);
  return m ? { name: m[1]!, op: m[2]!, value: m[4]!.replace(/\\(.)/g, '$1') } : null;
}

/** Metric names of all vector selectors in the (possibly incomplete) query. */
function metricNamesIn(text: string): string[] {
  const names = new Set<string>();
  const tree = parser.parse(text);
  tree.iterate({
    enter(node) {
      if (node.name === 'VectorSelector') {
        const ident = node.node.getChild('Identifier');
        if (ident) names.add(text.slice(ident.from, ident.to));
      }
    },
  });
  return [...names];
}

export function analyzeContext(text: string, offset: number): CompletionContext {
  const before = text.slice(0, offset);
  if (text.trim() === '') return { kind: 'history' };
  const { open, quote } = scan(before);
  const top = open[open.length - 1];

  if (top?.ch === '{') {
    const metric = identTail.exec(before.slice(0, top.at).trimEnd())?.[0] ?? null;
    const body = before.slice(top.at + 1);
    const parts = splitMatchers(body);
    const current = parts.pop() ?? '';
    const matchers = parts.map(parseMatcher).filter((m): m is Matcher => m !== null);
    const opMatch = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(["'`]?)(.*)$/s.exec(current);
    if (opMatch) {
      const [, labelName, , q, rest] = opMatch;
      return { kind: 'labelValue', metric, matchers, labelName: labelName!, prefix: quote ? rest! : '', quote: q === '' ? null : q! };
    }
    const nameOnly = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s+$/.exec(current);
    if (nameOnly) return { kind: 'matchOp', metric, labelName: nameOnly[1]! };
    if (quote) return { kind: 'none' };
    return { kind: 'labelName', metric, matchers, prefix: labelTail.exec(current)?.[0] ?? '' };
  }
  if (quote) return { kind: 'none' };

  if (top?.ch === '(') {
    const keyword = /([a-zA-Z_]+)\s*$/.exec(before.slice(0, top.at))?.[1];
    if (keyword && groupingKeywords.has(keyword)) {
      return { kind: 'groupingLabel', clause: keyword, metrics: metricNamesIn(text), prefix: labelTail.exec(before)?.[0] ?? '' };
    }
  }

  if (top?.ch === '[') {
    const inside = before.slice(top.at + 1);
    const tail = /(\d+)([a-z]*)$/.exec(inside);
    if (tail) return { kind: 'duration', prefix: tail[0] };
    return { kind: 'none' };
  }

  const word = identTail.exec(before)?.[0] ?? '';
  const head = before.slice(0, before.length - word.length).trimEnd();
  if (/@\s*$/.test(head)) return { kind: 'atModifier', prefix: word };
  const lastWord = /([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(head)?.[1];
  if (lastWord && aggregationOps.has(lastWord) && /\s$/.test(before.slice(0, before.length - word.length))) {
    return { kind: 'aggregationModifier', prefix: word };
  }
  // After a complete operand (a selector, `)`, `]`, a number or a duration), offer operators and modifiers.
  const lastChar = head[head.length - 1];
  const operandEnd = lastChar === ')' || lastChar === ']' || lastChar === '}' || (lastWord !== undefined && !isKeywordExpectingOperand(lastWord) && /\s$/.test(before.slice(0, before.length - word.length)));
  if (operandEnd && head !== '') return { kind: 'afterExpression', prefix: word };
  return { kind: 'expression', prefix: word, afterAggregation: false };
}

function isKeywordExpectingOperand(word: string): boolean {
  return ['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'atan2'].includes(word);
}
