import { describe, expect, it } from 'vitest';
import { appHash, appUrl, decodeView, defaultView, encodeView, exploreQueries, exploreQuery, pageHash, pageIds, parseAppHash, type AppRoute, type ExploreView } from '../../app/app-urls.js';

const views: ExploreView[] = [
  defaultView,
  {
    panels: [
      { query: 'sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) & # ? =', enabled: true },
      { query: 'up', enabled: false },
    ],
    range: { kind: 'absolute', startMs: 1_700_000_000_000, endMs: 1_700_000_360_000 },
    resolution: { kind: 'fixed', stepMs: 15_000 },
    tab: 'table',
    stacked: true,
    yFromZero: true,
  },
];

describe('app URLs', () => {
  it.each<AppRoute>([
    ...views.map((view): AppRoute => ({ page: 'explore', view })),
    exploreQuery('rate(x[1m])'),
    { page: 'alerts' },
    { page: 'alerts', alert: 'a1b2&c=d' },
    { page: 'alerts', drill: 'drill-lq2x-1' },
    { page: 'alerts', alert: 'f', drill: 'd' },
    exploreQueries(['sum(rate(response_total{a="b"}[1m]))', 'histogram_quantile(0.95, x)']),
    { page: 'topology' },
    { page: 'topology', time: 1795690000000, select: 'shop/checkout->shop/payment' },
    { page: 'topology', time: 1795690000000, source: 'vm-1' },
    { page: 'rules' },
    { page: 'dashboards' },
    { page: 'dashboards', dashboard: { uid: 'node-full', vars: {} } },
    {
      page: 'dashboards',
      dashboard: { uid: 'a/b c', range: { kind: 'relative', durationMs: 21_600_000 }, vars: { job: ['node'], instance: ['a:1', 'b&c=2'] }, refresh: '5s', edit: true },
    },
    { page: 'dashboards', dashboard: { uid: 'x', range: { kind: 'absolute', startMs: 1_700_000_000_000, endMs: 1_700_000_360_000 }, vars: { all: ['$__all'] } } },
    exploreQueries(['up', 'rate(x[1m])'], { kind: 'absolute', startMs: 1, endMs: 2 }),
    { page: 'targets' },
    { page: 'status' },
  ])('round-trips %j through the hash and an absolute URL', (route) => {
    expect(parseAppHash(appHash(route))).toEqual(route);
    expect(parseAppHash(appUrl('http://vigil.example:9095/sub', route))).toEqual(route);
  });

  it('spells each page as the shells and notifications always have', () => {
    expect(appHash({ page: 'alerts', alert: 'abc' })).toBe('#/alerts?alert=abc');
    expect(appHash({ page: 'alerts' })).toBe('#/alerts');
    expect(appUrl('http://vigil.test', { page: 'alerts', drill: 'drill-1' })).toBe('http://vigil.test/#/alerts?drill=drill-1');
    expect(appUrl('http://vigil.test/', exploreQuery('up == 0'))).toBe('http://vigil.test/#/explore?q0=up+%3D%3D+0&range=3600000&tab=graph');
    expect(pageIds.map(pageHash)).toEqual(['#/overview', '#/explore', '#/dashboards', '#/topology', '#/alerts', '#/rules', '#/targets', '#/status']);
  });

  it('reads hand-written and older links, and refuses unknown pages', () => {
    const old = parseAppHash('#/explore?q0=up&tab=graph');
    expect(old).toEqual({ page: 'explore', view: { ...defaultView, panels: [{ query: 'up', enabled: true }] } });
    expect(parseAppHash('#explore')).toEqual({ page: 'explore', view: defaultView });
    expect(parseAppHash('#/status/extra')).toEqual({ page: 'status' });
    expect(parseAppHash('#/nope')).toBeNull();
    expect(parseAppHash('')).toBeNull();
  });

  it('spells a dashboard as Grafana does: from/to, var-name repeated, refresh', () => {
    expect(appHash({ page: 'dashboards', dashboard: { uid: 'u', range: { kind: 'relative', durationMs: 3_600_000 }, vars: { i: ['a', 'b'] }, refresh: '5s' } })).toBe(
      '#/dashboards?uid=u&from=now-1h&to=now&var-i=a&var-i=b&refresh=5s',
    );
    // A Grafana link pasted in: its range and variables are read.
    expect(parseAppHash('#/dashboards?uid=rYdddlPWk&orgId=1&from=now-24h&to=now&var-job=node&var-node=localhost:9100')).toEqual({
      page: 'dashboards',
      dashboard: { uid: 'rYdddlPWk', range: { kind: 'relative', durationMs: 86_400_000 }, vars: { job: ['node'], node: ['localhost:9100'] } },
    });
    expect(parseAppHash('#/dashboards?uid=u&from=now-x&to=now')).toEqual({ page: 'dashboards', dashboard: { uid: 'u', vars: {} } });
  });

  it('falls back to defaults for broken Explore parameters', () => {
    expect(decodeView('start=5&end=3&step=-1&tab=nope&range=x')).toEqual(defaultView);
    for (const v of views) expect(decodeView(encodeView(v))).toEqual(v);
  });
});
