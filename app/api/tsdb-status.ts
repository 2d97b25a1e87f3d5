import { z } from 'zod';

/** One ranked figure: a metric name, label name or `name=value` pair, and its count or bytes. */
const StatSchema = z.object({ name: z.string(), value: z.number().nonnegative() });

/**
 * The cardinality explorer's answer, in the shape of Prometheus' `/api/v1/status/tsdb` `data`
 * (which `vigil serve` also answers): top entries by series. `headStats.chunkCount` counts open
 * (head) chunks, one per series with unsealed samples; min/max time are not tracked and left out.
 */
export const TsdbStatusSchema = z.object({
  headStats: z.object({
    numSeries: z.number().int().nonnegative(),
    numLabelPairs: z.number().int().nonnegative(),
    chunkCount: z.number().int().nonnegative(),
  }),
  seriesCountByMetricName: z.array(StatSchema),
  labelValueCountByLabelName: z.array(StatSchema),
  memoryInBytesByLabelName: z.array(StatSchema),
  seriesCountByLabelValuePair: z.array(StatSchema),
  /**
   * What changed since yesterday, for the top metric names (the contract channel only, when asked):
   * series with a sample within the lookback (5 min) now and the same a day ago.
   */
  sinceYesterday: z.array(z.object({ name: z.string(), now: z.number().int().nonnegative(), dayAgo: z.number().int().nonnegative() })).optional(),
});

export const TsdbStatusRequestSchema = z
  .object({
    /** How many entries each list keeps (Prometheus' `limit`, default 10). */
    limit: z.number().int().min(1).max(10_000).optional(),
    /** Also compare the top metric names' active series with a day ago (two queries). */
    sinceYesterday: z.boolean().optional(),
  })
  .strict();

export type TsdbStatus = z.infer<typeof TsdbStatusSchema>;
