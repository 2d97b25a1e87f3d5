import { create } from 'zustand';
import type { WorkbenchApi } from '../../app/api/channels.js';
import type { TargetsResponse } from '../../app/api/targets.js';

export interface TargetsSlice {
  data: TargetsResponse | null;
  error: string | null;
  filter: string;
  onlyUnhealthy: boolean;
  expanded: ReadonlySet<string>;
  lint: Record<string, { problems: Array<{ metric: string; text: string }>; error: string | null } | 'loading'>;
  setFilter(f: string): void;
  setOnlyUnhealthy(on: boolean): void;
  toggle(url: string): void;
  refresh(api: WorkbenchApi): Promise<void>;
  runLint(api: WorkbenchApi, scrapeUrl: string): Promise<void>;
}

/** The Targets page's state. */
export const useTargetsStore = create<TargetsSlice>((set, get) => ({
  data: null,
  error: null,
  filter: '',
  onlyUnhealthy: false,
  expanded: new Set(),
  lint: {},
  setFilter: (filter) => set({ filter }),
  setOnlyUnhealthy: (onlyUnhealthy) => set({ onlyUnhealthy }),
  toggle: (url) =>
    set((s) => {
      const expanded = new Set(s.expanded);
      if (expanded.has(url)) expanded.delete(url);
      else expanded.add(url);
      return { expanded };
    }),
  async refresh(api) {
    try {
      set({ data: await api.targets({}), error: null });
    } catch (err) {
      set({ error: (err as Error).message });
    }
  },
  async runLint(api, scrapeUrl) {
    set({ lint: { ...get().lint, [scrapeUrl]: 'loading' } });
    try {
      const r = await api.lintTarget({ scrapeUrl });
      set({ lint: { ...get().lint, [scrapeUrl]: r } });
    } catch (err) {
      set({ lint: { ...get().lint, [scrapeUrl]: { problems: [], error: (err as Error).message } } });
    }
  },
}));
