import { describe, expect, it } from 'vitest';
import type { Panel } from '../../../app/dashboards/model.js';
import { cssColor } from '../../../app/dashboards/units.js';
import { displayOptions, seriesLook } from '../../../renderer/dashboards/field-config.js';
import { seriesStacking } from '../../../renderer/dashboards/stacking.js';

const panel: Panel = {
  id: 1,
  type: 'timeseries',
  gridPos: { x: 0, y: 0, w: 12, h: 8 },
  fieldConfig: {
    defaults: { custom: { drawStyle: 'line', lineWidth: 2, fillOpacity: 10, stacking: { mode: 'normal', group: 'A' } } },
    overrides: [
      { matcher: { id: 'byName', options: 'errors' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }, { id: 'custom.drawStyle', value: 'bars' }] },
      { matcher: { id: 'byRegexp', options: 'p9.*' }, properties: [{ id: 'custom.drawStyle', value: 'points' }, { id: 'unit', value: 's' }] },
      { matcher: { id: 'byName', options: 'hidden' }, properties: [{ id: 'custom.hideFrom', value: { viz: true, legend: false, tooltip: false } }] },
    ],
  },
};

describe('per-series looks from fieldConfig', () => {
  it('defaults apply to every series', () => {
    expect(seriesLook(panel, 'ok', 'A')).toEqual({ color: null, style: { drawStyle: 'line', lineWidth: 2, fillOpacity: 10 }, hidden: false });
  });
  it('byName overrides colour and draw style', () => {
    expect(seriesLook(panel, 'errors', 'A')).toMatchObject({ color: cssColor('red'), style: { drawStyle: 'bars', lineWidth: 2 } });
  });
  it('byRegexp matches anywhere in the name, as Grafana’s JavaScript regex test does, and can set a unit', () => {
    expect(seriesLook(panel, 'p99', 'A')).toMatchObject({ style: { drawStyle: 'points' }, unit: 's' });
    expect(seriesLook(panel, 'latency p95', 'A').style.drawStyle).toBe('points');
    expect(seriesLook(panel, 'p50', 'A').style.drawStyle).toBe('line');
  });
  it('hideFrom.viz hides the series', () => {
    expect(seriesLook(panel, 'hidden', 'A').hidden).toBe(true);
  });
  it('stacking normal stacks; a chosen unit wins over inference, else the queries’ provable unit', () => {
    expect(seriesStacking(panel, 'x', 'A').mode).toBe('normal');
    expect(seriesStacking({ ...panel, fieldConfig: { defaults: { custom: { stacking: { mode: 'none' } } }, overrides: [] } }, 'x', 'A').mode).toBe('none');
    expect(seriesStacking({ ...panel, fieldConfig: { defaults: { custom: { stacking: { mode: 'percent', group: 'A' } } }, overrides: [] } }, 'x', 'A').mode).toBe('percent');
    expect(seriesStacking({ ...panel, fieldConfig: { defaults: {}, overrides: [] } }, 'x', 'A').mode).toBe('none');
    expect(displayOptions(panel, ['sum(scrape_duration_seconds)']).unit).toBe('s');
    expect(displayOptions({ ...panel, fieldConfig: { defaults: { unit: 'ms' }, overrides: [] } }, ['sum(scrape_duration_seconds)']).unit).toBe('ms');
    expect(displayOptions(panel, ['100 - avg(rate(node_cpu_seconds_total[1m])) * 100']).unit).toBeNull();
  });
});
