/**
 * Diagnostics, hover and formatting through the shared PromQL syntax in app/promql: the same
 * parser and checker the engine uses, so the editor underlines exactly what the engine would
 * refuse, with Prometheus' messages.
 */
import { parse } from '../../app/promql/parser.js';
import { formatExpr } from '../../app/promql/printer.js';
import { lookupDoc } from './vocabulary.js';
import type { VocabularyEntry } from './complete.js';

export interface Diagnostic {
  start: number;
  end: number;
  message: string;
}

export function diagnose(text: string): Diagnostic[] {
  if (text.trim() === '') return [];
  const { errors } = parse(text, { enableExperimental: true, enableExtendedRangeSelectors: true });
  return errors.map((e) => ({ start: e.pos.start, end: e.pos.end, message: e.message }));
}

export function hoverDoc(word: string): VocabularyEntry | undefined {
  return lookupDoc(word);
}

/** The query pretty-printed like Prometheus' format_query, or null when it does not parse. */
export function formatQuery(text: string): string | null {
  const { expr, errors } = parse(text, { enableExperimental: true, enableExtendedRangeSelectors: true });
  return expr !== null && errors.length === 0 ? formatExpr(expr) : null;
}
