import { describe, expect, it } from 'vitest';
import { exportDashboard } from '../../../app/dashboards/export.js';
import { migrateDashboard } from '../../../app/dashboards/migrate.js';
import type { Dashboard, Panel } from '../../../app/dashboards/model.js';
import { topologyPanelOptions, topologyPanelType, topologyRequest } from '../../../app/dashboards/topology-panel.js';

const panel = (options: Record<string, unknown>): Panel => ({ id: 3, type: topologyPanelType, title: 'Mesh', gridPos: { x: 0, y: 0, w: 24, h: 12 }, options });

describe('topology panel options', () => {
  it('fills defaults and builds the channel request from what is set', () => {
    const { options, problems } = topologyPanelOptions(panel({ dialect: 'istio', namespace: 'shop', minRps: 0.5 }));
    expect(problems).toEqual([]);
    expect(options).toEqual({ dialect: 'istio', namespace: 'shop', minRps: 0.5, onlyUnhealthy: false, search: '', focus: null, hops: 1, groupByNamespace: false });
    expect(topologyRequest(options, 1000)).toEqual({ time: 1000, dialect: 'istio' });
    expect(topologyRequest(topologyPanelOptions(panel({ windowMs: 300_000, maxEdges: 50 })).options, 5)).toEqual({ time: 5, windowMs: 300_000, maxEdges: 50 });
  });

  it('an unusable option falls back to its default and is named; the others stay', () => {
    const { options, problems } = topologyPanelOptions(panel({ dialect: 'consul', hops: 9, onlyUnhealthy: true }));
    expect(options.dialect).toBeUndefined();
    expect(options.hops).toBe(1);
    expect(options.onlyUnhealthy).toBe(true);
    expect(problems.join('\n')).toMatch(/option dialect: .*default/);
    expect(problems.join('\n')).toMatch(/option hops: .*default/);
  });

  it('is a known type on import, kept with its options on export, and not a Grafana requirement when shared', () => {
    const d: Dashboard = { uid: 'mesh', title: 'Mesh', tags: [], time: { from: 'now-1h', to: 'now' }, schemaVersion: 39, editable: true, panels: [panel({ namespace: 'shop' })], templating: { list: [] }, annotations: { list: [] }, links: [] };
    const { report } = migrateDashboard(d, { newUid: () => 'new' });
    expect(report.unsupported).toEqual([]);
    const plain = exportDashboard(d, { external: false }) as { panels: Panel[] };
    expect(plain.panels[0]).toEqual(panel({ namespace: 'shop' }));
    const shared = exportDashboard(d, { external: true }) as { __requires: Array<{ id: string }> };
    expect(shared.__requires.map((r) => r.id)).not.toContain(topologyPanelType);
  });
});
