/**
 * The regular expressions a Grafana dashboard holds (variable regex, regex value mappings,
 * `byRegexp` overrides) are JavaScript's, written `/pattern/flags` or bare, and tested
 * unanchored. Vigil runs them with the Go/RE2 module instead (linear time, so an imported
 * dashboard cannot freeze the page); the `i`, `m` and `s` flags carry over as inline flags.
 */
import { compileRegex, type GoRegex } from '../dialect/regex.js';

/** Compiles a dashboard regex; throws RegexSyntaxError naming the construct RE2 refuses. */
export function grafanaRegex(text: string): GoRegex {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(text);
  if (!m) return compileRegex(text, 'unanchored');
  const flags = [...new Set(m[2]!.replace(/[^ims]/g, ''))].join('');
  return compileRegex(flags ? `(?${flags})${m[1]}` : m[1]!, 'unanchored');
}
