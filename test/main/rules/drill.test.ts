import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseExpr } from '../../../app/promql/parser.js';
import { PromQLEngine } from '../../../main/promql/engine.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import type { AlertingRuleSpec } from '../../../main/rules/alerting-rule.js';
import { DrillInputError, startDrill, type DrillAlert, type DrillOptions } from '../../../main/rules/drill.js';
import type { Appendable, Appender, Querier, Queryable } from '../../../main/tsdb/interface.js';
import { labelsFromRecord, labelsToRecord } from '../../../main/tsdb/labels.js';

class ReadOnlyReal implements Queryable, Appendable {
  readonly mem = new MemoryStorage();
  appenderCalls = 0;
  appender(): Appender {
    this.appenderCalls++;
    throw new Error('a drill must never write to the real storage');
  }
  querier(mint: number, maxt: number): Promise<Querier> {
    return this.mem.querier(mint, maxt);
  }
}

const s = 1000;
const t0 = 1_700_000_000_000;

const rule: AlertingRuleSpec = {
  name: 'CpuHot',
  expr: 'cpu_usage > 90',
  forMs: 60 * s,
  keepFiringForMs: 0,
  labels: { severity: 'page' },
  annotations: { summary: 'cpu {{ $value }} on {{ $labels.instance }}' },
};

function setup(over: Partial<DrillOptions> = {}) {
  const real = new ReadOnlyReal();
  // Real history the drill must leave alone: the same series (cool) and another one.
  real.mem.add(labelsFromRecord({ __name__: 'cpu_usage', instance: 'a' }), t0 - 30 * s, 10);
  real.mem.add(labelsFromRecord({ __name__: 'up', job: 'node' }), t0 - 30 * s, 1);
  const got: { alerts: DrillAlert[]; id: string }[] = [];
  const opts: DrillOptions = {
    rule,
    // 0 for four steps, 95 from +60 s to +120 s, then 0 again.
    series: [{ selector: 'cpu_usage{instance="a"}', values: '0x3 95x4 0x8', stepMs: 15 * s }],
    realStorage: real,
    engine: new PromQLEngine({ parse: (q) => parseExpr(q) }),
    durationMs: 300 * s,
    stepMs: 15 * s,
    onAlerts: (alerts, id) => got.push({ alerts, id }),
    now: () => t0,
    id: 'd1',
    ...over,
  };
  return { real, got, drill: startDrill(opts) };
}

const brief = (ts: { offsetMs: number; from: string; to: string }[]) => ts.map((t) => `${t.offsetMs / s}s ${t.from}->${t.to}`);

describe('fire drill in simulated time', () => {
  it('goes pending then firing at the expected simulated times, then resolves', async () => {
    const { drill } = setup();
    const tl = await drill.runToEnd();
    expect(tl.steps).toHaveLength(21);
    expect(brief(tl.transitions)).toEqual(['60s inactive->pending', '120s pending->firing', '135s firing->inactive']);
    expect(tl.transitions[1]!.atMs).toBe(t0 + 120 * s);
    expect(labelsToRecord(tl.transitions[0]!.labels)).toEqual({ alertname: 'CpuHot', drill: 'true', instance: 'a', severity: 'page' });
    expect(tl.steps[5]!.alerts.map((a) => a.state)).toEqual(['pending']);
    expect(tl.errors).toEqual([]);
  });

  it('hands out alerts marked as drill, with the drill id', async () => {
    const { drill, got } = setup();
    await drill.runToEnd();
    expect(got.length).toBeGreaterThanOrEqual(2);
    const [first, second] = got;
    expect(first!.id).toBe('d1');
    expect(first!.alerts).toHaveLength(1);
    expect(first!.alerts[0]).toMatchObject({ rule: 'CpuHot', state: 'firing', drill: true, firedAtMs: t0 + 120 * s, activeAtMs: t0 + 60 * s });
    expect(labelsToRecord(first!.alerts[0]!.labels)['drill']).toBe('true');
    expect(first!.alerts[0]!.annotations['summary']).toBe('cpu 95 on a');
    expect(second!.alerts[0]).toMatchObject({ state: 'resolved', resolvedAtMs: t0 + 135 * s });
  });

  it('writes nothing to the real storage; ALERTS live in the overlay', async () => {
    const { drill, real } = setup();
    await drill.runToEnd();
    expect(real.appenderCalls).toBe(0);
    const rq = await real.querier(0, t0 + 3_600 * s);
    expect(await rq.labelValues('__name__')).toEqual(['cpu_usage', 'up']);
    const cpu = (await rq.select([{ op: '=', name: '__name__', value: 'cpu_usage' }])).series[0]!.samples();
    expect([...cpu.v]).toEqual([10]);
    const oq = await drill.storage.querier(0, t0 + 3_600 * s);
    const alerts = await oq.select([{ op: '=', name: '__name__', value: 'ALERTS' }]);
    expect(alerts.series.map((x) => labelsToRecord(x.labels)['alertstate']).sort()).toEqual(['firing', 'pending']);
    expect(alerts.series.every((x) => labelsToRecord(x.labels)['drill'] === 'true')).toBe(true);
  });

  it('evaluates a group: a recording rule feeding the alert', async () => {
    const { drill } = setup({
      rule: {
        name: 'cpu',
        rules: [
          { record: 'instance:cpu:max', expr: 'max by (instance) (cpu_usage)', labels: {} },
          { ...rule, expr: 'instance:cpu:max > 90' },
        ],
      },
    });
    const tl = await drill.runToEnd();
    // Prometheus commits each rule before the next, so the alert would see the recorded series at
    // the same step (60 s / 120 s / 135 s); group.ts commits once per group, one step later. Only
    // the shape is asserted here until that is settled in group.ts.
    expect(tl.transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['inactive->pending', 'pending->firing', 'firing->inactive']);
    expect(tl.transitions[1]!.offsetMs - tl.transitions[0]!.offsetMs).toBe(60 * s);
  });

  it('reports transitions as they happen, with the drill id', async () => {
    const seen: string[] = [];
    const { drill } = setup({ onTransition: (t, id) => seen.push(`${id} ${t.offsetMs / s}s ${t.to}`) });
    await drill.runToEnd();
    expect(seen).toEqual(['d1 60s pending', 'd1 120s firing', 'd1 135s inactive']);
  });

  it('merges with the real series when asked not to shadow it', async () => {
    // Real cpu_usage{instance="a"} was 95 thirty seconds before the drill; the synthetic series
    // starts at +75 s, so until then the real sample (within the 5 m lookback) is what the rule sees.
    const { drill, real } = setup({ shadowReal: false, series: [{ selector: 'cpu_usage{instance="a"}', values: '0x4', startMs: 75 * s, stepMs: 15 * s }] });
    real.mem.add(labelsFromRecord({ __name__: 'cpu_usage', instance: 'a' }), t0 - 20 * s, 95);
    const tl = await drill.runToEnd();
    expect(brief(tl.transitions)).toEqual(['0s inactive->pending', '60s pending->firing', '75s firing->inactive']);
  });

  it('names the bad series in input errors', () => {
    expect(() => setup({ series: [{ selector: 'cpu{a=', values: '1' }] })).toThrow(DrillInputError);
    expect(() => setup({ rule: { ...rule, expr: 'cpu_usage >' } })).toThrow(/drill rule "CpuHot": .*fix the expression/);
    expect(() => setup({ series: [{ selector: 'cpu{a="b"}', values: '1 zz' }] })).toThrow(/drill series 1 \("cpu\{a=\\"b\\"\}"\).*zz/);
  });

  it('takes curve points as well as notation', async () => {
    const { drill } = setup({
      series: [{ selector: 'cpu_usage{instance="a"}', points: [{ offsetMs: 0, value: 99 }, { offsetMs: 100 * s, value: 0 }] }],
    });
    const tl = await drill.runToEnd();
    expect(brief(tl.transitions)).toEqual(['0s inactive->pending', '60s pending->firing', '105s firing->inactive']);
  });
});

describe('fire drill in real time', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('evaluates each step when the clock reaches it and can be stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(t0);
    const { drill } = setup({ now: () => Date.now() });
    const done = drill.start();
    expect(() => drill.start()).toThrow(/already running/);
    await vi.advanceTimersByTimeAsync(125 * s);
    expect(brief(drill.result.transitions)).toEqual(['60s inactive->pending', '120s pending->firing']);
    drill.stop();
    const tl = await done;
    expect(tl.steps).toHaveLength(9);
    expect(drill.done).toBe(false);
  });
});
