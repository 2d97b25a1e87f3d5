/**
 * Shared types of rule evaluation. Rules talk to PromQL through `QueryFn` (Prometheus'
 * rules.QueryFunc) so evaluation, unit tests (`vigil test rules`), backtests and fire drills can
 * each plug in their own engine and storage.
 */
import type { NativeHistogram } from '../tsdb/interface.js';
import type { Labels } from '../tsdb/labels.js';

export interface RuleSample {
  labels: Labels;
  value: number;
  /** Set when the sample is a native histogram (a recording rule then records a histogram). */
  h?: NativeHistogram;
}

/** Evaluates an instant query at `timeMs`; must return an instant vector (scalars are wrapped by the caller). */
export type QueryFn = (expr: string, timeMs: number, signal?: AbortSignal) => Promise<RuleSample[]>;

interface TemplateData {
  labels: Record<string, string>;
  value: number;
  externalLabels: Record<string, string>;
  externalURL: string;
}

/** Expands one annotation or label template; throws with a readable message on template errors. */
export type ExpandFn = (template: string, data: TemplateData, name: string) => Promise<string> | string;

export type AlertState = 'inactive' | 'pending' | 'firing';

export interface Alert {
  labels: Labels;
  annotations: Record<string, string>;
  state: AlertState;
  value: number;
  activeAtMs: number;
  firedAtMs: number | null;
  resolvedAtMs: number | null;
  lastSentAtMs: number | null;
  validUntilMs: number | null;
  keepFiringSinceMs: number | null;
}

export interface RuleHealth {
  health: 'ok' | 'err' | 'unknown';
  lastError: string;
  lastEvaluationMs: number | null;
  evaluationSeconds: number;
}
