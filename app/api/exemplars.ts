import { z } from 'zod';
import { LabelSetSchema } from './query.js';

/** Exemplars of the series a query's selectors match, within [start, end] (ms). */
export const QueryExemplarsRequestSchema = z
  .object({
    query: z.string().min(1, { error: 'query is empty' }),
    start: z.number(),
    end: z.number(),
  })
  .strict();

const ExemplarSchema = z.object({
  /** The exemplar's own labels, e.g. trace_id. */
  labels: LabelSetSchema,
  value: z.number(),
  /** ms */
  t: z.number(),
});

export const QueryExemplarsResponseSchema = z.object({
  series: z.array(z.object({ seriesLabels: LabelSetSchema, exemplars: z.array(ExemplarSchema) })),
});

export type ExemplarSeries = z.infer<typeof QueryExemplarsResponseSchema>['series'][number];
