import { create } from 'zustand';
import type { Status } from '../../app/api/status.js';
import type { WorkbenchApi } from '../../app/api/channels.js';

export interface StatusSlice {
  status: Status | null;
  error: string | null;
  loading: boolean;
  refresh(api: WorkbenchApi): Promise<void>;
}

/** The Status page's state: the engine's last answer or its error. */
export const useStatusStore = create<StatusSlice>((set) => ({
  status: null,
  error: null,
  loading: false,
  async refresh(api) {
    set({ loading: true });
    try {
      const status = await api.status({});
      set({ status, error: null, loading: false });
    } catch (err) {
      set({ error: (err as Error).message, loading: false });
    }
  },
}));
