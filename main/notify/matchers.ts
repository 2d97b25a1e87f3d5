/**
 * Alertmanager label matchers: the new syntax (`a="b"`, `a=~"x"`, `a!="b"`, `a!~"x"`, a list
 * in braces or comma-separated) and the legacy `match` / `match_re` maps. Regexes are anchored
 * as in Alertmanager.
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

export interface CompiledMatcher extends Matcher {
  test(labels: Record<string, string>): boolean;
}

export class MatcherError extends Error {}

export function compileMatcher(m: Matcher): CompiledMatcher {
  let re: RegExp | null = null;
  if (m.op === '=~' || m.op === '!~') {
    try {
      re = new RegExp(`^(?:${m.value})$`, 's');
    } catch (e) {
      throw new MatcherError(`invalid regular expression in matcher ${m.name}${m.op}"${m.value}": ${(e as Error).message}`);
    }
  }
  const test = (labels: Record<string, string>): boolean => {
    const v = labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        return v === m.value;
      case '!=':
        return v !== m.value;
      case '=~':
        return re?.test(v) ?? false;
      case '!~':
        return !(re?.test(v) ?? false);
    }
  };
  return { ...m, test };
}

export function matchesAll(ms: readonly CompiledMatcher[], labels: Record<string, string>): boolean {
  return ms.every((m) => m.test(labels));
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

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}
