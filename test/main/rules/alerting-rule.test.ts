import { describe, expect, it } from 'vitest';
import { AlertingRule, resolvedRetentionMs, type EvalContext } from '../../../main/rules/alerting-rule.js';
import { RecordingRule } from '../../../main/rules/recording-rule.js';
import { RuleGroup } from '../../../main/rules/group.js';
import { labelsFromRecord, labelsToRecord } from '../../../main/tsdb/labels.js';
import type { RuleSample } from '../../../main/rules/types.js';
import { isStaleNaN, type Appendable, type Appender } from '../../../main/tsdb/interface.js';

const m = (rec: Record<string, string>, value: number): RuleSample => ({ labels: labelsFromRecord(rec), value });

function ctx(results: (ts: number) => RuleSample[], over: Partial<EvalContext> = {}): EvalContext {
  return {
    query: async (_expr, ts) => results(ts),
    expand: (t, data) => t.replace('{{ $labels.instance }}', data.labels['instance'] ?? '').replace('{{ $value }}', String(data.value)),
    externalLabels: {},
    externalURL: 'http://vigil',
    limit: 0,
    queryOffsetMs: 0,
    ...over,
  };
}

const rule = (forMs: number, keepFiringForMs = 0) =>
  new AlertingRule({
    name: 'HighErrors',
    expr: 'errors > 1',
    forMs,
    keepFiringForMs,
    labels: { severity: 'critical' },
    annotations: { summary: 'errors on {{ $labels.instance }} = {{ $value }}' },
  });

describe('alerting rule state machine (Prometheus semantics)', () => {
  it('is pending until `for` has passed, then firing; ALERTS and ALERTS_FOR_STATE follow', async () => {
    const r = rule(60_000);
    const c = ctx(() => [m({ __name__: 'errors', instance: 'a' }, 5)]);
    const out0 = await r.eval(0, c);
    expect(out0.map((s) => labelsToRecord(s.labels))).toEqual([
      { __name__: 'ALERTS', alertname: 'HighErrors', alertstate: 'pending', instance: 'a', severity: 'critical' },
      { __name__: 'ALERTS_FOR_STATE', alertname: 'HighErrors', instance: 'a', severity: 'critical' },
    ]);
    expect(out0[1]!.value).toBe(0);
    await r.eval(30_000, c);
    expect([...r.active.values()][0]!.state).toBe('pending');
    const out2 = await r.eval(60_000, c);
    expect([...r.active.values()][0]).toMatchObject({ state: 'firing', firedAtMs: 60_000, activeAtMs: 0 });
    expect(labelsToRecord(out2[0]!.labels)['alertstate']).toBe('firing');
    expect([...r.active.values()][0]!.annotations['summary']).toBe('errors on a = 5');
  });

  it('for: 0 fires at the first evaluation', async () => {
    const r = rule(0);
    await r.eval(0, ctx(() => [m({ instance: 'a' }, 2)]));
    expect([...r.active.values()][0]!.state).toBe('firing');
  });

  it('a pending alert that clears is dropped; a firing one resolves and is kept 15 m', async () => {
    const r = rule(0);
    let on = true;
    const c = ctx(() => (on ? [m({ instance: 'a' }, 2)] : []));
    await r.eval(0, c);
    on = false;
    const out = await r.eval(15_000, c);
    expect(out).toEqual([]);
    expect([...r.active.values()][0]).toMatchObject({ state: 'inactive', resolvedAtMs: 15_000 });
    await r.eval(15_000 + resolvedRetentionMs + 1, c);
    expect(r.active.size).toBe(0);

    const p = rule(60_000);
    let pon = true;
    const pc = ctx(() => (pon ? [m({ instance: 'a' }, 2)] : []));
    await p.eval(0, pc);
    pon = false;
    await p.eval(15_000, pc);
    expect(p.active.size).toBe(0);
  });

  it('keep_firing_for holds a firing alert after its condition clears', async () => {
    const r = rule(0, 60_000);
    let on = true;
    const c = ctx(() => (on ? [m({ instance: 'a' }, 2)] : []));
    await r.eval(0, c);
    on = false;
    await r.eval(30_000, c);
    expect([...r.active.values()][0]!.state).toBe('firing');
    await r.eval(90_000, c);
    expect([...r.active.values()][0]!.state).toBe('inactive');
  });

  it('a returning condition after resolution starts a new pending period', async () => {
    const r = rule(60_000);
    let on = true;
    const c = ctx(() => (on ? [m({ instance: 'a' }, 2)] : []));
    await r.eval(0, c);
    await r.eval(60_000, c);
    on = false;
    await r.eval(75_000, c);
    on = true;
    await r.eval(90_000, c);
    expect([...r.active.values()][0]).toMatchObject({ state: 'pending', activeAtMs: 90_000 });
  });

  it('refuses duplicate label sets and respects limit', async () => {
    const r = rule(0);
    await expect(r.eval(0, ctx(() => [m({ __name__: 'x', instance: 'a' }, 1), m({ __name__: 'y', instance: 'a' }, 1)]))).rejects.toThrow(
      'vector contains metrics with the same labelset after applying alert labels',
    );
    expect(r.health.health).toBe('err');
    const l = rule(0);
    await expect(l.eval(0, ctx(() => [m({ instance: 'a' }, 1), m({ instance: 'b' }, 1)], { limit: 1 }))).rejects.toThrow('exceeded limit of 1 with 2 alerts');
  });

  it('restores pending time after a restart so downtime does not count toward `for`', async () => {
    const r = rule(600_000);
    const c = ctx(() => [m({ instance: 'a' }, 2)]);
    // Before the restart the alert was pending since t=0; the engine went down at t=300s.
    // After the restart (t=400s) the first evaluation creates a fresh pending alert…
    await r.eval(400_000, c);
    r.restoreForState(400_000, () => ({ t: 300_000, v: 0 }), 60_000);
    // …whose activeAt moves by the downtime: 300 s were spent pending, 300 s remain.
    expect([...r.active.values()][0]!.activeAtMs).toBe(100_000);
    await r.eval(690_000, c);
    expect([...r.active.values()][0]!.state).toBe('pending');
    await r.eval(700_000, c);
    expect([...r.active.values()][0]!.state).toBe('firing');
  });

  it('sends firing alerts, resends after the delay, and sends the resolution once', async () => {
    const r = rule(0);
    let on = true;
    const c = ctx(() => (on ? [m({ instance: 'a' }, 2)] : []));
    await r.eval(0, c);
    expect(r.alertsToSend(0, 60_000, 15_000)).toHaveLength(1);
    expect(r.alertsToSend(15_000, 60_000, 15_000)).toHaveLength(0);
    expect(r.alertsToSend(60_000, 60_000, 15_000)).toHaveLength(0);
    expect(r.alertsToSend(75_000, 60_000, 15_000)).toHaveLength(1);
    on = false;
    await r.eval(90_000, c);
    const resolved = r.alertsToSend(90_000, 60_000, 15_000);
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.state).toBe('inactive');
    expect(r.alertsToSend(105_000, 60_000, 15_000)).toHaveLength(0);
  });
});

class RecordingStorage implements Appendable {
  samples: Array<{ labels: Record<string, string>; t: number; v: number }> = [];
  appender(): Appender {
    const pending: Array<{ labels: Record<string, string>; t: number; v: number }> = [];
    return {
      append: (series, t, v) => {
        if (typeof series === 'number') throw new Error('refs not used here');
        pending.push({ labels: labelsToRecord(series), t, v });
        return 1;
      },
      commit: async () => {
        this.samples.push(...pending);
      },
      rollback: () => {
        pending.length = 0;
      },
    };
  }
}

describe('rule group', () => {
  it('appends recording results and marks vanished series stale', async () => {
    const storage = new RecordingStorage();
    let results = [m({ __name__: 'x', job: 'a' }, 1), m({ __name__: 'x', job: 'b' }, 2)];
    const rec = new RecordingRule({ record: 'job:x:sum', expr: 'sum by (job) (x)', labels: { team: 'ops' } });
    const g = new RuleGroup({ name: 'g', file: 'f.yml', intervalMs: 15_000, limit: 0, queryOffsetMs: 0, rules: [rec] });
    const deps = { ctx: ctx(() => results), storage };
    await g.evalAt(15_000, deps);
    expect(storage.samples).toEqual([
      { labels: { __name__: 'job:x:sum', job: 'a', team: 'ops' }, t: 15_000, v: 1 },
      { labels: { __name__: 'job:x:sum', job: 'b', team: 'ops' }, t: 15_000, v: 2 },
    ]);
    results = [m({ __name__: 'x', job: 'a' }, 3)];
    await g.evalAt(30_000, deps);
    const stale = storage.samples.filter((s) => isStaleNaN(s.v));
    expect(stale).toEqual([{ labels: { __name__: 'job:x:sum', job: 'b', team: 'ops' }, t: 30_000, v: expect.any(Number) }]);
  });

  it('schedules at a stable per-group offset inside the interval', () => {
    const g = new RuleGroup({ name: 'g', file: 'f.yml', intervalMs: 60_000, limit: 0, queryOffsetMs: 0, rules: [] });
    const a = g.evalTimestamp(1_000_000);
    expect(a).toBeLessThanOrEqual(1_000_000);
    expect(1_000_000 - a).toBeLessThan(60_000);
    expect(g.evalTimestamp(a + 60_000)).toBe(a + 60_000);
    expect(g.evalTimestamp(a + 59_999)).toBe(a);
  });
});
