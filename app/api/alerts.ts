import { z } from 'zod';
import { SourceFieldSchema } from './remote-sources.js';
import { matchOps } from '../dialect/match-ops.js';

/**
 * The alerting side of the contract: the inbox (alerts with history, notes, acknowledgement,
 * silences), the rules with their health, rule unit tests, backtests and fire drills.
 */
const LabelSet = z.record(z.string(), z.string());

const InboxStateSchema = z.enum(['pending', 'firing', 'resolved']);

const InboxAlertSchema = z.object({
  fingerprint: z.string(),
  labels: LabelSet,
  annotations: LabelSet,
  state: InboxStateSchema,
  firstSeenMs: z.number(),
  lastChangeMs: z.number(),
  history: z.array(z.object({ state: InboxStateSchema, atMs: z.number() })),
  notes: z.array(z.object({ atMs: z.number(), author: z.string(), text: z.string() })),
  ack: z.object({ by: z.string(), comment: z.string(), atMs: z.number() }).nullable(),
  drill: z.boolean(),
  flapping: z.boolean(),
  /** Ids of the silences that currently mute this alert. */
  silencedBy: z.array(z.string()),
  /** The rule's expression, for "open in Explore over the alert's window". */
  expr: z.string().nullable(),
});

const MatcherSchema = z.object({
  name: z.string().min(1),
  op: z.enum(matchOps),
  value: z.string(),
});

export const SilenceSchema = z.object({
  id: z.string(),
  matchers: z.array(MatcherSchema),
  startsAtMs: z.number(),
  endsAtMs: z.number(),
  createdBy: z.string(),
  comment: z.string(),
  state: z.enum(['pending', 'active', 'expired']),
});

export const AlertsRequestSchema = z
  .object({
    /** Label matchers in Alertmanager's syntax, e.g. `severity="critical", job=~"api.*"`. */
    filter: z.string().max(4096).optional(),
    states: z.array(InboxStateSchema).optional(),
    includeDrills: z.boolean().optional(),
  })
  .strict();
export const AlertsResponseSchema = z.object({ alerts: z.array(InboxAlertSchema) });

export const AlertActionRequestSchema = z.object({ fingerprint: z.string().max(128), comment: z.string().max(4096).optional() }).strict();
export const AlertNoteRequestSchema = z.object({ fingerprint: z.string().max(128), text: z.string().min(1).max(16_384) }).strict();
export const AlertResponseSchema = z.object({ alert: InboxAlertSchema });

export const SilencesResponseSchema = z.object({ silences: z.array(SilenceSchema) });
export const CreateSilenceRequestSchema = z
  .object({
    matchers: z.array(MatcherSchema).min(1).max(64),
    startsAtMs: z.number().optional(),
    endsAtMs: z.number(),
    createdBy: z.string().max(256),
    comment: z.string().max(4096),
  })
  .strict();
export const SilenceIdRequestSchema = z.object({ id: z.string().max(128) }).strict();
export const PreviewSilenceRequestSchema = z.object({ matchers: z.array(MatcherSchema).min(1).max(64) }).strict();
export const PreviewSilenceResponseSchema = z.object({ alerts: z.array(InboxAlertSchema) });

const RuleStatusSchema = z.object({
  name: z.string(),
  type: z.enum(['alerting', 'recording']),
  query: z.string(),
  labels: LabelSet,
  annotations: LabelSet,
  forSeconds: z.number(),
  keepFiringForSeconds: z.number(),
  health: z.enum(['ok', 'err', 'unknown']),
  lastError: z.string(),
  lastEvaluationMs: z.number().nullable(),
  evaluationSeconds: z.number(),
  state: z.enum(['inactive', 'pending', 'firing']).nullable(),
});
const RuleGroupStatusSchema = z.object({
  name: z.string(),
  file: z.string(),
  intervalSeconds: z.number(),
  lastEvaluationMs: z.number().nullable(),
  evaluationSeconds: z.number(),
  rules: z.array(RuleStatusSchema),
});
export const RulesResponseSchema = z.object({ groups: z.array(RuleGroupStatusSchema), errors: z.array(z.string()) });

export const RuleSpecSchema = z.object({
  alert: z.string().min(1),
  expr: z.string().min(1).max(256 * 1024),
  forSeconds: z.number().nonnegative(),
  keepFiringForSeconds: z.number().nonnegative(),
  labels: LabelSet,
  annotations: LabelSet,
});

export const BacktestRequestSchema = z
  .object({
    rule: RuleSpecSchema,
    compareWith: RuleSpecSchema.optional(),
    startMs: z.number(),
    endMs: z.number(),
    stepMs: z.number().positive().optional(),
    /** Replay the rule over a remote data source's history (its uid); absent or "vigil": this engine's. */
    source: SourceFieldSchema,
  })
  .strict();
const BacktestIntervalSchema = z.object({ state: z.enum(['pending', 'firing']), startMs: z.number(), endMs: z.number() });
const BacktestRunSchema = z.object({
  alerts: z.array(z.object({ labels: LabelSet, intervals: z.array(BacktestIntervalSchema) })),
  notifications: z.number().int(),
});
export const BacktestResponseSchema = z.object({ edited: BacktestRunSchema, saved: BacktestRunSchema.nullable(), summary: z.array(z.string()) });

export const DrillRequestSchema = z
  .object({
    rule: RuleSpecSchema,
    /** Synthetic series in promtool's notation, placed from the drill start at `stepSeconds`. */
    series: z.array(z.object({ selector: z.string().max(4096), values: z.string().max(16_384) })).min(1).max(100),
    stepSeconds: z.number().positive(),
    /** Deliver a test notification (marked as a drill) to the receivers the route selects. */
    notify: z.boolean(),
  })
  .strict();
export const DrillResponseSchema = z.object({
  drillId: z.string(),
  timeline: z.array(z.object({ atMs: z.number(), labels: LabelSet, state: z.enum(['pending', 'firing', 'inactive']) })),
  receivers: z.array(z.string()),
});

export const RuleTestsRequestSchema = z.object({ files: z.array(z.string().max(4096)).min(1).max(50) }).strict();
export const RuleTestsResponseSchema = z.object({ ok: z.boolean(), report: z.string() });

/** Editing rule files (from the config's rule_files) and rule unit-test files beside them. */
const RuleTextKindSchema = z.enum(['rules', 'tests']);
export const ReadRuleTextRequestSchema = z.object({ path: z.string().min(1).max(4096), kind: RuleTextKindSchema }).strict();
export const ReadRuleTextResponseSchema = z.object({ path: z.string(), text: z.string() });
export const SaveRuleTextRequestSchema = z
  .object({ path: z.string().min(1).max(4096), kind: RuleTextKindSchema, text: z.string().max(4 * 1024 * 1024) })
  .strict();
export const SaveRuleTextResponseSchema = z.object({ saved: z.boolean(), errors: z.array(z.string()) });

export type InboxAlert = z.infer<typeof InboxAlertSchema>;
export type Silence = z.infer<typeof SilenceSchema>;
