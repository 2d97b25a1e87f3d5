import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExpr } from '../../../app/promql/parser.js';
import { PromQLEngine } from '../../../main/promql/engine.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import type { AlertingRuleSpec } from '../../../main/rules/alerting-rule.js';
import { BacktestLimitError, backtestAlertingRule, compareBacktests, compareRuleEdit, type BacktestOptions } from '../../../main/rules/backtest.js';
import { subtractSpans, totalMs, type Span } from '../../../main/rules/backtest-intervals.js';
import { gridQueryFn, localRunner, queryFnFor } from '../../../main/rules/backtest-query.js';
import { StaleNaN } from '../../../main/tsdb/interface.js';
import { labelsFromRecord, labelsToRecord } from '../../../main/tsdb/labels.js';

const min = 60_000;

/** errors{instance="a"} is 5 during minutes [5, 15), errors{instance="b"} is 2 during [20, 25); 0 otherwise. */
function history(): MemoryStorage {
  const s = new MemoryStorage();
  const a = labelsFromRecord({ __name__: 'errors', instance: 'a' });
  const b = labelsFromRecord({ __name__: 'errors', instance: 'b' });
  for (let m = 0; m <= 30; m++) {
    s.add(a, m * min, m >= 5 && m < 15 ? 5 : 0);
    s.add(b, m * min, m >= 20 && m < 25 ? 2 : 0);
  }
  return s;
}

const rule = (over: Partial<AlertingRuleSpec> = {}): AlertingRuleSpec => ({
  name: 'HighErrors',
  expr: 'errors{instance="a"} > 1',
  forMs: 2 * min,
  keepFiringForMs: 0,
  labels: { severity: 'page' },
  annotations: { summary: 'errors at {{ $value }}' },
  ...over,
});

function opts(over: Partial<BacktestOptions> = {}): BacktestOptions {
  return {
    queryable: history(),
    engine: new PromQLEngine({ parse: (q) => parseExpr(q) }),
    startMs: 0,
    endMs: 30 * min,
    evaluationIntervalMs: min,
    // 2.5 m so resend times do not depend on whether the resend check is < or <=.
    resendDelayMs: 150_000,
    ...over,
  };
}

describe('backtestAlertingRule', () => {
  it('gives the pending and firing intervals of `for: 2m` over known history', async () => {
    const r = await backtestAlertingRule(rule(), opts());
    expect(r.evaluations).toBe(31);
    expect(r.alerts).toHaveLength(1);
    const a = r.alerts[0]!;
    expect(labelsToRecord(a.labels)).toEqual({ alertname: 'HighErrors', instance: 'a', severity: 'page' });
    expect(a.intervals).toEqual([
      { state: 'pending', startMs: 5 * min, endMs: 7 * min, ongoing: false },
      { state: 'firing', startMs: 7 * min, endMs: 15 * min, ongoing: false },
    ]);
    expect(a.pendingMs).toBe(2 * min);
    expect(a.firingMs).toBe(8 * min);
    expect(r.errorCount).toBe(0);
  });

  it('counts notifications with the resend delay: first send, resends, one resolved send', async () => {
    const r = await backtestAlertingRule(rule(), opts());
    const a = r.alerts[0]!;
    // Fires at 7m; resends once 2.5m have passed at an evaluation (10m, 13m); resolves at 15m.
    expect(a.sends.filter((s) => s.kind !== 'resolved-resend')).toEqual([
      { atMs: 7 * min, kind: 'firing' },
      { atMs: 10 * min, kind: 'resend' },
      { atMs: 13 * min, kind: 'resend' },
      { atMs: 15 * min, kind: 'resolved' },
    ]);
    expect(a.notifications).toBe(4);
    expect(r.notifications).toBe(4);
    // Prometheus repeats the resolved alert while it keeps it (15 m): 18, 21, 24, 27, 30.
    expect(a.resolvedResends).toBe(5);
  });

  it('extends the firing interval by keep_firing_for', async () => {
    const r = await backtestAlertingRule(rule({ keepFiringForMs: 3 * min }), opts());
    expect(r.alerts[0]!.intervals.filter((i) => i.state === 'firing')).toEqual([{ state: 'firing', startMs: 7 * min, endMs: 18 * min, ongoing: false }]);
  });

  it('marks an interval still open at the end of the window as ongoing', async () => {
    const r = await backtestAlertingRule(rule(), opts({ endMs: 10 * min }));
    expect(r.alerts[0]!.intervals.at(-1)).toEqual({ state: 'firing', startMs: 7 * min, endMs: 11 * min, ongoing: true });
    expect(r.alerts[0]!.sends.map((s) => s.kind)).toEqual(['firing', 'resend']);
  });

  it('warms up before the window so an alert already pending at the start keeps its `for` progress', async () => {
    // Above the threshold since 5m; live evaluation would fire it at 7m whatever window we look at.
    const warm = await backtestAlertingRule(rule(), opts({ startMs: 6 * min }));
    expect(warm.warmupEvaluations).toBe(2);
    expect(warm.alerts[0]!.intervals.slice(0, 2)).toEqual([
      { state: 'pending', startMs: 6 * min, endMs: 7 * min, ongoing: false },
      { state: 'firing', startMs: 7 * min, endMs: 15 * min, ongoing: false },
    ]);
    // Condition true through the whole warm-up: firing from the first evaluation of the window.
    const firing = await backtestAlertingRule(rule(), opts({ startMs: 9 * min }));
    expect(firing.alerts[0]!.intervals[0]).toEqual({ state: 'firing', startMs: 9 * min, endMs: 15 * min, ongoing: false });
    // Without warm-up the alert starts from nothing at the window's start.
    const cold = await backtestAlertingRule(rule(), opts({ startMs: 6 * min, warmupMs: 0 }));
    expect(cold.alerts[0]!.intervals.slice(0, 2)).toEqual([
      { state: 'pending', startMs: 6 * min, endMs: 8 * min, ongoing: false },
      { state: 'firing', startMs: 8 * min, endMs: 15 * min, ongoing: false },
    ]);
  });

  it('continues the resend schedule of sends made during the warm-up', async () => {
    // keep_firing_for 3m makes the warm-up 5m: from 3m, so the 7m send happens before a window at 8m.
    const r = await backtestAlertingRule(rule({ keepFiringForMs: 3 * min }), opts({ startMs: 8 * min }));
    expect(r.warmupEvaluations).toBe(5);
    expect(r.alerts[0]!.sends.slice(0, 3)).toEqual([
      { atMs: 10 * min, kind: 'resend' },
      { atMs: 13 * min, kind: 'resend' },
      { atMs: 16 * min, kind: 'resend' },
    ]);
  });

  it('counts the resolved send of an alert that fired only during the warm-up', async () => {
    const r = await backtestAlertingRule(rule(), opts({ startMs: 15 * min, warmupMs: 10 * min }));
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]!.intervals).toEqual([]);
    expect(r.alerts[0]!.sends[0]).toEqual({ atMs: 15 * min, kind: 'resolved' });
    expect(r.notifications).toBe(1);
  });

  it('steps at a coarser step when asked (for is then measured in those steps)', async () => {
    const r = await backtestAlertingRule(rule(), opts({ stepMs: 2 * min }));
    expect(r.evaluations).toBe(16);
    expect(r.alerts[0]!.intervals).toEqual([
      { state: 'pending', startMs: 6 * min, endMs: 8 * min, ongoing: false },
      { state: 'firing', startMs: 8 * min, endMs: 16 * min, ongoing: false },
    ]);
  });

  it('refuses windows needing too many steps, saying what to change', async () => {
    const err = await backtestAlertingRule(rule(), opts({ endMs: 30 * 24 * 60 * min, stepMs: 15_000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BacktestLimitError);
    expect((err as Error).message).toMatch(/HighErrors.*172809 evaluations.*limit is 11000.*step of at least/);
  });

  it('refuses an expression that does not parse before running any step', async () => {
    await expect(backtestAlertingRule(rule({ expr: 'errors >' }), opts())).rejects.toThrow(/backtest of rule "HighErrors": .* in "errors >"; fix the expression/);
  });

  it('records evaluation errors and keeps going', async () => {
    // Both series become instance="x": the rule fails at every evaluation, as it would live.
    const dup = rule({ expr: 'label_replace(errors >= 0, "instance", "x", "", "")', forMs: 0 });
    const r2 = await backtestAlertingRule(dup, opts({ endMs: 2 * min }));
    expect(r2.errorCount).toBe(3);
    expect(r2.errors[0]!.message).toMatch(/same labelset/);
    expect(r2.alerts).toEqual([]);
  });
});

describe('comparing an edited rule with the saved one', () => {
  it('shows alerts only in one run and the firing time and notifications that change', async () => {
    const saved = rule({ expr: 'errors > 1' });
    const edited = rule({ expr: 'errors > 3' });
    const c = await compareRuleEdit(saved, edited, opts());
    expect(c.onlySaved.map((l) => labelsToRecord(l)['instance'])).toEqual(['b']);
    expect(c.onlyEdited).toEqual([]);
    // b was pending 20-22m and firing 22-25m under the saved rule.
    expect(c.firingRemovedMs).toBe(3 * min);
    expect(c.firingAddedMs).toBe(0);
    expect(c.notificationsDelta).toBe(-2);
    expect(c.changed).toHaveLength(1);
    expect(c.summary).toBe('1 alert no longer raised; firing +0s / -3m; notifications 6 → 4 (-2)');
  });

  it('shows firing time added when `for` shortens', async () => {
    const c = await compareRuleEdit(rule(), rule({ forMs: min }), opts());
    expect(c.changed).toHaveLength(1);
    expect(c.changed[0]!.presence).toBe('both');
    expect(c.changed[0]!.firingAdded).toEqual([{ startMs: 6 * min, endMs: 7 * min }]);
    expect(c.firingRemovedMs).toBe(0);
  });

  it('reports no difference for identical rules and refuses different windows', async () => {
    const a = await backtestAlertingRule(rule(), opts());
    const b = await backtestAlertingRule(rule({ name: 'Renamed' }), opts());
    expect(compareBacktests(a, b).summary).toBe('no difference over this window');
    const c = await backtestAlertingRule(rule(), opts({ endMs: 20 * min }));
    expect(() => compareBacktests(a, c)).toThrow(/different windows/);
  });
});

/** Irregular history: gaps, a stale marker, values around the thresholds; deterministic. */
function messy(): MemoryStorage {
  const s = new MemoryStorage();
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const inst of ['a', 'b', 'c']) {
    const l = labelsFromRecord({ __name__: 'errors', instance: inst });
    for (let t = 0; t <= 40 * min; t += 20_000) {
      const r = rnd();
      if (r < 0.15) continue;
      s.add(l, t, r < 0.17 ? StaleNaN : Math.floor(rnd() * 5));
    }
  }
  return s;
}

describe('range-query replay', () => {
  const exprs = ['errors > 2', 'rate(errors[3m]) > 0.01', 'sum by (instance) (errors) > 2', 'vector(1)', 'label_replace(errors > 3, "instance", "x", "", "")', 'errors @ end() > 1'];
  it.each(exprs)('gives the same backtest as one instant query per step: %s', async (expr) => {
    const o = opts({ queryable: messy(), endMs: 40 * min, stepMs: 30_000, queryOffsetMs: 10_000 });
    const fast = await backtestAlertingRule(rule({ expr, forMs: min }), o);
    const slow = await backtestAlertingRule(rule({ expr, forMs: min }), { ...o, rangeQueries: false });
    expect(fast).toEqual(slow);
    expect(fast.evaluations).toBe(81);
    expect(fast.alerts.length + fast.errorCount).toBeGreaterThan(0);
  });

  it('answers each grid point as the instant query does, across block boundaries', async () => {
    const q = messy();
    const engine = new PromQLEngine({ parse: (x) => parseExpr(x) });
    const grid = gridQueryFn(localRunner(engine, q), { expr: 'errors * 2', firstMs: 5_000, lastMs: 30 * min + 5_000, stepMs: 45_000, blockSteps: 7 });
    const instant = queryFnFor(engine, q);
    let nonEmpty = 0;
    for (let t = 5_000; t <= 30 * min + 5_000; t += 45_000) {
      const a = await grid('errors * 2', t);
      expect(a).toEqual(await instant('errors * 2', t));
      if (a.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(20);
    // Off the grid and other expressions go to instant queries.
    expect(await grid('errors', 6_000)).toEqual(await instant('errors', 6_000));
  });
});

describe('subtractSpans', () => {
  it('cuts holes and edges', () => {
    const a = [{ startMs: 0, endMs: 10 }, { startMs: 20, endMs: 30 }];
    const b = [{ startMs: 2, endMs: 4 }, { startMs: 8, endMs: 22 }, { startMs: 25, endMs: 40 }];
    expect(subtractSpans(a, b)).toEqual([{ startMs: 0, endMs: 2 }, { startMs: 4, endMs: 8 }, { startMs: 22, endMs: 25 }]);
    expect(subtractSpans(b, [])).toEqual(b);
    expect(subtractSpans([], b)).toEqual([]);
  });
});

/** Sorted, disjoint spans from a sorted set of distinct cut points (pairs of neighbours). */
const spans = fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 16 }).map((xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const out: Span[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) out.push({ startMs: sorted[i]!, endMs: sorted[i + 1]! });
  return out;
});
const covers = (list: Span[], t: number): boolean => list.some((x) => x.startMs <= t && t < x.endMs);

describe('subtractSpans (properties)', () => {
  it('covers exactly the points in a and not in b, as sorted disjoint spans', () => {
    fc.assert(
      fc.property(spans, spans, (a, b) => {
        const d = subtractSpans(a, b);
        for (let t = 0; t <= 200; t++) expect(covers(d, t)).toBe(covers(a, t) && !covers(b, t));
        for (let i = 1; i < d.length; i++) expect(d[i]!.startMs).toBeGreaterThanOrEqual(d[i - 1]!.endMs);
        expect(d.every((x) => x.startMs < x.endMs)).toBe(true);
        expect(totalMs(d)).toBeLessThanOrEqual(totalMs(a));
      }),
      { numRuns: 300 },
    );
  });
});

describe('cancellation', () => {
  it('stops at the next step when the signal aborts', async () => {
    const ac = new AbortController();
    ac.abort(new Error('user closed the editor'));
    await expect(backtestAlertingRule(rule(), opts({ signal: ac.signal }))).rejects.toThrow(/user closed the editor/);
  });
});
