/** The editor's vocabulary, taken from the shared catalog in app/promql (one source of truth). */
import { aggregations, keywords } from '../../app/promql/catalog.js';
import { functionSignatures } from '../../app/promql/functions.js';
import type { Vocabulary, VocabularyEntry } from './complete.js';

const functions: VocabularyEntry[] = Object.values(functionSignatures).map((f) => ({ name: f.name, signature: f.signature, doc: f.doc }));

const aggregationEntries: VocabularyEntry[] = Object.values(aggregations).map((a) => ({
  name: a.name,
  signature: a.hasParam ? `${a.name} [by|without (labels)] (param, v instant-vector)` : `${a.name} [by|without (labels)] (v instant-vector)`,
  doc: a.doc,
}));

export const vocabulary: Vocabulary = { functions, aggregations: aggregationEntries };

export const functionNames: readonly string[] = functions.map((f) => f.name);
export const aggregationNames: readonly string[] = aggregationEntries.map((a) => a.name);
export const keywordNames: readonly string[] = keywords.map((k) => k.name).filter((k) => /^[a-z_]+$/.test(k));

const byName = new Map<string, VocabularyEntry>([...functions, ...aggregationEntries].map((e) => [e.name, e]));

export function lookupDoc(word: string): VocabularyEntry | undefined {
  return byName.get(word);
}
