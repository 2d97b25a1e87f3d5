import { describe, expect, it } from 'vitest';
import { interruptedReason } from '../../../renderer/explore/interrupted.js';

describe('holding back a restored view whose query was running at a crash', () => {
  const interrupted = [{ query: ' sum(rate(x[5m])) ', startedMs: Date.UTC(2026, 10, 26, 9) }];

  it('runs a view none of whose queries were interrupted', () => {
    expect(interruptedReason(['up', ''], interrupted)).toBeNull();
    expect(interruptedReason(['sum(rate(x[5m]))'], [])).toBeNull();
  });

  it('names the interrupted panel and offers to run it', () => {
    const reason = interruptedReason(['up', 'sum(rate(x[5m]))'], interrupted);
    expect(reason).toMatch(/^Query 2 was running when Vigil last stopped unexpectedly \(started .+\), so it was not run again\.\nRun it/);
  });

  it('ignores disabled or empty panels', () => {
    expect(interruptedReason(['', 'up'], [{ query: '', startedMs: 0 }])).toBeNull();
  });
});
