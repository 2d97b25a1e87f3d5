/**
 * Capped exponential backoff with full jitter, Alertmanager-style: retry until the attempt
 * succeeds, fails permanently (a non-retryable DeliveryError), or is cancelled.
 */
import type { Clock } from './clock.js';
import { DeliveryError } from './integration.js';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  maxAttempts: number;
  random?: () => number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 500, maxMs: 60_000, maxAttempts: 20 };

/** Delay before attempt `n` (1-based retry count): uniform in [d/2, d], d = min(max, initial·2^(n-1)). */
export function backoffDelay(n: number, o: BackoffOptions): number {
  const d = Math.min(o.maxMs, o.initialMs * 2 ** Math.min(n - 1, 30));
  return d / 2 + (o.random ?? Math.random)() * (d / 2);
}

export type AttemptOutcome = { ok: true; attempts: number } | { ok: false; attempts: number; error: Error; permanent: boolean };

export async function withRetries(
  attempt: (n: number) => Promise<void>,
  clock: Clock,
  o: BackoffOptions,
  cancelled: () => boolean,
  onError?: (e: Error, n: number) => void,
  signal?: AbortSignal,
): Promise<AttemptOutcome> {
  let last: Error = new Error('not attempted');
  for (let n = 1; n <= o.maxAttempts; n++) {
    if (cancelled()) return { ok: false, attempts: n - 1, error: new Error('cancelled: superseded by a newer notification'), permanent: true };
    try {
      await attempt(n);
      return { ok: true, attempts: n };
    } catch (e) {
      last = e instanceof Error ? e : new Error(String(e));
      onError?.(last, n);
      if (last instanceof DeliveryError && !last.retryable) return { ok: false, attempts: n, error: last, permanent: true };
    }
    if (n < o.maxAttempts) await sleep(clock, backoffDelay(n, o), signal);
  }
  return { ok: false, attempts: o.maxAttempts, error: last, permanent: false };
}

/** Waits on the clock; an abort ends the wait early so shutdown need not sit out a backoff. */
function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted === true) return resolve();
    const onAbort = (): void => {
      clock.clearTimer(h);
      resolve();
    };
    const h = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
