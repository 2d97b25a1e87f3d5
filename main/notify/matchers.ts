/**
 * Alertmanager label matchers: the new syntax (`a="b"`, `a=~"x"`, `a!="b"`, `a!~"x"`, a list
 * in braces or comma-separated) and the legacy `match` / `match_re` maps, parsed into the one
 * matcher type of app/dialect/matcher.ts and compiled there, anchored as Alertmanager anchors.
 */
import { compileMatcher as compileLabelMatcher, formatMatcher, matchesAll, type CompiledMatcher, type LabelMatcher as Matcher, type MatchOp } from '../../app/dialect/matcher.js';
import { RegexSyntaxError } from '../../app/dialect/regex.js';

export type { LabelMatcher as Matcher,  } from '../../app/dialect/matcher.js';

export class MatcherError extends Error {}

/** The shared compiler in Alertmanager's dialect (`^(?:re)$`); a bad regex is a MatcherError. */
export function compileMatcher(m: Matcher): CompiledMatcher {
  try {
    return compileLabelMatcher(m, 'alertmanager');
  } catch (e) {
    if (!(e instanceof RegexSyntaxError)) throw e;
    throw new MatcherError(`invalid regular expression in matcher ${formatMatcher(m)}: ${e.reason}`);
  }
}

/** Whether an alert's labels satisfy every matcher, as Alertmanager matches them. */
export function matchesLabels(ms: readonly Matcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchesAll(ms, (name) => labels[name], 'alertmanager');
}

const matcherRe = /^\s*([a-zA-Z_][a-zA-Z0-9_]*|"(?:[^"\\]|\\.)*")\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^,}"]*?)\s*(?:,|$)/;

function unquote(s: string): string {
  if (!s.startsWith('"')) return s.trim();
  try {
    return JSON.parse(s) as string;
  } catch {
    throw new MatcherError(`invalid quoted string ${s}`);
  }
}

/** Parses one matcher (`severity="critical"`) or a list (`{a="b", c=~"d.*"}`). */
export function parseMatchers(text: string): Matcher[] {
  let s = text.trim();
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) throw new MatcherError(`missing closing "}" in ${text}`);
    s = s.slice(1, -1).trim();
  }
  const out: Matcher[] = [];
  let guard = 0;
  while (s.length > 0) {
    if (++guard > 1000) throw new MatcherError(`too many matchers in ${text}`);
    const m = matcherRe.exec(s);
    if (m === null) throw new MatcherError(`bad matcher format: ${s}; expected name="value", name=~"regex", name!="value" or name!~"regex"`);
    out.push({ name: unquote(m[1] ?? ''), op: m[2] as MatchOp, value: unquote(m[3] ?? '') });
    s = s.slice(m[0].length).trim();
  }
  return out;
}

