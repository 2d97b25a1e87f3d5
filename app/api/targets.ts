import { z } from 'zod';

const LabelSet = z.record(z.string(), z.string());

const RelabelStepSchema = z.object({
  index: z.number().int(),
  action: z.string(),
  before: LabelSet,
  after: LabelSet,
  dropped: z.boolean(),
});

/** One scrape target, in the shape of Prometheus' /api/v1/targets plus the relabel steps. */
const ActiveTargetSchema = z.object({
  discoveredLabels: LabelSet,
  labels: LabelSet,
  scrapePool: z.string(),
  scrapeUrl: z.string(),
  globalUrl: z.string(),
  lastError: z.string(),
  lastScrape: z.string(),
  lastScrapeDuration: z.number(),
  health: z.enum(['up', 'down', 'unknown']),
  scrapeInterval: z.string(),
  scrapeTimeout: z.string(),
  relabelSteps: z.array(RelabelStepSchema).optional(),
});

export const TargetsResponseSchema = z.object({
  activeTargets: z.array(ActiveTargetSchema),
  droppedTargets: z.array(z.object({ discoveredLabels: LabelSet })),
});

export const TargetsRequestSchema = z.object({ scrapePool: z.string().optional() }).strict();

export const LintTargetRequestSchema = z.object({ scrapeUrl: z.string().max(4096) }).strict();
export const LintTargetResponseSchema = z.object({
  /** promtool check metrics findings: metric name and the problem, in promtool's words. */
  problems: z.array(z.object({ metric: z.string(), text: z.string() })),
  /** Set when the page could not be fetched or parsed. */
  error: z.string().nullable(),
});

export type ActiveTarget = z.infer<typeof ActiveTargetSchema>;
