/**
 * Inhibition: a firing alert matching a rule's source mutes alerts matching its target when
 * the `equal` labels agree. An alert never inhibits itself (Alertmanager's rule).
 */
import type { InhibitRule } from './config.js';
import { fingerprint, isResolved, type NotifyAlert } from './alert.js';
import { matchesLabels } from './matchers.js';

export class Inhibitor {
  constructor(private readonly rules: readonly InhibitRule[]) {}

  /** Whether `target` is muted by any of the firing `alerts` at `nowMs`. */
  isInhibited(target: Record<string, string>, alerts: Iterable<NotifyAlert>, nowMs: number): boolean {
    const targetFp = fingerprint(target);
    for (const rule of this.rules) {
      if (!matchesLabels(rule.target, target)) continue;
      for (const a of alerts) {
        if (isResolved(a, nowMs) || !matchesLabels(rule.source, a.labels)) continue;
        if (fingerprint(a.labels) === targetFp) continue;
        if (rule.equal.every((l) => (a.labels[l] ?? '') === (target[l] ?? ''))) return true;
      }
    }
    return false;
  }
}
