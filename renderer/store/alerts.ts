import { create } from 'zustand';
import type { WorkbenchApi } from '../../app/api/channels.js';
import type { InboxAlert, Silence } from '../../app/api/alerts.js';
import type { NotificationEvent } from '../../app/api/events.js';
import { formatMatchers, matchersFromLabels, silenceEnd, type Matcher } from '../alerts/alert_helpers.js';

/** The silence being composed: pre-filled from an alert, previewed before it is created. */
export interface SilenceDraft {
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
  alerts: InboxAlert[];
  silences: Silence[];
  loaded: boolean;
  error: string | null;
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
  refresh(api: WorkbenchApi): Promise<void>;
  applyFilter(api: WorkbenchApi): Promise<void>;
  ack(api: WorkbenchApi, fingerprint: string, comment: string): Promise<void>;
  unack(api: WorkbenchApi, fingerprint: string): Promise<void>;
  addNote(api: WorkbenchApi, fingerprint: string, text: string): Promise<boolean>;
  startSilence(alert: InboxAlert): void;
  editDraft(patch: Partial<Pick<SilenceDraft, 'matchers' | 'duration' | 'comment' | 'createdBy'>>): void;
  cancelSilence(): void;
  previewSilence(api: WorkbenchApi): Promise<void>;
  createSilence(api: WorkbenchApi, nowMs: number): Promise<boolean>;
  expireSilence(api: WorkbenchApi, id: string): Promise<void>;
  pushToast(n: NotificationEvent): void;
  dismissToast(id: string): void;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The Alerts inbox's state. */
export const useAlertsStore = create<AlertsSlice>((set, get) => {
  // Only the newest refresh may write its result; slower older ones are dropped.
  let seq = 0;
  const act = async (api: WorkbenchApi, what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      set({ actionError: null });
    } catch (err) {
      set({ actionError: `${what}: ${message(err)}` });
    }
    await get().refresh(api);
  };
  return {
    alerts: [],
    silences: [],
    loaded: false,
    error: null,
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
    async refresh(api) {
      const my = ++seq;
      const { appliedFilter, showResolved, includeDrills } = get();
      try {
        const [a, s] = await Promise.all([
          api.alerts({
            ...(appliedFilter.trim() ? { filter: appliedFilter } : {}),
            ...(showResolved ? {} : { states: ['pending', 'firing'] as const satisfies InboxAlert['state'][] }),
            includeDrills,
          }),
          api.silences({}),
        ]);
        if (my !== seq) return;
        set({ alerts: a.alerts, silences: s.silences, loaded: true, error: null });
      } catch (err) {
        if (my !== seq) return;
        const f = appliedFilter.trim();
        set({ loaded: true, error: f ? `filter ${f}: ${message(err)} — write matchers like severity="critical", job=~"api.*"` : message(err) });
      }
    },
    async applyFilter(api) {
      set({ appliedFilter: get().filter });
      await get().refresh(api);
    },
    ack: (api, fingerprint, comment) => act(api, 'acknowledge', () => api.ackAlert({ fingerprint, ...(comment ? { comment } : {}) })),
    unack: (api, fingerprint) => act(api, 'unacknowledge', () => api.unackAlert({ fingerprint })),
    async addNote(api, fingerprint, text) {
      if (!text.trim()) return false;
      let ok = true;
      await act(api, 'add note', async () => {
        try {
          await api.addAlertNote({ fingerprint, text });
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
    async previewSilence(api) {
      const d = get().draft;
      if (!d) return;
      set({ draft: { ...d, busy: true, previewError: null } });
      try {
        const r = await api.previewSilence({ matchers: d.matchers });
        const cur = get().draft;
        if (cur) set({ draft: { ...cur, busy: false, preview: r.alerts } });
      } catch (err) {
        const cur = get().draft;
        if (cur) set({ draft: { ...cur, busy: false, preview: null, previewError: `${formatMatchers(d.matchers)}: ${message(err)}` } });
      }
    },
    async createSilence(api, nowMs) {
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
        await api.createSilence({ matchers: d.matchers, endsAtMs: end.endsAtMs, createdBy: d.createdBy || 'vigil', comment: d.comment });
        set({ draft: null });
        await get().refresh(api);
        return true;
      } catch (err) {
        const cur = get().draft;
        if (cur) set({ draft: { ...cur, busy: false, error: `create silence ${formatMatchers(d.matchers)}: ${message(err)}` } });
        return false;
      }
    },
    expireSilence: (api, id) => act(api, `expire silence ${id}`, () => api.expireSilence({ id })),
    pushToast: (n) => set({ toasts: [...get().toasts.filter((t) => t.id !== n.id), n].slice(-5) }),
    dismissToast: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
  };
});
