import { describe, expect, it } from 'vitest';
import type { TopologyEdge, TopologyNode } from '../../../app/api/topology.js';
import { compareGraphs, toNodeGraphFrames } from '../../../app/topology/graph.js';

const traffic = (rps: number, successRate: number | null) => ({ rps, successRate, p50: null, p95: 12, p99: null, mtls: 1 });
const node = (id: string, inRps: number, sr: number | null): TopologyNode => ({ id, name: id.split('/')[1]!, group: id.split('/')[0]!, kind: 'workload', inbound: traffic(inRps, sr), outbound: traffic(2, 1), health: 'good' });
const edge = (source: string, target: string, successRate: number, health: TopologyEdge['health'] = 'good'): TopologyEdge => ({ id: `${source}->${target}`, source, target, health, part: 0, match: {}, ...traffic(3, successRate) });

describe('topology graph operations', () => {
  it('marks new, gone and degraded edges against an earlier graph', () => {
    const before = { edges: [edge('a/x', 'a/y', 1), edge('a/x', 'a/z', 0.99), edge('a/y', 'a/z', 1)] };
    const now = { edges: [edge('a/x', 'a/y', 0.999), edge('a/x', 'a/z', 0.9, 'warning'), edge('a/z', 'a/w', 1)] };
    expect(Object.fromEntries(compareGraphs(now, before))).toEqual({ 'a/x->a/y': 'same', 'a/x->a/z': 'degraded', 'a/z->a/w': 'new', 'a/y->a/z': 'gone' });
  });

  it('gives Grafana nodeGraph frames: nodes id/title/subtitle/mainstat/arc__*, edges id/source/target/mainstat', () => {
    const f = toNodeGraphFrames({ nodes: [node('shop/cart', 5, 0.75), node('edge/web', 0, null)], edges: [edge('edge/web', 'shop/cart', 0.75)] });
    const col = (frame: typeof f.nodes, name: string) => frame.fields.find((x) => x.name === name)!.values;
    expect(f.nodes.meta.preferredVisualisationType).toBe('nodeGraph');
    expect(col(f.nodes, 'id')).toEqual(['shop/cart', 'edge/web']);
    expect(col(f.nodes, 'title')).toEqual(['cart', 'web']);
    expect(col(f.nodes, 'subtitle')).toEqual(['shop', 'edge']);
    expect(col(f.nodes, 'mainstat')).toEqual([5, 0]);
    expect(col(f.nodes, 'arc__success')).toEqual([0.75, 1]);
    expect(col(f.nodes, 'arc__failed')).toEqual([0.25, 0]);
    expect(f.edges.fields.map((x) => x.name).slice(0, 4)).toEqual(['id', 'source', 'target', 'mainstat']);
    expect(col(f.edges, 'source')).toEqual(['edge/web']);
    expect(col(f.edges, 'secondarystat')).toEqual([0.75]);
  });
});
