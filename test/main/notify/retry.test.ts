import { describe, it, expect } from 'vitest';
import { backoffDelay, withRetries } from '../../../main/notify/retry.js';
import { FakeClock, settle } from '../../../main/notify/clock.js';
import { DeliveryError, retryableStatus } from '../../../main/notify/integration.js';

describe('retries', () => {
  it('backs off exponentially with jitter, capped', () => {
    const o = { initialMs: 100, maxMs: 1000, maxAttempts: 10 };
    expect(backoffDelay(1, { ...o, random: () => 0 })).toBe(50);
    expect(backoffDelay(1, { ...o, random: () => 1 })).toBe(100);
    expect(backoffDelay(3, { ...o, random: () => 1 })).toBe(400);
    expect(backoffDelay(10, { ...o, random: () => 1 })).toBe(1000);
    expect(backoffDelay(60, { ...o, random: () => 0.5 })).toBe(750);
  });

  it('classifies statuses like Alertmanager', () => {
    expect([200, 400, 404, 422, 429, 500, 503].map(retryableStatus)).toEqual([false, false, false, false, true, true, true]);
  });

  it('retries retryable errors on the clock, stops on permanent ones and on cancel', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const p = withRetries(
      async () => {
        calls++;
        if (calls < 3) throw new DeliveryError('503', true);
      },
      clock,
      { initialMs: 1000, maxMs: 10_000, maxAttempts: 5, random: () => 1 },
      () => false,
    );
    await settle(); // let the first attempt fail and schedule its retry
    await clock.advance(999);
    expect(calls).toBe(1);
    await clock.advance(1); // first retry after 1s
    expect(calls).toBe(2);
    await clock.advance(2000); // second after 2s more
    expect(await p).toEqual({ ok: true, attempts: 3 });

    let permanentCalls = 0;
    const perm = await withRetries(
      async () => {
        permanentCalls++;
        throw new DeliveryError('400', false);
      },
      clock,
      { initialMs: 1, maxMs: 1, maxAttempts: 5 },
      () => false,
    );
    expect(perm.ok).toBe(false);
    expect(permanentCalls).toBe(1);

    const cancelled = await withRetries(async () => {}, clock, { initialMs: 1, maxMs: 1, maxAttempts: 5 }, () => true);
    expect(cancelled).toMatchObject({ ok: false, attempts: 0, permanent: true });
  });
});

describe('shutdown during a backoff', () => {
  it('ends the wait when aborted', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    let stop = false;
    const p = withRetries(
      async () => {
        throw new DeliveryError('503', true);
      },
      clock,
      { initialMs: 3600_000, maxMs: 3600_000, maxAttempts: 3 },
      () => stop,
      undefined,
      ac.signal,
    );
    await settle();
    stop = true;
    ac.abort();
    // No clock movement needed: the abort ends the hour-long backoff.
    expect(await p).toMatchObject({ ok: false, attempts: 1, permanent: true });
  });
});
