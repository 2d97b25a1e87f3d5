/**
 * Pure helpers behind the Rules page: a rule's spec for backtests and drills, synthetic series
 * pre-filled from its expression, and the geometry of interval bars on a time axis.
 */
import type { z } from 'zod';
import type { RuleSpecSchema } from '../../app/api/alerts.js';
import type { Expr, VectorSelector } from '../../app/promql/ast.js';
import { parse } from '../../app/promql/parser.js';

export type RuleSpec = z.infer<typeof RuleSpecSchema>;

export interface SavedRule {
  name: string;
  query: string;
  forSeconds: number;
  keepFiringForSeconds: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export function ruleSpec(r: SavedRule, edit?: { expr: string; forSeconds: number }): RuleSpec {
  return {
    alert: r.name,
    expr: edit?.expr ?? r.query,
    forSeconds: edit?.forSeconds ?? r.forSeconds,
    keepFiringForSeconds: r.keepFiringForSeconds,
    labels: r.labels,
    annotations: r.annotations,
  };
}

/** Every vector selector in the expression; the AST is depth-bounded by the parser. */
function selectors(e: Expr, out: VectorSelector[]): void {
  if (e.type === 'vector') {
    out.push(e);
    return;
  }
  for (const v of Object.values(e) as unknown[]) {
    if (v && typeof v === 'object' && 'type' in v && typeof (v as { type: unknown }).type === 'string' && 'pos' in v) selectors(v as Expr, out);
    else if (Array.isArray(v)) for (const x of v as unknown[]) if (x && typeof x === 'object' && 'pos' in x) selectors(x as Expr, out);
  }
}

/** The first number compared against in `x > N` style expressions: drill values cross it. */
function threshold(e: Expr): number | null {
  if (e.type === 'binary' && ['>', '>=', '<', '<=', '==', '!='].includes(e.op)) {
    if (e.rhs.type === 'number') return e.rhs.value;
    if (e.lhs.type === 'number') return e.lhs.value;
  }
  if (e.type === 'paren') return threshold(e.expr);
  return null;
}

function selectorText(s: VectorSelector): string {
  const ms = s.matchers.filter((m) => m.name !== '__name__' && m.op === '=').map((m) => `${m.name}=${JSON.stringify(m.value)}`);
  const name = s.name ?? '';
  return ms.length > 0 ? `${name}{${ms.join(', ')}}` : name || '{}';
}

export interface DrillSeries {
  selector: string;
  values: string;
}

/**
 * Synthetic series for a drill: one per distinct selector in the rule's expression, quiet for
 * a few steps and then above the threshold (promtool notation `start+stepxN`).
 */
export function drillSeriesFor(expr: string): { series: DrillSeries[]; note: string | null } {
  const parsed = parse(expr);
  if (parsed.expr === null) return { series: [{ selector: '', values: '0x3 1x10' }], note: `cannot read the expression: ${parsed.errors[0]?.message ?? 'syntax error'}; write the series by hand` };
  const found: VectorSelector[] = [];
  selectors(parsed.expr, found);
  const t = threshold(parsed.expr);
  const high = t === null ? 1 : t <= 0 ? 1 : Math.ceil(t * 2);
  const values = `0x3 ${high}x10`;
  const seen = new Set<string>();
  const series: DrillSeries[] = [];
  for (const s of found) {
    const text = selectorText(s);
    if (seen.has(text)) continue;
    seen.add(text);
    series.push({ selector: text, values });
  }
  if (series.length === 0) return { series: [{ selector: '', values }], note: 'the expression selects no series; write one by hand' };
  return { series, note: null };
}

/** A bar's position on the axis, in percent of the width (clamped to the visible range). */
export function barGeometry(startMs: number, endMs: number, axis: { startMs: number; endMs: number }): { left: number; width: number } | null {
  const span = axis.endMs - axis.startMs;
  if (!(span > 0)) return null;
  const s = Math.max(startMs, axis.startMs);
  const e = Math.min(endMs, axis.endMs);
  if (e < s) return null;
  const left = ((s - axis.startMs) / span) * 100;
  // A zero-length interval (one evaluation) still shows as a sliver.
  return { left, width: Math.max(((e - s) / span) * 100, 0.4) };
}

/** Backtest ranges offered in the picker. */
export const backtestRanges: ReadonlyArray<{ label: string; ms: number }> = [
  { label: 'last 15 minutes', ms: 15 * 60_000 },
  { label: 'last hour', ms: 3_600_000 },
  { label: 'last 6 hours', ms: 6 * 3_600_000 },
  { label: 'last day', ms: 86_400_000 },
  { label: 'last 7 days', ms: 7 * 86_400_000 },
];

/** `for` as Prometheus writes it (`2m`, `30s`), and back. */
export function formatFor(seconds: number): string {
  if (seconds === 0) return '0s';
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
export function parseFor(text: string): number | null {
  const t = text.trim();
  if (t === '0' || t === '') return 0;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
  if (!m || (!m[1] && !m[2] && !m[3])) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
