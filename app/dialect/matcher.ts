/**
 * The one label matcher type (`name op "value"`) and its compiler, shared by storage, PromQL,
 * silences, routes and inhibit rules. A matcher on an absent label sees the empty string, as in
 * Prometheus and Alertmanager. Regexes come from `./regex.ts`: Prometheus anchors them as
 * `^(?s:re)$`, Alertmanager as `^(?:re)$` (its `.` does not match a newline).
 */
import { compileRegex, type GoRegex } from './regex.js';
import type { MatchOp } from './match-ops.js';

export { matchOps, type MatchOp } from './match-ops.js';

export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
}

export type MatcherDialect = 'prometheus' | 'alertmanager';

export interface CompiledMatcher extends LabelMatcher {
  /** Whether a label value ('' when the label is absent) satisfies the matcher. */
  matches(value: string): boolean;
}

const compiled: Record<MatcherDialect, WeakMap<LabelMatcher, CompiledMatcher>> = {
  prometheus: new WeakMap(),
  alertmanager: new WeakMap(),
};

/** Compiles a matcher (cached per matcher object); an invalid regex throws RegexSyntaxError. */
export function compileMatcher(m: LabelMatcher, dialect: MatcherDialect = 'prometheus'): CompiledMatcher {
  const hit = compiled[dialect].get(m);
  if (hit !== undefined) return hit;
  const { name, op, value } = m;
  let matches: (v: string) => boolean;
  switch (op) {
    case '=':
      matches = (v) => v === value;
      break;
    case '!=':
      matches = (v) => v !== value;
      break;
    case '=~':
    case '!~': {
      const re: GoRegex = compileRegex(value, dialect);
      matches = op === '=~' ? (v) => re.test(v) : (v) => !re.test(v);
      break;
    }
  }
  const c: CompiledMatcher = { name, op, value, matches };
  compiled[dialect].set(m, c);
  return c;
}

/**
 * Whether every matcher accepts the label set; `labelValue` answers undefined for an absent
 * label. Matchers are compiled on first use (cached), so callers may pass them as parsed.
 */
export function matchesAll(ms: readonly LabelMatcher[], labelValue: (name: string) => string | undefined, dialect: MatcherDialect = 'prometheus'): boolean {
  for (const m of ms) if (!compileMatcher(m, dialect).matches(labelValue(m.name) ?? '')) return false;
  return true;
}

/** `name="value"` with the value quoted as PromQL and Alertmanager print it. */
export function formatMatcher(m: LabelMatcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}
