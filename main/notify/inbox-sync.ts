/**
 * Keeps the inbox in step with the rule evaluator: after each group evaluation, every active
 * alert whose state differs from its inbox entry is recorded. Each alert is looked up by its
 * fingerprint, so the cost is per active alert, not per alert × inbox size.
 */
import { fingerprint } from './alert.js';
import type { InboxState, InboxStore } from './inbox.js';

export interface EvaluatedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'inactive' | 'pending' | 'firing';
  activeAtMs: number;
}

/** Records changed states; true when anything changed (the caller signals the pages). */
export function recordEvaluatedAlerts(inbox: Pick<InboxStore, 'get' | 'record'>, alerts: Iterable<EvaluatedAlert>, atMs: number): boolean {
  let changed = false;
  for (const a of alerts) {
    const state: InboxState = a.state === 'inactive' ? 'resolved' : a.state;
    if (inbox.get(fingerprint(a.labels))?.state === state) continue;
    inbox.record(a.labels, a.annotations, state, atMs, { drill: a.labels['drill'] === 'true', startsAtMs: a.activeAtMs });
    changed = true;
  }
  return changed;
}
