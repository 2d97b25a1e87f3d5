/**
 * Go regular expressions — RE2 syntax and semantics, matched in linear time — for every place a
 * user's pattern meets data: label matchers, relabeling, label_replace, silences, routes,
 * inhibit rules, probe body/header matchers, rule templates and the PromQL checker.
 *
 * The engine is re2js (a pure-JavaScript port of RE2/J), so syntax errors carry Go's wording,
 * `(a+)+b` over a 50,000-character value costs milliseconds instead of freezing the process, and
 * the renderer can use the same module. re2js is several times slower than V8's backtracking
 * RegExp on ordinary patterns, so the anchored modes keep fast paths for the shapes Prometheus'
 * FastRegexMatcher special-cases (literal, alternation of literals, `.*`, `.+`, `lit.*`, `.*lit`,
 * `.*lit.*`); each is recognised only when it is provably the same match.
 *
 * Anchoring follows the Go call site being reproduced:
 * - `prometheus`: `^(?s:re)$` (Prometheus 3 matchers, relabel configs, label_replace);
 * - `alertmanager`: `^(?:re)$` (Alertmanager's labels.NewMatcher: `.` does not match newline);
 * - `unanchored`: `regexp.Compile(re)` (blackbox_exporter's regexps, template `match`/`reReplaceAll`).
 */
import { RE2JS } from 're2js';

export type RegexAnchoring = 'prometheus' | 'alertmanager' | 'unanchored';

/** A pattern Go's regexp package refuses; `reason` names the construct. */
export class RegexSyntaxError extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`invalid regular expression ${JSON.stringify(pattern)}: ${reason}`);
    this.name = 'RegexSyntaxError';
  }
}

/** One match: offsets are UTF-16 indices into the subject. */
export interface RegexMatch {
  readonly index: number;
  readonly end: number;
  /** A group by number (0 is the whole match) or by name; undefined when it did not take part. */
  group(ref: number | string): string | undefined;
}

export interface GoRegex {
  readonly pattern: string;
  readonly anchoring: RegexAnchoring;
  test(subject: string): boolean;
  exec(subject: string): RegexMatch | null;
  /** Go's Regexp.ReplaceAllString: `template` is expanded per match as by `expandTemplate`. */
  replaceAll(subject: string, template: string): string;
}

// Perl constructs RE2 leaves out on purpose (they need backtracking); named so a user knows what
// to rewrite instead of reading Go's generic "invalid or unsupported Perl syntax".
const refusedConstructs: readonly [RegExp, string][] = [
  [/\(\?=/, 'lookahead (?=) is not supported (RE2 syntax)'],
  [/\(\?!/, 'negative lookahead (?!) is not supported (RE2 syntax)'],
  [/\(\?<=/, 'lookbehind (?<=) is not supported (RE2 syntax)'],
  [/\(\?<!/, 'negative lookbehind (?<!) is not supported (RE2 syntax)'],
  [/\(\?>/, 'atomic group (?>) is not supported (RE2 syntax)'],
  [/(?:^|[^\\])(?:\\\\)*\\([1-9])/, 'backreference \\$1 is not supported (RE2 syntax)'],
  [/(?:^|[^\\])(?:\\\\)*\\k</, 'named backreference \\k<…> is not supported (RE2 syntax)'],
];

function syntaxReason(pattern: string, goMessage: string): string {
  for (const [re, text] of refusedConstructs) {
    const m = re.exec(pattern);
    if (m !== null) return text.replace('$1', m[1] ?? '');
  }
  return goMessage;
}

function compileEngine(source: string, pattern: string): RE2JS {
  try {
    return RE2JS.compile(source);
  } catch (err) {
    // Go's message for the wrapped source may quote the wrapper; prefer the user's own text.
    let message = err instanceof Error ? err.message : String(err);
    if (source !== pattern) {
      try {
        RE2JS.compile(pattern);
      } catch (inner) {
        if (inner instanceof Error) message = inner.message;
      }
    }
    throw new RegexSyntaxError(pattern, syntaxReason(pattern, message));
  }
}

/** Text free of RE2 metacharacters stands for itself. */
const plainText = /^[^\\.+*?()|[\]{}^$]*$/;

/** A test equivalent to the anchored regex for the shapes FastRegexMatcher special-cases. */
function fastTest(pattern: string, dotAll: boolean): ((s: string) => boolean) | null {
  if (plainText.test(pattern)) return (s) => s === pattern;
  if (pattern.includes('|')) {
    const alternatives = pattern.split('|');
    if (!alternatives.every((a) => plainText.test(a))) return null;
    const set = new Set(alternatives);
    return (s) => set.has(s);
  }
  // `.` only matches everything when (?s) is on; Alertmanager's matchers leave it off.
  if (!dotAll) return null;
  if (pattern === '.*') return () => true;
  if (pattern === '.+') return (s) => s.length > 0;
  const lead = pattern.startsWith('.*');
  const trail = pattern.endsWith('.*') && pattern.length >= (lead ? 4 : 2);
  const trailPlus = !trail && pattern.endsWith('.+') && !lead;
  const lit = pattern.slice(lead ? 2 : 0, trail || trailPlus ? -2 : undefined);
  if (!plainText.test(lit) || (!lead && !trail && !trailPlus)) return null;
  if (lead && trail) return (s) => s.includes(lit);
  if (lead) return (s) => s.endsWith(lit);
  if (trail) return (s) => s.startsWith(lit);
  return (s) => s.length > lit.length && s.startsWith(lit);
}

type EngineMatch = (string | undefined)[] & { index: number; groups?: Record<string, string | undefined> };

function toMatch(m: EngineMatch): RegexMatch {
  const index = m.index;
  return {
    index,
    end: index + (m[0] ?? '').length,
    group: (ref) => (typeof ref === 'number' ? m[ref] : m.groups?.[ref]) ?? undefined,
  };
}

class CompiledRegex implements GoRegex {
  private readonly whole: RE2JS;
  private readonly fast: ((s: string) => boolean) | null;

  constructor(
    readonly pattern: string,
    readonly anchoring: RegexAnchoring,
  ) {
    const wrapped = anchoring === 'prometheus' ? `^(?s:${pattern})$` : anchoring === 'alertmanager' ? `^(?:${pattern})$` : pattern;
    this.whole = compileEngine(wrapped, pattern);
    this.fast = anchoring === 'unanchored' ? null : fastTest(pattern, anchoring === 'prometheus');
  }

  test(subject: string): boolean {
    if (this.fast !== null) return this.fast(subject);
    // Not testExact: Go matches the wrapped source unanchored, so `a)|(b` behaves as `^(?s:a)|(b)$`.
    return this.whole.test(subject);
  }

  exec(subject: string): RegexMatch | null {
    const m = this.whole.exec(subject) as EngineMatch | null;
    return m === null ? null : toMatch(m);
  }

  replaceAll(subject: string, template: string): string {
    // Go's replaceAll loop: an empty match right after the previous match is skipped, and the
    // search always advances by at least one character.
    const m = this.whole.matcher(subject);
    let out = '';
    let lastEnd = 0;
    let pos = 0;
    while (pos <= subject.length && m.find(pos)) {
      const start = m.start();
      const end = m.end();
      out += subject.slice(lastEnd, start);
      if (end > lastEnd || start === 0) {
        out += expandTemplate(template, {
          index: start,
          end,
          group: (ref) => {
            try {
              return m.group(ref) ?? undefined;
            } catch {
              return undefined; // unknown group name or number expands to ''
            }
          },
        });
      }
      lastEnd = end;
      const width = (subject.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1;
      pos = pos + width > end ? pos + width : end;
    }
    return out + subject.slice(lastEnd);
  }
}

/** Whether `v` is a compiled regex (configs that hold one print its pattern). */
export function isGoRegex(v: unknown): v is GoRegex {
  return v instanceof CompiledRegex;
}

const cache = new Map<string, GoRegex>();
const cacheLimit = 4096;

/** The compiled regex for `pattern` under `anchoring`, cached; throws RegexSyntaxError. */
export function compileRegex(pattern: string, anchoring: RegexAnchoring): GoRegex {
  const key = anchoring + '\u0000' + pattern;
  let re = cache.get(key);
  if (re === undefined) {
    re = new CompiledRegex(pattern, anchoring);
    if (cache.size >= cacheLimit) cache.clear();
    cache.set(key, re);
  }
  return re;
}

/**
 * Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`. A name is the longest run of
 * letters, digits and `_` (so `$1x` means group "1x", which is empty — a classic Prometheus surprise); an
 * unknown or unmatched group expands to ''; a `$` that starts no reference stays literal.
 */
export function expandTemplate(template: string, m: RegexMatch): string {
  if (!template.includes('$')) return template;
  return template.replace(/\$(?:\$|\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/gu, (whole, braced: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare ?? '';
    return (/^\d+$/.test(name) ? m.group(Number(name)) : m.group(name)) ?? '';
  });
}

/** Go's regexp.QuoteMeta: a pattern matching `text` literally. */
export function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
