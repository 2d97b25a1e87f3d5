import { create } from 'zustand';
import type { RequestOf } from '../../app/api/channels.js';
import { queryError, type QueryCache, type QueryError } from '../api/query-cache.js';
import type { InboxAlert } from '../../app/api/alerts.js';
import type { NotificationEvent } from '../../app/api/events.js';
import { formatMatchers, matchersFromLabels, silenceEnd, type Matcher } from '../alerts/alert-helpers.js';

/** The silence being composed: pre-filled from an alert, previewed before it is created. */
interface SilenceDraft {
  matchers: Matcher[];
  duration: string;
  comment: string;
  createdBy: string;
  preview: InboxAlert[] | null;
  previewError: string | null;
  busy: boolean;
  error: string | null;
}

export interface AlertsSlice {
  filter: string;
  /** The filter text last sent; errors refer to it. */
  appliedFilter: string;
  showResolved: boolean;
  includeDrills: boolean;
  groupBy: string;
  focused: string | null;
  draft: SilenceDraft | null;
  actionError: string | null;
  toasts: NotificationEvent[];
  setFilter(f: string): void;
  setShowResolved(on: boolean): void;
  setIncludeDrills(on: boolean): void;
  setGroupBy(label: string): void;
  setFocused(fingerprint: string | null): void;
  applyFilter(): void;
  ack(q: QueryCache, fingerprint: string, comment: string): Promise<void>;
  unack(q: QueryCache, fingerprint: string): Promise<void>;
  addNote(q: QueryCache, fingerprint: string, text: string): Promise<boolean>;
  startSilence(alert: InboxAlert): void;
  editDraft(patch: Partial<Pick<SilenceDraft, 'matchers' | 'duration' | 'comment' | 'createdBy'>>): void;
  cancelSilence(): void;
  previewSilence(q: QueryCache): Promise<void>;
  createSilence(q: QueryCache, nowMs: number): Promise<boolean>;
  expireSilence(q: QueryCache, id: string): Promise<void>;
  pushToast(n: NotificationEvent): void;
  dismissToast(id: string): void;
}

/** The inbox read the page's filter and toggles ask for. */
export function alertsRequest(s: Pick<AlertsSlice, 'appliedFilter' | 'showResolved' | 'includeDrills'>): RequestOf<'alerts'> {
  return {
    ...(s.appliedFilter.trim() ? { filter: s.appliedFilter } : {}),
    ...(s.showResolved ? {} : { states: ['pending', 'firing'] as const }),
    includeDrills: s.includeDrills,
  };
}

/** A failed inbox read under a filter, with an example of the matcher syntax. */
export function alertsReadError(error: QueryError | null, appliedFilter: string): QueryError | null {
  const f = appliedFilter.trim();
  if (error === null || !f || error.kind === 'unavailable') return error;
  return { ...error, message: `filter ${f}: ${error.detail} — write matchers like severity="critical", job=~"api.*"` };
}

/** What the inbox's actions change: the engine then answers these reads differently. */
const inboxReads = ['alerts', 'silences', 'rules'] as const;

/** The Alerts inbox's view state and actions; alerts and silences are shared reads. */
export const useAlertsStore = create<AlertsSlice>((set, get) => {
  const act = async (q: QueryCache, what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      set({ actionError: null });
    } catch (err) {
      set({ actionError: queryError(err, what).message });
    }
    await q.invalidate(...inboxReads);
  };
  return {
    filter: '',
    appliedFilter: '',
    showResolved: true,
    includeDrills: true,
    groupBy: '',
    focused: null,
    draft: null,
    actionError: null,
    toasts: [],
    setFilter: (filter) => set({ filter }),
    setShowResolved: (showResolved) => set({ showResolved }),
    setIncludeDrills: (includeDrills) => set({ includeDrills }),
    setGroupBy: (groupBy) => set({ groupBy }),
    setFocused: (focused) => set({ focused }),
    applyFilter: () => set({ appliedFilter: get().filter }),
    ack: (q, fingerprint, comment) => act(q, 'acknowledge', () => q.api.ackAlert({ fingerprint, ...(comment ? { comment } : {}) })),
    unack: (q, fingerprint) => act(q, 'unacknowledge', () => q.api.unackAlert({ fingerprint })),
    async addNote(q, fingerprint, text) {
      if (!text.trim()) return false;
      let ok = true;
      await act(q, 'add note', async () => {
        try {
          await q.api.addAlertNote({ fingerprint, text });
        } catch (err) {
          ok = false;
          throw err;
        }
      });
      return ok;
    },
    startSilence: (alert) =>
      set({
        draft: {
          matchers: matchersFromLabels(alert.labels),
          duration: '2h',
          comment: '',
          createdBy: 'vigil',
          preview: null,
          previewError: null,
          busy: false,
          error: null,
        },
      }),
    editDraft(patch) {
      const d = get().draft;
      if (!d) return;
      // Changing the matchers invalidates the preview: it must be run again before confirming.
      set({ draft: { ...d, ...patch, ...(patch.matchers ? { preview: null } : {}), error: null } });
    },
    cancelSilence: () => set({ draft: null }),
    async previewSilence(q) {
      const d = get().draft;
      if (!d) return;
      set({ draft: { ...d, busy: true, previewError: null } });
      try {
        const r = await q.api.previewSilence({ matchers: d.matchers });
        const cur = get().draft;
        if (cur) set({ draft: { ...cur, busy: false, preview: r.alerts } });
      } catch (err) {
        const cur = get().draft;
        if (cur) set({ draft: { ...cur, busy: false, preview: null, previewError: queryError(err, formatMatchers(d.matchers)).message } });
      }
    },
    async createSilence(q, nowMs) {
      const d = get().draft;
      if (!d) return false;
      const end = silenceEnd(nowMs, d.duration);
      if ('error' in end) {
        set({ draft: { ...d, error: end.error } });
        return false;
      }
      if (!d.comment.trim()) {
        set({ draft: { ...d, error: 'say why in the comment: the next person will read it' } });
        return false;
      }
      set({ draft: { ...d, busy: true } });
      try {
        await q.api.createSilence({ matchers: d.matchers, endsAtMs: end.endsAtMs, createdBy: d.createdBy || 'vigil', comment: d.comment });
        set({ draft: null });
        await q.invalidate(...inboxReads);
        return true;
      } catch (err) {
        const cur = get().draft;
        if (cur) set({ draft: { ...cur, busy: false, error: queryError(err, `create silence ${formatMatchers(d.matchers)}`).message } });
        return false;
      }
    },
    expireSilence: (q, id) => act(q, `expire silence ${id}`, () => q.api.expireSilence({ id })),
    pushToast: (n) => set({ toasts: [...get().toasts.filter((t) => t.id !== n.id), n].slice(-5) }),
    dismissToast: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
  };
});
