import {
  channelNames,
  httpRoute,
  type ChannelName,
  type RequestOf,
  type ResponseOf,
  type WorkbenchApi,
} from '../../app/api/channels.js';
import { ApiError, ApiErrorSchema } from '../../app/api/errors.js';
import { parseResponse } from '../../app/api/validate.js';
import { EngineEventSchema, httpEventsPath, type EngineEvent } from '../../app/api/events.js';
import { checkPackedRange, unpackRange, type PackedRangeResponse } from '../../app/api/range-packed.js';
import { columnsFromWire, responseFromPacked, type RangeColumnsResponse } from './range-columns.js';

/**
 * What the Electron preload puts on `window.vigil`: one function per channel, returning an
 * envelope. A range answer comes `packed` (typed arrays; see app/api/range-packed.ts).
 */
type Envelope = { ok: true; value: unknown } | { ok: false; error: unknown };
type BridgeEnvelope = Envelope | { ok: true; packed: unknown };
type Bridge = Record<string, (payload: unknown) => Promise<BridgeEnvelope>> & {
  onEvent?: (listener: (event: unknown) => void) => () => void;
};

declare global {
  interface Window {
    vigil?: Bridge;
  }
}

function unwrap<K extends ChannelName>(name: K, envelope: Envelope, where: string): ResponseOf<K> {
  if (envelope.ok) return parseResponse(name, envelope.value, where);
  const parsed = ApiErrorSchema.safeParse(envelope.error);
  throw new ApiError(parsed.success ? parsed.data : { kind: 'internal', message: String(envelope.error), where });
}

const ipcBridges = new WeakMap<object, Bridge>();

/** The contract over Electron IPC (the preload's named functions). */
export function createIpcClient(bridge: Bridge): WorkbenchApi {
  const api: Partial<Record<ChannelName, unknown>> = {};
  for (const name of channelNames) {
    api[name] = async (request: RequestOf<typeof name>) => {
      const fn = bridge[name];
      if (!fn) throw new ApiError({ kind: 'unknown_channel', message: `the desktop shell does not offer ${name}` });
      const where = `IPC ${name}`;
      const answer = await fn(request);
      if ('packed' in answer) {
        if (name !== 'queryRange') throw new ApiError({ kind: 'internal', message: `invalid response from ${name}: a packed answer`, where });
        return unpackRange(checkPackedRange(answer.packed, where));
      }
      return unwrap(name, answer, where);
    };
  }
  ipcBridges.set(api, bridge);
  return api as WorkbenchApi;
}

/** Channels whose answers can be large (all 200k metric names for completion): fetched, parsed and validated in a worker. */
const offThread = new Set<ChannelName>(['query', 'queryRange', 'labelValues']);

let worker: Worker | null = null;
let nextJob = 1;

type WorkerAnswer = { ok: true; packed: PackedRangeResponse } | Envelope;

const waitingAnswers = new Map<number, (answer: WorkerAnswer) => void>();

function fetchWorker(): Worker | null {
  if (typeof Worker === 'undefined') return null;
  if (worker === null) {
    try {
      worker = new Worker(new URL('./fetch-worker.ts', import.meta.url), { type: 'module' });
    } catch {
      return null;
    }
    worker.onmessage = (e: MessageEvent<WorkerAnswer & { id: number }>) => {
      const done = waitingAnswers.get(e.data.id);
      waitingAnswers.delete(e.data.id);
      done?.(e.data);
    };
  }
  return worker;
}

function fetchInWorker(url: string, name: ChannelName, body: string): Promise<WorkerAnswer> | null {
  const w = fetchWorker();
  if (w === null) return null;
  const id = nextJob++;
  return new Promise((resolve) => {
    waitingAnswers.set(id, resolve);
    w.postMessage({ id, url, name, body });
  });
}

/**
 * Starts the fetch worker now, for a page about to send queries (a dashboard opened from a
 * link): its script loads and compiles beside the page's own chunks instead of after them,
 * when the first query would wait for it. Nothing to do over IPC (the desktop app).
 */
export function startFetchWorker(): void {
  if (httpClients.has(api)) fetchWorker();
}

/** HTTP clients made here: their range answers can skip the wire values (queryRangeColumns). */
const httpClients = new WeakSet<object>();
const httpBases = new WeakMap<object, string>();

/**
 * A range query for the graph. Through `vigil serve` the fetch worker's typed arrays, and in the
 * desktop app the IPC answer's typed arrays, go to the chart as they are; otherwise (no worker)
 * the contract's answer is converted.
 */
export async function queryRangeColumns(client: WorkbenchApi, request: RequestOf<'queryRange'>, signal?: AbortSignal): Promise<RangeColumnsResponse> {
  const bridge = ipcBridges.get(client);
  if (bridge?.queryRange) {
    const where = 'IPC queryRange';
    const answer = await bridge.queryRange(request);
    if ('packed' in answer) return responseFromPacked(checkPackedRange(answer.packed, where));
    const r = unwrap('queryRange', answer, where);
    return { ...r, result: columnsFromWire(r.result) };
  }
  if (httpClients.has(client)) {
    const url = new URL(httpBases.get(client)! + httpRoute('queryRange'), globalThis.location?.href ?? 'http://127.0.0.1/').href;
    const pending = fetchInWorker(url, 'queryRange', JSON.stringify(request));
    if (pending !== null) {
      const answer = await pending;
      if ('packed' in answer) return responseFromPacked(answer.packed); // validated in the worker
      unwrap('queryRange', answer, `HTTP ${httpRoute('queryRange')}`);
    }
  }
  // The HTTP client takes a signal beside the contract's request (see the query cache).
  const withSignal = client.queryRange as (request: RequestOf<'queryRange'>, signal?: AbortSignal) => Promise<ResponseOf<'queryRange'>>;
  const r = await withSignal.call(client, request, signal);
  return { ...r, result: columnsFromWire(r.result) };
}

/** The absolute URL of a channel when `client` talks HTTP (`vigil serve`), else null (IPC). */
export function httpChannelUrl(client: WorkbenchApi, name: ChannelName): string | null {
  if (!httpClients.has(client)) return null;
  return new URL(httpBases.get(client)! + httpRoute(name), globalThis.location?.href ?? 'http://127.0.0.1/').href;
}

/** The contract over HTTP to `vigil serve` (same origin). */
function createHttpClient(baseUrl = ''): WorkbenchApi {
  const api: Partial<Record<ChannelName, unknown>> = {};
  for (const name of channelNames) {
    api[name] = async (request: RequestOf<typeof name>, signal?: AbortSignal) => {
      const where = `HTTP ${httpRoute(name)}`;
      if (offThread.has(name)) {
        const url = new URL(baseUrl + httpRoute(name), globalThis.location?.href ?? 'http://127.0.0.1/').href;
        const pending = fetchInWorker(url, name, JSON.stringify(request ?? {}));
        if (pending !== null) {
          const answer = await pending;
          if ('packed' in answer) return unpackRange(answer.packed) as ResponseOf<typeof name>; // validated in the worker
          if (answer.ok) return answer.value as ResponseOf<typeof name>;
          return unwrap(name, answer, where);
        }
      }
      let res: Response;
      try {
        res = await fetch(baseUrl + httpRoute(name), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(request ?? {}),
          signal: signal ?? null,
        });
      } catch (err) {
        throw new ApiError({ kind: 'unavailable', message: `cannot reach the Vigil engine: ${(err as Error).message}`, where });
      }
      const body: unknown = await res.json().catch(() => null);
      return unwrap(name, res.ok ? { ok: true, value: body } : { ok: false, error: body ?? res.statusText }, where);
    };
  }
  httpClients.add(api);
  httpBases.set(api, baseUrl);
  return api as WorkbenchApi;
}

/** IPC inside the desktop app, HTTP in a browser. */
function createApiClient(): WorkbenchApi {
  return typeof window !== 'undefined' && window.vigil ? createIpcClient(window.vigil) : createHttpClient();
}

export const api: WorkbenchApi = createApiClient();

/**
 * Engine events (notifications, change signals, navigation requests from the desktop shell):
 * IPC in the app, server-sent events in a browser. Malformed events are dropped.
 */
export function subscribeEvents(listener: (event: EngineEvent) => void): () => void {
  const deliver = (raw: unknown) => {
    const parsed = EngineEventSchema.safeParse(raw);
    if (parsed.success) listener(parsed.data);
  };
  if (typeof window !== 'undefined' && window.vigil?.onEvent) return window.vigil.onEvent(deliver);
  if (typeof EventSource === 'undefined') return () => {};
  const source = new EventSource(httpEventsPath);
  source.onmessage = (m: MessageEvent<string>) => {
    try {
      deliver(JSON.parse(m.data));
    } catch {
      /* not JSON: ignore */
    }
  };
  return () => source.close();
}
