/**
 * The pages' one way to read from the engine: answers cached per channel and request, shared by
 * every view that asks the same thing, refreshed on a poll or on engine events, cancelled when
 * nobody needs them any more or a newer read replaces them, and errors turned into one shape the
 * pages show the same way (`unavailable` while the engine starts or stops, retried on its own).
 *
 * A small layer over the contract client rather than TanStack Query: it would add 36.7 kB
 * minified (10.9 kB gzip, @tanstack/react-query 5.108) and a second state model beside zustand,
 * for the few features here.
 */
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import type { ChannelName, RequestOf, ResponseOf, WorkbenchApi } from '../../app/api/channels.js';
import { ApiError, type ApiErrorData } from '../../app/api/errors.js';

export interface QueryError {
  kind: ApiErrorData['kind'];
  /** What to show: what was asked, then the engine's message. */
  message: string;
  /** The engine's message alone. */
  detail: string;
}

export interface QueryState<T> {
  data: T | undefined;
  error: QueryError | null;
  /** A read is in flight (the first, or a refresh while `data` still shows the last answer). */
  loading: boolean;
}

/** Any failure of a read or an action as the pages show it, prefixed with what was asked. */
export function queryError(err: unknown, what: string): QueryError {
  const kind = err instanceof ApiError ? err.kind : 'internal';
  const detail = err instanceof Error ? err.message : String(err);
  return { kind, message: `${what}: ${detail}`, detail };
}

/** Retry delay for an `unavailable` answer while someone still watches the read. */
export const unavailableRetryMs = 1000;

/**
 * How a read is made when the plain channel call is not enough: Explore's range queries come
 * back as typed-array columns (queryRangeColumns) rather than the contract's JSON.
 */
export type Loader<T> = (signal: AbortSignal) => Promise<T>;

interface Entry {
  name: ChannelName;
  request: unknown;
  load: Loader<unknown> | undefined;
  state: QueryState<unknown>;
  listeners: Set<() => void>;
  inFlight: AbortController | null;
  /** The engine's id for the query in flight, to stop it there too when it is cancelled here. */
  inFlightQueryId: string | undefined;
  /** The queryIds of the readers waiting for the read in flight (its starter and any that joined it). */
  readers: Set<string>;
  /** The newest read's promise (for `inFlight`): a replaced read settles with it. */
  pending: Promise<QueryState<unknown>> | null;
  pendingFor: AbortController | null;
  retry: ReturnType<typeof setTimeout> | undefined;
  /** When the last read succeeded (Date.now()), or 0. */
  settledMs: number;
}

type Call = (request: unknown, signal?: AbortSignal) => Promise<unknown>;

/** Reads nobody watches are kept for reuse up to this many, the least recently used dropped first. */
export const maxIdleEntries = 64;

const queryIdOf = (request: unknown): string | undefined => {
  const id = (request as { queryId?: unknown } | null)?.queryId;
  return typeof id === 'string' ? id : undefined;
};

const abortError = () => new DOMException('the read was replaced or nobody needs it', 'AbortError');

export class QueryCache {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly api: WorkbenchApi) {}

  /** A `queryId` names one run of a query (to cancel it in the engine); it does not change the answer, so it is not part of the key. */
  static key(name: ChannelName, request: unknown): string {
    if (request !== null && typeof request === 'object' && 'queryId' in request) {
      const { queryId: _id, ...rest } = request as Record<string, unknown>;
      return `${name} ${JSON.stringify(rest)}`;
    }
    return `${name} ${JSON.stringify(request)}`;
  }

  private entry(name: ChannelName, request: unknown): Entry {
    const key = QueryCache.key(name, request);
    let e = this.entries.get(key);
    if (e === undefined) {
      e = { name, request, load: undefined, state: { data: undefined, error: null, loading: false }, listeners: new Set(), inFlight: null, inFlightQueryId: undefined, readers: new Set(), pending: null, pendingFor: null, retry: undefined, settledMs: 0 };
    } else this.entries.delete(key); // re-inserted last: the Map's order is the recency order
    this.entries.set(key, e);
    return e;
  }

  /** Drops the least recently used reads that nobody watches and nothing is loading. */
  private evictIdle(): void {
    let idle = 0;
    for (const e of this.entries.values()) if (e.listeners.size === 0 && e.inFlight === null) idle++;
    for (const [key, e] of this.entries) {
      if (idle <= maxIdleEntries) return;
      if (e.listeners.size > 0 || e.inFlight !== null) continue;
      clearTimeout(e.retry);
      this.entries.delete(key);
      idle--;
    }
  }

  /** Aborts the entry's read in flight here and, when it carries a queryId, in the engine. */
  private abortInFlight(e: Entry): void {
    if (e.inFlight === null) return;
    e.inFlight.abort();
    e.inFlight = null;
    const queryId = e.inFlightQueryId;
    e.inFlightQueryId = undefined;
    e.readers.clear();
    if (queryId !== undefined) void this.api.cancelQuery({ queryId }).catch(() => {});
  }

  state<K extends ChannelName>(name: K, request: RequestOf<K>): QueryState<ResponseOf<K>> {
    return this.entry(name, request).state as QueryState<ResponseOf<K>>;
  }

  private set(e: Entry, patch: Partial<QueryState<unknown>>): void {
    e.state = { ...e.state, ...patch };
    for (const l of [...e.listeners]) l();
  }

  /**
   * Reads now, with the channel's call or `load`, and resolves with the state once the read is
   * settled. A read already in flight for the same channel and request is replaced: it is
   * aborted (and stopped in the engine when it has a queryId), its answer, should it still come,
   * is dropped, and its caller gets the newer read's state instead, so the newest read always wins.
   *
   * With `join`, a read already in flight for the same request is shared instead (dashboard panels
   * asking the same query at the same step and range: the answer cannot differ, and replacing it
   * made the engine run it twice); it is stopped only when every reader that shares it cancels.
   */
  fetch<K extends ChannelName, T = ResponseOf<K>>(name: K, request: RequestOf<K>, load?: Loader<T>, options?: { join?: boolean; freshMs?: number }): Promise<QueryState<T>> {
    const e = this.entry(name, request);
    const queryId = queryIdOf(request);
    if (options?.join === true && e.inFlight !== null && e.pending !== null && e.pendingFor === e.inFlight) {
      if (queryId !== undefined) e.readers.add(queryId);
      return e.pending as Promise<QueryState<T>>;
    }
    // With `freshMs`, an answer that came at most that long ago is answer enough (a preload).
    if (options?.freshMs !== undefined && e.inFlight === null && e.state.error === null && e.state.data !== undefined && Date.now() - e.settledMs <= options.freshMs) {
      return Promise.resolve(e.state as QueryState<T>);
    }
    this.abortInFlight(e);
    clearTimeout(e.retry);
    const controller = new AbortController();
    e.inFlight = controller;
    e.inFlightQueryId = queryId;
    e.readers = new Set(queryId === undefined ? [] : [queryId]);
    e.request = request;
    if (load !== undefined) e.load = load as Loader<unknown>;
    const read = this.read(e, name, request, controller);
    e.pending = read;
    e.pendingFor = controller;
    return read as Promise<QueryState<T>>;
  }

  private async read(e: Entry, name: ChannelName, request: unknown, controller: AbortController): Promise<QueryState<unknown>> {
    const replaced = (): Promise<QueryState<unknown>> | QueryState<unknown> => (e.pendingFor !== controller && e.pending !== null ? e.pending : e.state);
    const loader = e.load;
    this.set(e, { loading: true });
    const call = this.api[name] as Call;
    try {
      const data = await new Promise<unknown>((resolve, reject) => {
        controller.signal.addEventListener('abort', () => reject(abortError()), { once: true });
        // The HTTP client cancels the request itself; over IPC the answer is dropped.
        (loader !== undefined ? loader(controller.signal) : call.call(this.api, request, controller.signal)).then(resolve, reject);
      });
      if (e.inFlight !== controller) return replaced();
      e.inFlight = null;
      e.inFlightQueryId = undefined;
      e.readers.clear();
      e.settledMs = Date.now();
      this.set(e, { data, error: null, loading: false });
    } catch (err) {
      if (controller.signal.aborted || e.inFlight !== controller) return replaced();
      e.inFlight = null;
      e.inFlightQueryId = undefined;
      e.readers.clear();
      const error = queryError(err, name);
      this.set(e, { error, loading: false });
      if (error.kind === 'unavailable' && e.listeners.size > 0) e.retry = setTimeout(() => void this.fetch(name, request as RequestOf<ChannelName>), unavailableRetryMs);
    }
    this.evictIdle();
    return e.state;
  }

  /**
   * Stops a read in flight (here and in the engine) when it is this request's own (same
   * queryId): a newer read of the same query that replaced it, for another reader, runs on.
   * Its last answer stays cached.
   */
  cancel<K extends ChannelName>(name: K, request: RequestOf<K>): void {
    const e = this.entries.get(QueryCache.key(name, request));
    if (e === undefined || e.inFlight === null) return;
    const queryId = queryIdOf(request);
    if (queryId === undefined) {
      if (e.inFlightQueryId !== undefined) return;
    } else {
      // Not a reader of this read (a newer one replaced it), or others still wait for its answer.
      if (!e.readers.delete(queryId) || e.readers.size > 0) return;
    }
    this.abortInFlight(e);
    this.set(e, { loading: false });
  }

  /** Watches a read; the last watcher leaving cancels what is in flight. */
  subscribe(name: ChannelName, request: unknown, listener: () => void): () => void {
    const e = this.entry(name, request);
    e.listeners.add(listener);
    return () => {
      e.listeners.delete(listener);
      if (e.listeners.size > 0) return;
      this.abortInFlight(e);
      clearTimeout(e.retry);
      if (e.state.loading) this.set(e, { loading: false });
    };
  }

  /** Reads again every watched read of these channels (after a change the engine made). */
  invalidate(...names: ChannelName[]): Promise<void> {
    const watched = [...this.entries.values()].filter((e) => names.includes(e.name) && e.listeners.size > 0);
    return Promise.all(watched.map((e) => this.fetch(e.name, e.request as RequestOf<ChannelName>))).then(() => undefined);
  }
}

export interface ReadOptions {
  /** Read again this often while watched (a fallback when engine events drop). */
  pollMs?: number;
  /** Read again when the page is told the engine changed something. */
  subscribe?: (onChange: () => void) => () => void;
}

/**
 * A page's read of one channel: the cached answer at once, a fresh read on mount, on the poll
 * and on `subscribe`'s signal, and cancellation on unmount.
 */
export function useChannel<K extends ChannelName>(cache: QueryCache, name: K, request: RequestOf<K>, options: ReadOptions = {}): QueryState<ResponseOf<K>> & { refresh(): Promise<void> } {
  const key = QueryCache.key(name, request);
  const { pollMs, subscribe } = options;
  // The request object may be new on every render; the key says when it really changed, so the
  // callbacks depend on the key, not on the object.
  const refresh = useCallback(async () => void (await cache.fetch(name, request)), [cache, key]);
  const snapshot = useCallback(() => cache.state(name, request), [cache, key]);
  const state = useSyncExternalStore(
    useCallback((l: () => void) => cache.subscribe(name, request, l), [cache, key]),
    snapshot,
    snapshot,
  );
  useEffect(() => {
    // On mount, a read of the same request in flight or answered in the last second (a preload)
    // is as new as one started now.
    void cache.fetch(name, request, undefined, { join: true, freshMs: 1000 });
    const t = pollMs !== undefined ? setInterval(() => void refresh(), pollMs) : undefined;
    const off = subscribe?.(() => void refresh());
    return () => {
      clearInterval(t);
      off?.();
    };
  }, [refresh, pollMs, subscribe]);
  return { ...state, refresh };
}
