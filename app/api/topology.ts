import { z } from 'zod';
import { SourceFieldSchema } from './remote-sources.js';

/**
 * The service graph of mesh traffic at one time: who calls whom, how often and how well, built
 * by the engine from the metrics of one dialect (Linkerd, Istio, the OpenTelemetry service-graph
 * connector, or a custom counter with source and destination labels). The PromQL behind every
 * figure comes from app/topology/dialects.ts, so the page can show and open the same queries.
 */
const topologyDialectNames = ['linkerd', 'istio', 'otel', 'custom'] as const;
const TopologyDialectNameSchema = z.enum(topologyDialectNames);
export type TopologyDialectName = z.infer<typeof TopologyDialectNameSchema>;

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a label name (letters, digits, _)');
const metricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'a metric name (letters, digits, _ and :)');

/** A custom dialect: any counter with a source and a destination label. */
export const CustomDialectSchema = z
  .object({
    /** The request counter, e.g. `http_client_requests_total`. */
    metric: metricName,
    sourceLabel: labelName,
    destinationLabel: labelName,
    sourceNamespaceLabel: labelName.optional(),
    destinationNamespaceLabel: labelName.optional(),
    /** Extra matchers every series must meet, PromQL syntax without braces: `kind="client"`. */
    match: z.string().max(1024).optional(),
    /** Matchers that select failed requests among them: `code=~"5.."`. */
    errorMatch: z.string().max(1024).optional(),
    /** A latency histogram with the same source/destination labels (the `_bucket` series name). */
    histogram: metricName.optional(),
    /** Multiplier from the histogram's unit to ms (1000 for seconds). */
    histogramToMs: z.number().positive().optional(),
  })
  .strict();
export type CustomDialect = z.infer<typeof CustomDialectSchema>;

/** Success-rate thresholds for health: below `warning` is warning, below `poor` is poor. */
const HealthThresholdsSchema = z
  .object({ warning: z.number().min(0).max(1), poor: z.number().min(0).max(1) })
  .strict()
  .refine((t) => t.poor <= t.warning, { message: 'poor must not be above warning' });
export type HealthThresholds = z.infer<typeof HealthThresholdsSchema>;

/** Linkerd viz's classification: under 90 % poor, under 95 % warning. */
export const defaultThresholds: HealthThresholds = { warning: 0.95, poor: 0.9 };

export const TopologySettingsSchema = z
  .object({ custom: CustomDialectSchema.nullable(), thresholds: HealthThresholdsSchema })
  .strict();
export type TopologySettings = z.infer<typeof TopologySettingsSchema>;

export const TopologyRequestSchema = z
  .object({
    /** Evaluation time in ms; default now. */
    time: z.number().optional(),
    /** Rate window in ms; default max(1m, 4 × the scrape interval). */
    windowMs: z.number().int().positive().max(86_400_000).optional(),
    /** Default: detected from the metric names present. */
    dialect: TopologyDialectNameSchema.optional(),
    /** Overrides the saved thresholds for this answer. */
    thresholds: HealthThresholdsSchema.optional(),
    /** At most this many edges (the busiest); default 2000. */
    maxEdges: z.number().int().positive().max(100_000).optional(),
    /** Where the graph's queries run: a remote data source's uid; absent or "vigil" is this engine. */
    source: SourceFieldSchema,
  })
  .strict();

const HealthSchema = z.enum(['good', 'warning', 'poor', 'unknown']);
export type Health = z.infer<typeof HealthSchema>;

/** Traffic figures of an edge, or of a node's inbound or outbound side. */
const TrafficSchema = z.object({
  /** Requests per second. */
  rps: z.number(),
  /** Share of successful requests, null when there were none. */
  successRate: z.number().nullable(),
  /** Latency quantiles in ms, null when unknown (no histogram, no observations, no +Inf). */
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  /** Share of requests over mTLS, null when the dialect does not say. */
  mtls: z.number().nullable(),
});
export type Traffic = z.infer<typeof TrafficSchema>;

const TopologyNodeSchema = z.object({
  /** `namespace/name`, or `external/name` for callers and destinations outside the mesh. */
  id: z.string(),
  name: z.string(),
  /** Namespace, `external` for what is outside the mesh, or null when the dialect has none. */
  group: z.string().nullable(),
  kind: z.enum(['workload', 'external']),
  inbound: TrafficSchema,
  outbound: TrafficSchema,
  health: HealthSchema,
});
export type TopologyNode = z.infer<typeof TopologyNodeSchema>;

const TopologyEdgeSchema = z.object({
  /** `source->target` node ids. */
  id: z.string(),
  source: z.string(),
  target: z.string(),
  health: HealthSchema,
  /** Which traffic part of the dialect the edge comes from and its label values there: with the
   * dialect these give the exact PromQL of each figure (app/topology/dialects.ts). */
  part: z.number().int(),
  match: z.record(z.string(), z.string()),
  ...TrafficSchema.shape,
});
export type TopologyEdge = z.infer<typeof TopologyEdgeSchema>;

const TopologyQueryStatSchema = z.object({ query: z.string(), ms: z.number(), series: z.number().int() });

export const TopologyResponseSchema = z.object({
  time: z.number(),
  windowMs: z.number(),
  /** The dialect used, null when none of the dialects' metrics are present. */
  dialect: TopologyDialectNameSchema.nullable(),
  /** Dialects whose metrics are present at this time. */
  available: z.array(TopologyDialectNameSchema),
  custom: CustomDialectSchema.nullable(),
  thresholds: HealthThresholdsSchema,
  nodes: z.array(TopologyNodeSchema),
  edges: z.array(TopologyEdgeSchema),
  /** What was ignored or capped, for the page to say. */
  notes: z.array(z.string()),
  /** Edges left out by `maxEdges` (the least busy). */
  droppedEdges: z.number().int(),
  /** The queries the engine ran, with their cost. */
  queries: z.array(TopologyQueryStatSchema),
  /**
   * True when the answer is the graph the engine keeps up to date for requests without a time
   * (evaluated at `time`, at most two scrape intervals ago), false when evaluated for this request.
   */
  cached: z.boolean().optional(),
  /** Wall time of evaluating this graph (detection, every query, assembly), ms. */
  evalMs: z.number().optional(),
});
export type TopologyResponse = z.infer<typeof TopologyResponseSchema>;

