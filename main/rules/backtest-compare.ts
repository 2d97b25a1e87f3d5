/**
 * Comparing the backtest of an edited rule with the saved one, so a user sees what the edit
 * changes (alerts gained or lost, firing time added or removed, notification count) before
 * saving. Alerts are matched by their labels without `alertname`, so renaming the rule in the
 * same edit still pairs each alert with its old self.
 */
import { labelsKey, type Labels } from '../tsdb/labels.js';
// Types only: backtest.ts imports this module, so a value import back would be a cycle.
import type { BacktestAlert, BacktestResult } from './backtest.js';
import { subtractSpans, totalMs, type Span } from './backtest-intervals.js';
import { formatDuration } from '../../app/dialect/duration.js';

interface AlertDiff {
  /** The alert's labels (the edited run's when in both). */
  labels: Labels;
  presence: 'both' | 'saved-only' | 'edited-only';
  savedFiringMs: number;
  editedFiringMs: number;
  /** Time the edited rule fires where the saved one did not, and the reverse. */
  firingAdded: Span[];
  firingRemoved: Span[];
  firingAddedMs: number;
  firingRemovedMs: number;
  savedNotifications: number;
  editedNotifications: number;
}

export interface BacktestComparison {
  startMs: number;
  endMs: number;
  stepMs: number;
  saved: BacktestResult;
  edited: BacktestResult;
  /** Alerts whose firing time, notifications or presence differ, sorted by labels. */
  changed: AlertDiff[];
  onlySaved: Labels[];
  onlyEdited: Labels[];
  firingAddedMs: number;
  firingRemovedMs: number;
  notificationsDelta: number;
  /** One line for the editor, e.g. "1 new alert; firing +12m0s / -3m0s; notifications 4 → 7 (+3)". */
  summary: string;
}

function matchKey(labels: Labels): string {
  return labelsKey(labels.filter((l) => l.name !== 'alertname'));
}

function firing(a: BacktestAlert | undefined): Span[] {
  return (a?.intervals ?? []).filter((i) => i.state === 'firing');
}

export function compareBacktests(saved: BacktestResult, edited: BacktestResult): BacktestComparison {
  if (saved.startMs !== edited.startMs || saved.endMs !== edited.endMs || saved.stepMs !== edited.stepMs) {
    throw new RangeError(
      `cannot compare backtests of "${saved.rule}" and "${edited.rule}": they cover different windows or steps; run both over the same window`,
    );
  }
  const s = new Map(saved.alerts.map((a) => [matchKey(a.labels), a]));
  const e = new Map(edited.alerts.map((a) => [matchKey(a.labels), a]));
  const keys = [...new Set([...s.keys(), ...e.keys()])].sort();
  const changed: AlertDiff[] = [];
  const onlySaved: Labels[] = [];
  const onlyEdited: Labels[] = [];
  for (const key of keys) {
    const a = s.get(key);
    const b = e.get(key);
    const presence = a && b ? 'both' : a ? 'saved-only' : 'edited-only';
    if (presence === 'saved-only') onlySaved.push(a!.labels);
    if (presence === 'edited-only') onlyEdited.push(b!.labels);
    const added = subtractSpans(firing(b), firing(a));
    const removed = subtractSpans(firing(a), firing(b));
    const diff: AlertDiff = {
      labels: (b ?? a)!.labels,
      presence,
      savedFiringMs: a?.firingMs ?? 0,
      editedFiringMs: b?.firingMs ?? 0,
      firingAdded: added,
      firingRemoved: removed,
      firingAddedMs: totalMs(added),
      firingRemovedMs: totalMs(removed),
      savedNotifications: a?.notifications ?? 0,
      editedNotifications: b?.notifications ?? 0,
    };
    const same = presence === 'both' && added.length === 0 && removed.length === 0 && diff.savedNotifications === diff.editedNotifications;
    if (!same) changed.push(diff);
  }
  const firingAddedMs = changed.reduce((n, d) => n + d.firingAddedMs, 0);
  const firingRemovedMs = changed.reduce((n, d) => n + d.firingRemovedMs, 0);
  const notificationsDelta = edited.notifications - saved.notifications;
  return {
    startMs: saved.startMs,
    endMs: saved.endMs,
    stepMs: saved.stepMs,
    saved,
    edited,
    changed,
    onlySaved,
    onlyEdited,
    firingAddedMs,
    firingRemovedMs,
    notificationsDelta,
    summary: summarize(onlyEdited.length, onlySaved.length, firingAddedMs, firingRemovedMs, saved.notifications, edited.notifications),
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summarize(gained: number, lost: number, addedMs: number, removedMs: number, savedN: number, editedN: number): string {
  if (gained === 0 && lost === 0 && addedMs === 0 && removedMs === 0 && savedN === editedN) return 'no difference over this window';
  const parts: string[] = [];
  if (gained > 0) parts.push(`${plural(gained, 'new alert')}`);
  if (lost > 0) parts.push(`${plural(lost, 'alert')} no longer raised`);
  parts.push(`firing +${formatDuration(addedMs)} / -${formatDuration(removedMs)}`);
  const delta = editedN - savedN;
  parts.push(`notifications ${savedN} → ${editedN} (${delta >= 0 ? '+' : ''}${delta})`);
  return parts.join('; ');
}
