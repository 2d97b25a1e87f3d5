/**
 * The renderer's one query cache over the contract client, and the change signals pages
 * refresh on.
 */
import type { ChannelName, RequestOf, ResponseOf } from '../../app/api/channels.js';
import { onEngineEvent } from '../alerts/event-hub.js';
import { api } from './client.js';
import { QueryCache, useChannel, type QueryState, type ReadOptions } from './query-cache.js';

export const queries = new QueryCache(api);

/** Slow fallback for the inbox when the event stream drops; `alertsChanged` drives refreshes. */
export const inboxPollMs = 15_000;

/** Calls `onChange` whenever the engine says alerts, silences or rules changed. */
export function onAlertsChanged(onChange: () => void): () => void {
  return onEngineEvent((e) => {
    if (e.type === 'alertsChanged') onChange();
  });
}

export function useEngineRead<K extends ChannelName>(name: K, request: RequestOf<K>, options?: ReadOptions): QueryState<ResponseOf<K>> & { refresh(): Promise<void> } {
  return useChannel(queries, name, request, options);
}
