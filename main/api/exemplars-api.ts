/**
 * /api/v1/query_exemplars as Prometheus answers it: the exemplars within [start, end] of every
 * series that a selector of `query` matches, grouped by series, values as strings and timestamps
 * in seconds.
 */
import { parseExpr } from '../../app/promql/parser.js';
import type { Matcher } from '../tsdb/interface.js';
import type { ExemplarStore } from '../tsdb/exemplars.js';
import { labelsToRecord } from '../tsdb/labels.js';
import { formatGoFloat } from '../util/go-float.js';
import { BadParamError } from './prom-params.js';
import type { ExemplarSeries } from '../../app/api/exemplars.js';

/** Matchers of every vector selector in the expression (a walk over the plain-data AST). */
function selectorMatchers(node: unknown, out: Matcher[][]): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const x of node) selectorMatchers(x, out);
    return;
  }
  const o = node as Record<string, unknown>;
  if (o['type'] === 'vector' && Array.isArray(o['matchers'])) {
    out.push(o['matchers'] as Matcher[]);
    return;
  }
  for (const [k, v] of Object.entries(o)) if (k !== 'pos') selectorMatchers(v, out);
}

/** The contract's `queryExemplars`: numbers as numbers, times in ms. */
export function selectExemplars(store: ExemplarStore, query: string, startMs: number, endMs: number): ExemplarSeries[] {
  if (endMs < startMs) throw new BadParamError('end timestamp must not be before start timestamp');
  let expr: unknown;
  try {
    expr = parseExpr(query);
  } catch (e) {
    throw new BadParamError(`invalid parameter "query": ${(e as Error).message}`);
  }
  const sets: Matcher[][] = [];
  selectorMatchers(expr, sets);
  if (sets.length === 0) return [];
  return store.select(startMs, endMs, sets).map((s) => ({
    seriesLabels: labelsToRecord(s.seriesLabels),
    exemplars: s.exemplars.map((e) => ({ labels: labelsToRecord(e.labels), value: e.value, t: e.ts })),
  }));
}

/** /api/v1/query_exemplars' data: values as Go float strings, timestamps in seconds. */
export function queryExemplars(store: ExemplarStore, query: string, startMs: number, endMs: number): unknown[] {
  return selectExemplars(store, query, startMs, endMs).map((s) => ({
    seriesLabels: s.seriesLabels,
    exemplars: s.exemplars.map((e) => ({ labels: e.labels, value: formatGoFloat(e.value), timestamp: e.t / 1000 })),
  }));
}
