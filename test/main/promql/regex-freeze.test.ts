import { describe, expect, it } from 'vitest';
import { engine, flat, load } from './harness.js';

// Issue #19 item 1: with JavaScript's backtracking RegExp this query kept the event loop busy for
// over 100 s (the test timeout cannot interrupt a synchronous regex; run it under `timeout`).
describe('a hostile regex cannot freeze the engine', () => {
  it('count_over_time({__name__="longlab",v=~"(a+)+b"}[1h]) over a 50,000-character value answers in under 1 s', { timeout: 10_000 }, async () => {
    const long = 'a'.repeat(50_000);
    const s = load('1m', `longlab{v="${long}"} 1 1 1\nlonglab{v="${long}b"} 1 1`);
    const t0 = performance.now();
    const res = await engine().instantQuery(s, 'count_over_time({__name__="longlab",v=~"(a+)+b"}[1h])', 3 * 60_000);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(flat(res)).toEqual({ [`{v="${long}b"}`]: 2 });
  });
});
