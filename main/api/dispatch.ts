import type { WorkbenchApi } from '../../app/api/channels.js';
import { ApiError, type ApiErrorData } from '../../app/api/errors.js';
import { parseRequest, parseResponse, requireChannel } from '../../app/api/validate.js';

/** What crosses a process boundary: a value or an error, never a thrown exception. */
export type Envelope = { ok: true; value: unknown } | { ok: false; error: ApiErrorData };

/**
 * The one place a contract call is checked and run, for every shell: the channel must exist, the
 * request must match its schema, and so must the engine's answer. Failures become error
 * envelopes; the engine keeps running.
 */
export async function dispatch(api: WorkbenchApi, name: unknown, payload: unknown, where: string): Promise<Envelope> {
  try {
    const channel = requireChannel(name, where);
    const request = parseRequest(channel, payload, where);
    const call = api[channel] as (req: unknown) => Promise<unknown>;
    const value = parseResponse(channel, await call.call(api, request), where);
    return { ok: true, value };
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, error: err.toData() };
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { kind: 'internal', message, where } };
  }
}
