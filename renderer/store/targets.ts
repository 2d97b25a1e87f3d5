import { create } from 'zustand';
import type { WorkbenchApi } from '../../app/api/channels.js';
import { queryError } from '../api/query-cache.js';

export interface TargetsSlice {
  filter: string;
  onlyUnhealthy: boolean;
  expanded: ReadonlySet<string>;
  lint: Record<string, { problems: Array<{ metric: string; text: string }>; error: string | null } | 'loading'>;
  setFilter(f: string): void;
  setOnlyUnhealthy(on: boolean): void;
  toggle(url: string): void;
  runLint(api: WorkbenchApi, scrapeUrl: string): Promise<void>;
}

/** The Targets page's view state and lint results; the targets themselves are a shared read. */
export const useTargetsStore = create<TargetsSlice>((set, get) => ({
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
  async runLint(api, scrapeUrl) {
    set({ lint: { ...get().lint, [scrapeUrl]: 'loading' } });
    try {
      const r = await api.lintTarget({ scrapeUrl });
      set({ lint: { ...get().lint, [scrapeUrl]: r } });
    } catch (err) {
      set({ lint: { ...get().lint, [scrapeUrl]: { problems: [], error: queryError(err, `lint ${scrapeUrl}`).message } } });
    }
  },
}));
