import { describe, expect, it } from 'vitest';
import { barGeometry, drillSeriesFor, formatFor, parseFor, ruleSpec } from '../../../renderer/alerts/rule-helpers.js';

describe('drillSeriesFor', () => {
  it('pre-fills one series per selector, crossing the threshold', () => {
    const r = drillSeriesFor('queue_depth{job="q", instance=~"a.*"} > 100');
    expect(r.note).toBeNull();
    expect(r.series).toEqual([{ selector: 'queue_depth{job="q"}', values: '0x3 200x10' }]);
  });
  it('deduplicates selectors across the expression', () => {
    const r = drillSeriesFor('rate(errs[5m]) / rate(reqs[5m]) > 0.05 and rate(errs[5m]) > 1');
    expect(r.series.map((s) => s.selector)).toEqual(['errs', 'reqs']);
  });
  it('explains an expression it cannot read instead of throwing', () => {
    const r = drillSeriesFor('sum(rate(x[5m]');
    expect(r.note).toMatch(/cannot read the expression/);
    expect(r.series).toHaveLength(1);
  });
});

describe('barGeometry', () => {
  const axis = { startMs: 1000, endMs: 2000 };
  it('places an interval in percent of the axis', () => {
    expect(barGeometry(1250, 1500, axis)).toEqual({ left: 25, width: 25 });
  });
  it('clamps to the axis and drops intervals outside it', () => {
    expect(barGeometry(500, 1100, axis)).toEqual({ left: 0, width: 10 });
    expect(barGeometry(2500, 3000, axis)).toBeNull();
  });
  it('keeps a one-evaluation interval visible', () => {
    expect(barGeometry(1500, 1500, axis)!.width).toBeGreaterThan(0);
  });
});

describe('for durations and rule specs', () => {
  it('formats and parses for', () => {
    for (const s of [0, 2, 60, 90, 3600, 5400]) expect(parseFor(formatFor(s))).toBe(s);
    expect(parseFor('1h30m')).toBe(5400);
    expect(parseFor('soon')).toBeNull();
  });
  it('takes the edited expr/for over the saved rule', () => {
    const saved = { name: 'Q', query: 'x > 1', forSeconds: 60, keepFiringForSeconds: 0, labels: { severity: 'critical' }, annotations: {} };
    expect(ruleSpec(saved)).toMatchObject({ alert: 'Q', expr: 'x > 1', forSeconds: 60 });
    expect(ruleSpec(saved, { expr: 'x > 2', forSeconds: 0 })).toMatchObject({ expr: 'x > 2', forSeconds: 0, labels: { severity: 'critical' } });
  });
});
