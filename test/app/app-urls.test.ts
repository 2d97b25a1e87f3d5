import { describe, expect, it } from 'vitest';
import { appHash, appUrl, decodeView, defaultView, encodeView, exploreQuery,
  exploreQueries, pageHash, pageIds, parseAppHash, type AppRoute, type ExploreView } from '../../app/app-urls.js';

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
    { page: 'rules' },
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
    expect(pageIds.map(pageHash)).toEqual(['#/explore', '#/topology', '#/alerts', '#/rules', '#/targets', '#/status']);
  });

  it('reads hand-written and older links, and refuses unknown pages', () => {
    const old = parseAppHash('#/explore?q0=up&tab=graph');
    expect(old).toEqual({ page: 'explore', view: { ...defaultView, panels: [{ query: 'up', enabled: true }] } });
    expect(parseAppHash('#explore')).toEqual({ page: 'explore', view: defaultView });
    expect(parseAppHash('#/status/extra')).toEqual({ page: 'status' });
    expect(parseAppHash('#/dashboards')).toBeNull();
    expect(parseAppHash('')).toBeNull();
  });

  it('falls back to defaults for broken Explore parameters', () => {
    expect(decodeView('start=5&end=3&step=-1&tab=nope&range=x')).toEqual(defaultView);
    for (const v of views) expect(decodeView(encodeView(v))).toEqual(v);
  });
});
