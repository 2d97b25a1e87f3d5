import { describe, expect, it } from 'vitest';
import type { WorkbenchApi } from '../../../app/api/channels.js';
import type { Panel } from '../../../app/dashboards/model.js';
import type { ResolvedVariable } from '../../../app/dashboards/variables.js';
import { QueryCache } from '../../../renderer/api/query-cache.js';
import { fetchPanelData, legendName, nativeHeatmap, planTarget, reduce, reducedValues, toHeatmap, type PanelData } from '../../../renderer/dashboards/panel-data.js';

const vars = new Map<string, ResolvedVariable>([
  ['instance', { name: 'instance', type: 'query', multi: true, includeAll: true, customAll: null, options: [{ text: 'a:1', value: 'a:1' }, { text: 'b.2', value: 'b.2' }], selected: ['$__all'], error: null }],
]);

describe('legendFormat', () => {
  it('replaces {{label}} (missing labels are empty) and variables; empty or __auto names the series', () => {
    expect(legendName('{{instance}} {{ mode }} {{nope}}!', { instance: 'x:1', mode: 'idle' }, vars)).toBe('x:1 idle !');
    expect(legendName('$instance', {}, vars)).toBe('a:1, b.2');
    expect(legendName('', { __name__: 'up', job: 'j' }, vars)).toBe('up{job="j"}');
    expect(legendName('__auto', { __name__: 'up' }, vars)).toBe('up');
  });
});

describe('a target as sent', () => {
  const panel: Panel = { id: 1, type: 'timeseries', gridPos: { x: 0, y: 0, w: 12, h: 8 }, targets: [] };
  it('interpolates variables and $__rate_interval, steps by Grafana’s interval, aligns the range to the step', () => {
    const p = planTarget(panel, { refId: 'A', expr: 'rate(x{instance=~"$instance"}[$__rate_interval])' }, { fromMs: 1_000_001, toMs: 1_000_001 + 3_600_000, widthPx: 1000, variables: vars });
    expect(p.query).toBe('rate(x{instance=~"(a:1|b\\\\.2)"}[60s])');
    expect(p.stepMs).toBe(15_000);
    expect(p.startMs % 15_000).toBe(0);
    expect(p.instant).toBe(false);
  });
  it('the engine’s scrape interval (dashboard meta) is the smallest step: a one-minute range scraped every second ends within a second of now', () => {
    const now = 15_000 * 66_666_667 + 14_200;
    const ctx = { fromMs: now - 60_000, toMs: now, widthPx: 570, variables: vars };
    // Grafana's default 15 s would end the range up to 15 s before now: a target younger than that has no point in it.
    expect(now - planTarget(panel, { refId: 'A', expr: 'rate(x[$__rate_interval])' }, ctx).endMs).toBe(14_200);
    const p = planTarget(panel, { refId: 'A', expr: 'rate(x[$__rate_interval])' }, { ...ctx, scrapeInterval: '1000ms' });
    expect(p.stepMs).toBe(1000);
    expect(now - p.endMs).toBeLessThan(1000);
    expect(p.query).toBe('rate(x[4s])');
  });
  it('maxDataPoints and the min interval set the step; instant targets are instant', () => {
    const p = planTarget({ ...panel, maxDataPoints: 60, interval: '30s' }, { refId: 'A', expr: 'up', instant: true }, { fromMs: 0, toMs: 3_600_000, widthPx: 1000, variables: vars });
    expect(p.stepMs).toBe(60_000);
    expect(p.instant).toBe(true);
  });
});

describe('heatmap from native histograms', () => {
  const h = (buckets: Array<[string, string, string]>) => ({ count: '0', sum: '0', buckets: buckets.map(([lo, up, n]) => [0, lo, up, n] as [number, string, string, string]) });
  it('a row per bucket upper bound over all steps and series, counts added, sorted by bound', () => {
    const t = new Float64Array([1000, 2000]);
    const series = [
      { refId: 'A', name: 'a', labels: {}, values: new Float64Array(2), histograms: [h([['0.5', '1', '3'], ['1', '2', '1']]), null] },
      { refId: 'A', name: 'b', labels: {}, values: new Float64Array(2), histograms: [h([['0.5', '1', '2']]), h([['2', '4', '5'], ['-1', '-0.5', '1']])] },
    ];
    const hm = nativeHeatmap(t, series, [], 0)!;
    expect(hm.bounds).toEqual(['-0.5', '1', '2', '4']);
    expect(hm.counts.map((c) => [...c])).toEqual([
      [0, 1],
      [5, 0],
      [1, 0],
      [0, 5],
    ]);
  });
  it('an instant answer is one column at the query time; nothing native gives null', () => {
    const hm = nativeHeatmap(new Float64Array(0), [], [{ refId: 'A', name: 'x', labels: {}, value: 0, histogram: h([['1', '+Inf', '4']]) }], 5000)!;
    expect([...hm.timestamps]).toEqual([5000]);
    expect(hm.bounds).toEqual(['+Inf']);
    expect(nativeHeatmap(new Float64Array(1), [{ refId: 'A', name: 'x', labels: {}, values: new Float64Array(1) }], [], 0)).toBeNull();
  });
});

describe('heatmap from classic buckets', () => {
  it('sorts by le and de-accumulates; same bounds from several series add up', () => {
    const t = new Float64Array([1, 2]);
    const s = (le: string, v: number[]) => ({ refId: 'A', name: le, labels: { le }, values: Float64Array.from(v) });
    const hm = toHeatmap(t, [s('+Inf', [10, 20]), s('0.1', [2, 4]), s('1', [5, 10]), s('1', [1, 1])])!;
    expect(hm.bounds).toEqual(['0.1', '1', '+Inf']);
    expect(hm.counts.map((c) => [...c])).toEqual([
      [2, 4],
      [4, 7],
      [4, 9],
    ]);
  });
  it('is null without le labels', () => {
    expect(toHeatmap(new Float64Array(1), [{ refId: 'A', name: 'x', labels: {}, values: new Float64Array(1) }])).toBeNull();
  });
});

describe('reducers', () => {
  it('lastNotNull skips gaps; mean, max, min, sum, count, delta', () => {
    const v = [1, null, 4, null];
    expect(reduce(v, 'lastNotNull')).toBe(4);
    expect(reduce(v, 'last')).toBeNull();
    expect(reduce(v, 'mean')).toBe(2.5);
    expect(reduce(v, 'max')).toBe(4);
    expect(reduce(v, 'sum')).toBe(5);
    expect(reduce(v, 'count')).toBe(2);
    expect(reduce(v, 'delta')).toBe(3);
  });
});

describe('fetching', () => {
  it('one failing target is an error for that target; the other still draws; hidden targets are not run', async () => {
    const asked: string[] = [];
    const client = {
      query: async ({ query }: { query: string }) => {
        asked.push(query);
        if (query === 'bad(') throw new Error('parse error at char 5');
        return { result: { resultType: 'vector', samples: [{ labels: { job: 'j' }, t: 1, v: 1 }] }, warnings: [], infos: [], stats: {} };
      },
      cancelQuery: async () => ({ cancelled: true }),
    } as unknown as WorkbenchApi;
    const panel: Panel = {
      id: 1,
      type: 'stat',
      gridPos: { x: 0, y: 0, w: 6, h: 4 },
      targets: [
        { refId: 'A', expr: 'bad(', instant: true },
        { refId: 'B', expr: 'up', instant: true, legendFormat: '{{job}}' },
        { refId: 'C', expr: 'hidden', instant: true, hide: true },
      ],
    };
    const d = await fetchPanelData(new QueryCache(client), panel, { fromMs: 0, toMs: 1000, widthPx: 500, variables: new Map() }, new AbortController().signal);
    expect(asked.sort()).toEqual(['bad(', 'up']);
    expect(d.instant.map((r) => r.name)).toEqual(['j']);
    expect(d.errors).toEqual([{ refId: 'A', message: expect.stringMatching(/^query A \(bad\(\): parse error at char 5/) }]);
  });
});

describe('the datasource a target queries', () => {
  it('sends the uid of a Prometheus reference naming a remote source; Vigil, names, placeholders and other types stay on the engine', async () => {
    const asked: Array<{ query: string; source?: string }> = [];
    const client = {
      query: async (r: { query: string; source?: string }) => {
        asked.push({ query: r.query, ...(r.source !== undefined ? { source: r.source } : {}) });
        return { result: { resultType: 'vector', samples: [] }, warnings: [], infos: [], stats: {} };
      },
      cancelQuery: async () => ({ cancelled: true }),
    } as unknown as WorkbenchApi;
    const panel: Panel = {
      id: 1,
      type: 'stat',
      gridPos: { x: 0, y: 0, w: 6, h: 4 },
      datasource: { type: 'prometheus', uid: 'vm1' },
      targets: [
        { refId: 'A', expr: 'a', instant: true },
        { refId: 'B', expr: 'b', instant: true, datasource: { type: 'prometheus', uid: 'vigil' } },
        { refId: 'C', expr: 'c', instant: true, datasource: { type: 'prometheus', uid: '${DS_PROMETHEUS}' } },
        { refId: 'D', expr: 'd', instant: true, datasource: { type: 'loki', uid: 'logs' } },
        { refId: 'E', expr: 'e', instant: true, datasource: 'Prometheus' },
        { refId: 'F', expr: 'f', instant: true, datasource: { uid: 'thanos' } },
      ],
    };
    await fetchPanelData(new QueryCache(client), panel, { fromMs: 0, toMs: 1000, widthPx: 500, variables: new Map() }, new AbortController().signal);
    expect(asked.sort((x, y) => x.query.localeCompare(y.query))).toEqual([
      { query: 'a', source: 'vm1' },
      { query: 'b' },
      { query: 'c' },
      { query: 'd' },
      { query: 'e' },
      { query: 'f', source: 'thanos' },
    ]);
  });
});

describe('a heatmap panel over a native histogram range answer', () => {
  it('draws the histograms the engine sent with the range answer', async () => {
    const hist = { count: '3', sum: '1', buckets: [[0, '0.5', '1', '2'], [0, '1', '2', '1']] };
    const client = {
      queryRange: async ({ start, step }: { start: number; step: number }) => ({
        result: { resultType: 'matrix', timestamps: [start, start + step], series: [{ labels: {}, values: [0, null], histograms: [hist, null] }] },
        warnings: [],
        infos: [],
        stats: {},
      }),
      cancelQuery: async () => ({ cancelled: true }),
    } as unknown as WorkbenchApi;
    const panel: Panel = { id: 1, type: 'heatmap', gridPos: { x: 0, y: 0, w: 6, h: 4 }, targets: [{ refId: 'A', expr: 'rate(h[1m])' }] };
    const d = await fetchPanelData(new QueryCache(client), panel, { fromMs: 0, toMs: 60_000, widthPx: 500, variables: new Map() }, new AbortController().signal);
    expect(d.heatmap?.bounds).toEqual(['1', '2']);
    expect(d.heatmap?.counts.map((c) => c[0])).toEqual([2, 1]);
  });
});

describe('stat and gauge on a series with one point (a first scrape)', () => {
  const v = 82_816_933_888;
  const data = (values: Array<number | null>): PanelData => ({
    timestamps: Float64Array.from(values.map((_, i) => i * 15_000)),
    series: [{ refId: 'A', name: '/', labels: { mountpoint: '/' }, values }],
    instant: [],
    heatmap: null,
    queries: [],
    errors: [],
    warnings: [],
  });
  it('reduce to that point, wherever it is in the range', () => {
    for (const calc of ['lastNotNull', 'last', 'mean', 'max', 'min', 'firstNotNull']) expect(reducedValues(data([null, null, null, v]), calc)[0]!.value).toBe(v);
    expect(reducedValues(data([null, v, null]), 'lastNotNull')[0]!.value).toBe(v);
    expect(reducedValues(data([null, null, v]), 'count')[0]!.value).toBe(1);
    // Grafana's `last` and `range` keep their meaning: the last step is empty, one point has no spread.
    expect(reducedValues(data([null, v, null]), 'last')[0]!.value).toBeNull();
    expect(reducedValues(data([null, v]), 'range')[0]!.value).toBe(0);
  });
});
