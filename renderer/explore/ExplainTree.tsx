import type { QueryStats } from '../../app/api/query.js';

interface TreeNode {
  node: QueryStats['nodes'][number];
  children: TreeNode[];
}

/** Nests the engine's per-node stats by position: a node contains the nodes inside its range. */
function buildTree(nodes: QueryStats['nodes']): TreeNode[] {
  const sorted = [...nodes].sort((a, b) => a.pos.start - b.pos.start || b.pos.end - a.pos.end);
  const roots: TreeNode[] = [];
  const stack: TreeNode[] = [];
  for (const node of sorted) {
    const t: TreeNode = { node, children: [] };
    while (stack.length > 0 && !(stack[stack.length - 1]!.node.pos.start <= node.pos.start && node.pos.end <= stack[stack.length - 1]!.node.pos.end)) stack.pop();
    if (stack.length > 0) stack[stack.length - 1]!.children.push(t);
    else roots.push(t);
    stack.push(t);
  }
  return roots;
}

function Node({ t, onPick }: { t: TreeNode; onPick(expr: string): void }) {
  const n = t.node;
  return (
    <li>
      <button type="button" className="explain-node" onClick={() => onPick(n.expr)} title="Graph this sub-expression">
        <code>{n.expr}</code>
      </button>
      <span className="explain-stats">
        {n.type}
        {n.series !== null && ` · ${n.series} series`}
        {n.samples !== null && ` · ${Math.round(n.samples).toLocaleString()} samples touched`} · {n.ms.toFixed(1)} ms
      </span>
      {n.example && Object.keys(n.example).length > 0 && (
        <div className="explain-example">
          e.g.{' '}
          {Object.entries(n.example).map(([k, v]) => (
            <span key={k} className="label-pill">
              {k}=<b>{v}</b>
            </span>
          ))}
        </div>
      )}
      {t.children.length > 0 && (
        <ul>
          {t.children.map((c, i) => (
            <Node key={i} t={c} onPick={onPick} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** The query as a tree with what each node cost; click a node to graph it. */
export function ExplainTree({ stats, onPick }: { stats: QueryStats; onPick(expr: string): void }) {
  const roots = buildTree(stats.nodes);
  return (
    <ul className="explain-tree" data-testid="explain-tree">
      {roots.map((t, i) => (
        <Node key={i} t={t} onPick={onPick} />
      ))}
    </ul>
  );
}

export function CostLine({ stats }: { stats: QueryStats }) {
  return (
    <p className="cost-line" data-testid="cost-line">
      {stats.seriesTouched.toLocaleString()} series · {Math.round(stats.samplesTouched).toLocaleString()} samples touched · peak{' '}
      {Math.round(stats.peakSamples).toLocaleString()} samples in memory · {stats.totalMs.toFixed(1)} ms
    </p>
  );
}
