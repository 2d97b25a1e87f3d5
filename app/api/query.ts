import { z } from 'zod';
import { SourceFieldSchema } from './remote-sources.js';

/**
 * Query results on the wire (IPC and HTTP alike). JSON has no NaN or ±Inf, so non-finite values
 * travel as the strings Prometheus uses ("NaN", "+Inf", "-Inf"); a missing point is null. Range
 * results are columnar: one shared timestamp axis (ms) and one value column per series, which is
 * what uPlot draws without any reshaping.
 */
const WireValueSchema = z.union([z.number(), z.enum(['NaN', '+Inf', '-Inf'])]);
export type WireValue = z.infer<typeof WireValueSchema>;

export const LabelSetSchema = z.record(z.string(), z.string());

const PosSchema = z.object({ start: z.number().int(), end: z.number().int() });

const NodeStatsSchema = z.object({
  pos: PosSchema,
  /** Printed sub-expression, for the explain tree. */
  expr: z.string(),
  type: z.string(),
  ms: z.number(),
  /** Result series of this node, when the engine reports it. */
  series: z.number().int().nullable(),
  /** Samples this node loaded from storage, when the engine reports it. */
  samples: z.number().nullable(),
  /** Labels of the node's first result series, as an example. */
  example: LabelSetSchema.nullable(),
});

const QueryStatsSchema = z.object({
  seriesTouched: z.number().int(),
  samplesTouched: z.number(),
  peakSamples: z.number(),
  totalMs: z.number(),
  nodes: z.array(NodeStatsSchema),
});

/**
 * A native histogram as Prometheus' HTTP API writes it: count and sum as float strings, and the
 * populated buckets as [boundary rule, lower, upper, count] (rule 0: (lower, upper], 1:
 * [lower, upper), 2: (lower, upper), 3: [lower, upper]).
 */
const WireHistogramSchema = z.object({
  count: z.string(),
  sum: z.string(),
  buckets: z.array(z.tuple([z.number().int().min(0).max(3), z.string(), z.string(), z.string()])),
});
export type WireHistogram = z.infer<typeof WireHistogramSchema>;
export const WireHistogramListSchema = z.array(WireHistogramSchema.nullable());

const InstantResultSchema = z.discriminatedUnion('resultType', [
  z.object({
    resultType: z.literal('vector'),
    /** `h` is set when the sample is a native histogram (then `v` is 0). */
    samples: z.array(z.object({ labels: LabelSetSchema, t: z.number(), v: WireValueSchema, h: WireHistogramSchema.optional() })),
  }),
  z.object({ resultType: z.literal('scalar'), t: z.number(), v: WireValueSchema }),
  z.object({ resultType: z.literal('string'), t: z.number(), v: z.string() }),
  z.object({
    resultType: z.literal('matrix'),
    /** `h[i]`, when present and not null, makes point i a native histogram. */
    series: z.array(z.object({ labels: LabelSetSchema, t: z.array(z.number()), v: z.array(WireValueSchema), h: WireHistogramListSchema.optional() })),
  }),
]);

const RangeResultSchema = z.object({
  resultType: z.literal('matrix'),
  /** Step timestamps in ms, start..end by step. */
  timestamps: z.array(z.number()),
  /** `histograms[i]`, when present and not null, makes step i a native histogram. */
  series: z.array(z.object({ labels: LabelSetSchema, values: z.array(WireValueSchema.nullable()), histograms: WireHistogramListSchema.optional() })),
});

/** The longest query text accepted (characters), on the contract and on Prometheus' API alike. */
export const maxQueryLength = 256 * 1024;

const answer = {
  warnings: z.array(z.string()),
  infos: z.array(z.string()),
  stats: QueryStatsSchema,
};

export const InstantQueryRequestSchema = z
  .object({
    query: z.string().max(maxQueryLength),
    /** Evaluation time in ms; default now. */
    time: z.number().optional(),
    /** Client-chosen id so a later `cancelQuery` can stop it. */
    queryId: z.string().max(64).optional(),
    source: SourceFieldSchema,
  })
  .strict();

export const RangeQueryRequestSchema = z
  .object({
    query: z.string().max(maxQueryLength),
    start: z.number(),
    end: z.number(),
    step: z.number().positive(),
    queryId: z.string().max(64).optional(),
    source: SourceFieldSchema,
  })
  .strict();

export const InstantQueryResponseSchema = z.object({ result: InstantResultSchema, ...answer });
export const RangeQueryResponseSchema = z.object({ result: RangeResultSchema, ...answer });

export type InstantResult = z.infer<typeof InstantResultSchema>;
export type RangeResult = z.infer<typeof RangeResultSchema>;
export type QueryStats = z.infer<typeof QueryStatsSchema>;
export type InstantQueryResponse = z.infer<typeof InstantQueryResponseSchema>;
export type RangeQueryResponse = z.infer<typeof RangeQueryResponseSchema>;

export function toWire(v: number): WireValue {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

export function fromWire(v: WireValue): number {
  return typeof v === 'number' ? v : v === 'NaN' ? NaN : v === '+Inf' ? Infinity : -Infinity;
}

/** Metadata lookups for the editor's completion (PromClient in renderer/promql-language). */
export const LabelNamesRequestSchema = z
  .object({ match: z.array(z.string()).max(20).optional(), start: z.number().optional(), end: z.number().optional(), limit: z.number().int().positive().optional(), source: SourceFieldSchema })
  .strict();
export const LabelValuesRequestSchema = z
  .object({
    name: z.string().max(1024),
    match: z.array(z.string()).max(20).optional(),
    start: z.number().optional(),
    end: z.number().optional(),
    /** Case-insensitive substring or fuzzy filter applied on the server (completion of label values). Explore's editor asks for all of `__name__` once and ranks metric names itself. */
    search: z.string().max(1024).optional(),
    limit: z.number().int().positive().optional(),
    source: SourceFieldSchema,
  })
  .strict();
export const StringListResponseSchema = z.object({ values: z.array(z.string()), truncated: z.boolean() });

export const MetadataRequestSchema = z
  .object({ metric: z.string().optional(), search: z.string().optional(), limit: z.number().int().positive().optional(), source: SourceFieldSchema })
  .strict();
export const MetadataResponseSchema = z.object({
  metrics: z.array(z.object({ name: z.string(), type: z.string(), help: z.string(), unit: z.string() })),
  truncated: z.boolean(),
});

export const CancelQueryRequestSchema = z.object({ queryId: z.string().max(64) }).strict();
export const CancelQueryResponseSchema = z.object({ cancelled: z.boolean() });

export const EstimateRequestSchema = z
  .object({ query: z.string().max(maxQueryLength), start: z.number(), end: z.number(), source: SourceFieldSchema })
  .strict();
export const EstimateResponseSchema = z.object({
  series: z.number().int(),
  samples: z.number(),
  tooHeavy: z.boolean(),
  reason: z.string().nullable(),
});
