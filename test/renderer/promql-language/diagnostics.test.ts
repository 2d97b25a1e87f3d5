import { describe, expect, it } from 'vitest';
import { diagnose, formatQuery } from '../../../renderer/promql-language/diagnostics.js';

describe('editor diagnostics', () => {
  it('accept the experimental syntax the engine evaluates', () => {
    for (const q of ['rate(x[5m] anchored)', 'x smoothed', 'h </ 2', 'h >/ on (a) x', 'count_over_time(x[step() + 1m])', 'x offset min_of(range(), 5m)', 'max_of(1, 2)']) {
      expect(diagnose(q), q).toEqual([]);
    }
    expect(formatQuery('increase(x[5m]   smoothed)')).toBe('increase(x[5m] smoothed)');
  });
  it('still underline what Prometheus refuses', () => {
    expect(diagnose('sum(x) anchored').map((d) => d.message)).toEqual(['anchored modifier must be preceded by an instant vector selector or range vector selector']);
  });
});
