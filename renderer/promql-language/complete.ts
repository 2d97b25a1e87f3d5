/**
 * Completion items for a context: metric names with type and HELP, label names and values scoped
 * by the selector being typed, functions and aggregations with signature and doc, keywords,
 * duration units and past queries. Plain data (no Monaco types) so it is unit-testable.
 */
import { durationUnits } from '../../app/dialect/duration.js';
import type { CompletionContext, Matcher } from './context.js';
import { analyzeContext } from './context.js';
import { topFuzzy } from './fuzzy.js';
import type { PromClient } from './prom-client.js';

export type ItemKind = 'metric' | 'function' | 'aggregation' | 'keyword' | 'label' | 'value' | 'duration' | 'history' | 'operator';

export interface CompletionItem {
  label: string;
  kind: ItemKind;
  detail?: string;
  documentation?: string;
  /** Text to insert; `$0` marks the cursor when `snippet` is set. */
  insertText: string;
  snippet?: boolean;
  /** How many characters before the cursor the item replaces. */
  replace: number;
}

export interface VocabularyEntry {
  name: string;
  signature: string;
  doc: string;
}

export interface Vocabulary {
  functions: readonly VocabularyEntry[];
  aggregations: readonly VocabularyEntry[];
}

export interface CompletionSource {
  client: PromClient;
  vocabulary: Vocabulary;
  history: () => readonly string[];
  /** Upper bound on items from one list, so 200k metric names stay cheap. */
  limit?: number;
}

/** Smallest first: after `5` the list offers ms, s, m… */
const unitsSmallestFirst = [...durationUnits].reverse();

const binaryKeywords: Array<[string, string]> = [
  ['and', 'intersection: left samples with a match on the right'],
  ['or', 'union: left samples plus right samples without a match on the left'],
  ['unless', 'complement: left samples without a match on the right'],
  ['offset', 'shift the evaluation time back, e.g. offset 1h'],
  ['@', 'evaluate at a fixed time: @ 1700000000, @ start(), @ end()'],
  ['on', 'match only on these labels: a + on(job) b'],
  ['ignoring', 'match ignoring these labels: a / ignoring(code) b'],
  ['bool', 'comparison returns 0/1 instead of filtering'],
  ['group_left', 'many-to-one matching, copy labels from the right'],
  ['group_right', 'one-to-many matching, copy labels from the left'],
];

function selectorFor(metric: string | null, matchers: Matcher[]): string[] | undefined {
  const parts = matchers.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`);
  if (metric) parts.unshift(`__name__="${metric}"`);
  return parts.length > 0 ? [`{${parts.join(',')}}`] : undefined;
}

export async function complete(text: string, offset: number, src: CompletionSource): Promise<CompletionItem[]> {
  return completeContext(analyzeContext(text, offset), src);
}

/** The engine being unreachable must not take functions and keywords away: lookups fail soft. */
function soft<T>(p: Promise<T[]>): Promise<T[]> {
  return p.catch(() => []);
}

async function completeContext(ctx: CompletionContext, src: CompletionSource): Promise<CompletionItem[]> {
  const limit = src.limit ?? 100;
  switch (ctx.kind) {
    case 'history':
      return src.history().slice(0, 30).map((q) => ({ label: q, kind: 'history', detail: 'past query', insertText: q, replace: 0 }));
    case 'expression': {
      const metrics = await soft(src.client.metricMetadata({ search: ctx.prefix, limit }));
      const fns = topFuzzy(src.vocabulary.functions, ctx.prefix, limit, (f) => f.name).map(({ item }) => ({
        label: item.name,
        kind: 'function' as const,
        detail: item.signature,
        documentation: item.doc,
        insertText: `${item.name}($0)`,
        snippet: true,
        replace: ctx.prefix.length,
      }));
      const aggs = topFuzzy(src.vocabulary.aggregations, ctx.prefix, limit, (f) => f.name).map(({ item }) => ({
        label: item.name,
        kind: 'aggregation' as const,
        detail: item.signature,
        documentation: item.doc,
        insertText: `${item.name}($0)`,
        snippet: true,
        replace: ctx.prefix.length,
      }));
      const ms = topFuzzy(metrics, ctx.prefix, limit, (m) => m.name).map(({ item }) => ({
        label: item.name,
        kind: 'metric' as const,
        detail: item.type === '' ? 'metric' : item.type,
        documentation: item.help,
        insertText: item.name,
        replace: ctx.prefix.length,
      }));
      return [...fns, ...aggs, ...ms];
    }
    case 'afterExpression':
      return binaryKeywords
        .filter(([k]) => k.startsWith(ctx.prefix))
        .map(([k, doc]) => ({ label: k, kind: 'keyword', documentation: doc, insertText: k, replace: ctx.prefix.length }));
    case 'aggregationModifier':
      return [
        { label: 'by', kind: 'keyword', documentation: 'keep only these labels in the result', insertText: 'by ($0)', snippet: true, replace: ctx.prefix.length },
        { label: 'without', kind: 'keyword', documentation: 'drop these labels from the result', insertText: 'without ($0)', snippet: true, replace: ctx.prefix.length },
      ];
    case 'labelName': {
      const names = await soft(src.client.labelNames(selectorFor(ctx.metric, ctx.matchers)));
      const used = new Set(ctx.matchers.map((m) => m.name));
      return topFuzzy(
        names.filter((n) => n !== '__name__' && !used.has(n)),
        ctx.prefix,
        limit,
        (n) => n,
      ).map(({ item }) => ({ label: item, kind: 'label', insertText: item, replace: ctx.prefix.length }));
    }
    case 'matchOp':
      return [
        ['=', 'equal'],
        ['!=', 'not equal'],
        ['=~', 'matches regex (fully anchored)'],
        ['!~', 'does not match regex'],
      ].map(([op, doc]) => ({ label: op!, kind: 'operator' as const, documentation: doc, insertText: op!, replace: 0 }));
    case 'labelValue': {
      const values = await soft(
        src.client.labelValues(ctx.labelName, {
          match: selectorFor(ctx.metric, ctx.matchers),
          search: ctx.prefix,
          limit,
        }),
      );
      return topFuzzy(values, ctx.prefix, limit, (v) => v).map(({ item }) => {
        const escaped = item.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
        return {
          label: item,
          kind: 'value' as const,
          insertText: ctx.quote === null ? `"${escaped}"` : escaped,
          replace: ctx.prefix.length,
        };
      });
    }
    case 'groupingLabel': {
      const match = ctx.metrics.length > 0 ? ctx.metrics.map((m) => `{__name__="${m}"}`) : undefined;
      const names = await soft(src.client.labelNames(match));
      return topFuzzy(
        names.filter((n) => n !== '__name__'),
        ctx.prefix,
        limit,
        (n) => n,
      ).map(({ item }) => ({ label: item, kind: 'label', detail: `label (${ctx.clause})`, insertText: item, replace: ctx.prefix.length }));
    }
    case 'duration': {
      const digits = /^\d+/.exec(ctx.prefix)?.[0] ?? '';
      const unit = ctx.prefix.slice(digits.length);
      return unitsSmallestFirst
        .filter(({ unit: u }) => u.startsWith(unit))
        .map(({ unit: u, doc }) => ({ label: `${digits}${u}`, kind: 'duration', documentation: doc, insertText: `${digits}${u}`, replace: ctx.prefix.length }));
    }
    case 'atModifier':
      return [
        { label: 'start()', kind: 'keyword', documentation: 'the start of the range query (or the instant query time)', insertText: 'start()', replace: ctx.prefix.length },
        { label: 'end()', kind: 'keyword', documentation: 'the end of the range query (or the instant query time)', insertText: 'end()', replace: ctx.prefix.length },
      ];
    case 'none':
      return [];
  }
}
