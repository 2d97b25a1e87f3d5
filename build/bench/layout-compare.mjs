// One-off comparison of graph layout libraries on W-mesh's 200 services / 1,000 edges (the
// numbers are in the commit that chose the library). Run after `npm run build:main` with the
// candidates installed: npm install --no-save elkjs @dagrejs/dagre cytoscape cytoscape-fcose
import { performance } from 'node:perf_hooks';
import { syntheticMesh } from '../../dist/main/workload/mesh.js';

const model = syntheticMesh({ services: 200, edges: 1000, seed: 1 });
const nodes = model.services.map((s) => s.name);
const edges = model.edges.map((e, i) => ({ id: `e${i}`, s: e.src, t: e.dst }));
const W = 120, H = 36;

function crossings(pos) {
  const seg = edges.map((e) => [pos.get(e.s), pos.get(e.t), e]);
  let n = 0;
  const ccw = (a, b, c) => (c.y - a.y) * (b.x - a.x) - (b.y - a.y) * (c.x - a.x);
  for (let i = 0; i < seg.length; i++)
    for (let j = i + 1; j < seg.length; j++) {
      const [a, b, e] = seg[i], [c, d, f] = seg[j];
      if (e.s === f.s || e.s === f.t || e.t === f.s || e.t === f.t) continue;
      if (ccw(a, b, c) * ccw(a, b, d) < 0 && ccw(c, d, a) * ccw(c, d, b) < 0) n++;
    }
  return n;
}
function extent(pos) {
  const xs = [...pos.values()].map((p) => p.x), ys = [...pos.values()].map((p) => p.y);
  return `${Math.round(Math.max(...xs) - Math.min(...xs))}×${Math.round(Math.max(...ys) - Math.min(...ys))}`;
}
function overlaps(pos) {
  const p = [...pos.values()];
  let n = 0;
  for (let i = 0; i < p.length; i++) for (let j = i + 1; j < p.length; j++) if (Math.abs(p[i].x - p[j].x) < W && Math.abs(p[i].y - p[j].y) < H) n++;
  return n;
}
const report = (name, ms, pos) => console.log(`${name.padEnd(22)} ${ms.toFixed(0).padStart(6)} ms  crossings ${String(crossings(pos)).padStart(6)}  overlaps ${String(overlaps(pos)).padStart(4)}  extent ${extent(pos)}`);

{
  const ELK = (await import('elkjs/lib/elk.bundled.js')).default;
  const elk = new ELK();
  const graph = { id: 'root', layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.layered.spacing.nodeNodeBetweenLayers': '60', 'elk.spacing.nodeNode': '16' }, children: nodes.map((id) => ({ id, width: W, height: H })), edges: edges.map((e) => ({ id: e.id, sources: [e.s], targets: [e.t] })) };
  for (const strategy of ['NETWORK_SIMPLEX', 'BRANDES_KOEPF']) {
    graph.layoutOptions['elk.layered.nodePlacement.strategy'] = strategy;
    const t0 = performance.now();
    try {
      const out = await elk.layout(structuredClone(graph));
      const ms = performance.now() - t0;
      report(`elk layered ${strategy.toLowerCase()}`, ms, new Map(out.children.map((c) => [c.id, { x: c.x + W / 2, y: c.y + H / 2 }])));
    } catch (err) {
      console.log(`elk layered ${strategy.toLowerCase()}: ${String(err).slice(0, 80)} after ${(performance.now() - t0).toFixed(0)} ms`);
    }
  }
  const t0 = performance.now();
  try {
    const out = await elk.layout({ ...structuredClone(graph), layoutOptions: { 'elk.algorithm': 'stress' } });
    report('elk stress', performance.now() - t0, new Map(out.children.map((c) => [c.id, { x: c.x + W / 2, y: c.y + H / 2 }])));
  } catch (err) {
    console.log(`elk stress: ${String(err).slice(0, 80)}`);
  }
}
{
  const dagre = (await import('@dagrejs/dagre')).default;
  const t0 = performance.now();
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 60 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n, { width: W, height: H });
  for (const e of edges) g.setEdge(e.s, e.t);
  dagre.layout(g);
  const ms = performance.now() - t0;
  report('dagre', ms, new Map(nodes.map((n) => [n, { x: g.node(n).x, y: g.node(n).y }])));
}
{
  const cytoscape = (await import('cytoscape')).default;
  const fcose = (await import('cytoscape-fcose')).default;
  cytoscape.use(fcose);
  for (const name of ['fcose', 'cose', 'breadthfirst']) {
    const cy = cytoscape({ headless: true, styleEnabled: true, elements: [...nodes.map((id) => ({ data: { id }, style: { width: W, height: H } })), ...edges.map((e) => ({ data: { id: e.id, source: e.s, target: e.t } }))] });
    const t0 = performance.now();
    await new Promise((resolve) => { const l = cy.layout({ name, animate: false, randomize: true, directed: true, nodeDimensionsIncludeLabels: false }); l.one('layoutstop', resolve); l.run(); });
    const ms = performance.now() - t0;
    report(`cytoscape ${name}`, ms, new Map(cy.nodes().map((n) => [n.id(), n.position()])));
  }
}
