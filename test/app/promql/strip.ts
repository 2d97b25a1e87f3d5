/** Test helper: an AST without positions, for comparing trees that came from different text. */
import type { Expr } from '../../../app/promql/ast.js';

export function stripPos(e: Expr): unknown {
  return JSON.parse(JSON.stringify(e, (k: string, v: unknown) => (k === 'pos' ? undefined : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
}

/** Like stripPos, with every selector's matchers in a canonical order (format_query sorts them). */
export function stripPosSorted(e: Expr): unknown {
  return JSON.parse(
    JSON.stringify(e, (k: string, v: unknown) => {
      if (k === 'pos') return undefined;
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      if (k === 'matchers' && Array.isArray(v)) return [...(v as unknown[])].map((m) => JSON.stringify(m)).sort().map((m) => JSON.parse(m) as unknown);
      return v;
    }),
  );
}
