/**
 * Lays out the topology graph off the page's thread with Cytoscape's fCoSE (headless). Chosen
 * over ELK layered and dagre on W-mesh's 200 nodes / 1,000 edges (build/bench/layout-compare.mjs):
 * fCoSE 1.4 s against ELK layered 5.9 s (its network-simplex placement overflowed the stack) and
 * dagre 11.6 s, with fewer straight-line crossings (52.8k against 71.9k and 69.0k), and it takes
 * the previous positions as seeds and keeps known nodes fixed, so new nodes are placed without
 * moving the rest.
 */
import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { nodeHeight, nodeWidth, type LayoutAnswer, type LayoutRequest } from './layout.js';

cytoscape.use(fcose);

function layout(req: LayoutRequest): LayoutAnswer {
  const t0 = performance.now();
  const known = new Set(req.nodes);
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    style: [{ selector: 'node', style: { width: nodeWidth, height: nodeHeight } }],
    elements: [
      ...req.nodes.map((id) => ({ data: { id }, ...(req.fixed[id] ? { position: { ...req.fixed[id] } } : {}) })),
      ...req.edges.filter((e) => known.has(e.source) && known.has(e.target) && e.source !== e.target).map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target } })),
    ],
  });
  const fixedIds = Object.keys(req.fixed).filter((id) => known.has(id));
  const options = {
    name: 'fcose',
    animate: false,
    randomize: fixedIds.length === 0,
    quality: 'default',
    nodeSeparation: 90,
    idealEdgeLength: 140,
    nodeRepulsion: 12000,
    packComponents: fixedIds.length === 0,
    ...(fixedIds.length > 0 ? { fixedNodeConstraint: fixedIds.map((nodeId) => ({ nodeId, position: req.fixed[nodeId]! })) } : {}),
  };
  cy.layout(options as cytoscape.LayoutOptions).run();
  const positions: Record<string, { x: number; y: number }> = {};
  cy.nodes().forEach((n) => {
    const p = n.position();
    positions[n.id()] = { x: p.x, y: p.y };
  });
  cy.destroy();
  return { id: req.id, positions, ms: performance.now() - t0 };
}

self.onmessage = (e: MessageEvent<LayoutRequest>) => {
  try {
    self.postMessage(layout(e.data));
  } catch (err) {
    self.postMessage({ id: e.data.id, positions: {}, ms: 0, error: err instanceof Error ? err.message : String(err) } satisfies LayoutAnswer);
  }
};
