/**
 * The topology picture: SVG nodes and edges at given positions, pan (drag) and zoom (wheel),
 * edge width by request rate, colour by health, figures on hover. Embeddable (dashboards' panel):
 * it takes nodes, edges and positions as props and reports clicks.
 */
import { memo, useLayoutEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent, type PointerEvent as ReactPointerEvent, type WheelEvent as ReactWheelEvent } from 'react';
import type { Health } from '../../app/api/topology.js';
import type { EdgeChange } from '../../app/topology/graph.js';
import { nodeHeight, nodeWidth, type Point } from './layout.js';
import type { ViewEdge, ViewNode } from './view-model.js';

const healthColours: Record<Health, string> = { good: '#2e9e5b', warning: '#d9a400', poor: '#d64545', unknown: '#8a8f98' };

export interface TopologyGraphProps {
  nodes: readonly ViewNode[];
  edges: readonly ViewEdge[];
  positions: ReadonlyMap<string, Point>;
  selected?: string | null;
  onSelect?: (id: string | null, kind: 'node' | 'edge' | null) => void;
  /** Marks from "compare with 1 h ago"; gone edges are drawn dashed. */
  changes?: ReadonlyMap<string, EdgeChange> | null;
  goneEdges?: readonly ViewEdge[];
  height?: number;
}

const fmt = (n: number | null, unit = '') => (n === null ? '–' : `${Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3)}${unit}`);

/** Where the line from `from` to the centre of a node meets the node's box, so arrows show. */
function atBorder(from: Point, to: Point): Point {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const t = Math.min(dx === 0 ? Infinity : nodeWidth / 2 / Math.abs(dx), dy === 0 ? Infinity : nodeHeight / 2 / Math.abs(dy));
  return t >= 1 ? from : { x: to.x - dx * t, y: to.y - dy * t };
}

/** A pan/zoom gesture in screen space: translate (px) after a scale about the picture's centre. */
interface Gesture {
  tx: number;
  ty: number;
  s: number;
}

/** How long after the last wheel step the zoom is committed to the drawing. */
const wheelSettleMs = 150;

export function TopologyGraph({ nodes, edges, positions, selected = null, onSelect, changes = null, goneEdges = [], height = 560 }: TopologyGraphProps) {
  const [view, setView] = useState<{ x: number; y: number; k: number } | null>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  // While the user pans or zooms, only a CSS transform on the <svg> changes (the compositor moves
  // the drawing already rastered; no React render, no layout, no paint): the gesture is committed
  // to the viewBox, re-rastering once, when it ends.
  const gesture = useRef<Gesture | null>(null);
  const drag = useRef<{ x: number; y: number; tx: number; ty: number; moved: boolean } | null>(null);
  const wheelTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const placed = nodes.filter((n) => positions.has(n.id));
  const xs = placed.map((n) => positions.get(n.id)!.x);
  const ys = placed.map((n) => positions.get(n.id)!.y);
  const bounds = placed.length === 0 ? { x: 0, y: 0, w: 800, h: 400 } : { x: Math.min(...xs) - nodeWidth, y: Math.min(...ys) - nodeHeight * 2, w: Math.max(...xs) - Math.min(...xs) + nodeWidth * 2, h: Math.max(...ys) - Math.min(...ys) + nodeHeight * 4 };
  const v = view ?? { x: 0, y: 0, k: 1 };
  const maxRps = Math.max(1e-9, ...edges.map((e) => e.rps));
  const width = (rps: number) => 1 + 7 * Math.sqrt(rps / maxRps);
  // Zoom about the centre of the picture.
  const vw = bounds.w / v.k;
  const vh = bounds.h / v.k;
  const viewBox = `${bounds.x + (bounds.w - vw) / 2 + v.x} ${bounds.y + (bounds.h - vh) / 2 + v.y} ${vw} ${vh}`;

  const apply = (g: Gesture | null) => {
    const svg = svgRef.current;
    if (svg !== null) svg.style.transform = g === null ? '' : `translate(${g.tx}px, ${g.ty}px) scale(${g.s})`;
  };
  /** Ends the gesture: the same picture drawn by the viewBox instead of the transform. */
  const commit = () => {
    const g = gesture.current;
    if (wheelTimer.current !== null) clearTimeout(wheelTimer.current);
    wheelTimer.current = null;
    if (g === null) return;
    gesture.current = null;
    const rect = svgRef.current?.getBoundingClientRect();
    // World units per screen pixel (the viewBox is fitted with xMidYMid meet), before the gesture.
    const wpp = rect === undefined ? 1 : Math.max(vw / Math.max(1, rect.width / g.s), vh / Math.max(1, rect.height / g.s));
    if (g.tx === 0 && g.ty === 0 && g.s === 1) return apply(null);
    // The transform is removed in the same frame as the new viewBox is drawn (layout effect below).
    setView({ x: v.x - (g.tx / g.s) * wpp, y: v.y - (g.ty / g.s) * wpp, k: v.k * g.s });
  };
  useLayoutEffect(() => apply(gesture.current), [viewBox]);
  const onWheel = (e: ReactWheelEvent<HTMLDivElement>) => {
    const g = gesture.current ?? { tx: 0, ty: 0, s: 1 };
    const k = Math.min(20, Math.max(0.1, v.k * g.s * Math.exp(-e.deltaY * 0.0015)));
    const f = k / (v.k * g.s);
    // Scale about the centre: the translation scales too.
    gesture.current = { tx: g.tx * f, ty: g.ty * f, s: g.s * f };
    apply(gesture.current);
    if (wheelTimer.current !== null) clearTimeout(wheelTimer.current);
    wheelTimer.current = setTimeout(commit, wheelSettleMs);
  };
  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    const g = gesture.current ?? { tx: 0, ty: 0, s: 1 };
    gesture.current = g;
    // A zoom still settling becomes part of this drag, committed with it.
    if (wheelTimer.current !== null) clearTimeout(wheelTimer.current);
    wheelTimer.current = null;
    drag.current = { x: e.clientX, y: e.clientY, tx: g.tx, ty: g.ty, moved: false };
  };
  const onPointerMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    const g = gesture.current;
    if (d === null || g === null) return;
    if (Math.abs(e.clientX - d.x) + Math.abs(e.clientY - d.y) > 3) d.moved = true;
    gesture.current = { ...g, tx: d.tx + e.clientX - d.x, ty: d.ty + e.clientY - d.y };
    apply(gesture.current);
  };
  const onPointerUp = () => {
    if (drag.current === null) return;
    // A click's handler reads `moved`; the flag is cleared after it ran.
    setTimeout(() => {
      drag.current = null;
    });
    commit();
  };
  /** Clicks are delegated: the element clicked names its node or edge in its data attributes. */
  const onClick = (e: ReactMouseEvent<SVGSVGElement>) => {
    if (drag.current?.moved) return;
    const hit = hitOf(e.target);
    onSelect?.(hit?.id ?? null, hit?.kind ?? null);
  };
  /** Figures on hover: one tooltip, filled from the current answer when the pointer enters an element. */
  const [hover, setHover] = useState<{ id: string; kind: 'node' | 'edge'; x: number; y: number } | null>(null);
  const onPointerOver = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (drag.current !== null) return;
    const hit = hitOf(e.target);
    const box = e.currentTarget.parentElement!.getBoundingClientRect();
    setHover(hit === null ? null : { ...hit, x: e.clientX - box.left, y: e.clientY - box.top });
  };

  // Panning and zooming only change a transform, then the viewBox: the drawing itself is kept.
  // A refresh re-renders only the elements whose drawn values changed (memo on rounded props):
  // the figures that change every refresh are not in the drawing but in the hover tooltip.
  const content = useMemo(() => {
    const edgeOf = (e: ViewEdge, dashed: boolean, change: EdgeChange) => {
      const a = positions.get(e.source);
      const b = positions.get(e.target);
      if (a === undefined || b === undefined) return null;
      const lit = selected === null || selected === e.id || selected === e.source || selected === e.target;
      return (
        <EdgeView
          key={e.id}
          id={e.id}
          a={a}
          b={b}
          health={e.health}
          colour={dashed ? '#8a8f98' : healthColours[e.health]}
          width={Math.round((width(e.rps) + (selected === e.id ? 2 : 0)) * 4) / 4}
          opacity={lit ? 0.85 : 0.2}
          dash={dashed ? '6 4' : change === 'new' ? '2 3' : undefined}
          marker={`url(#arrow-${dashed ? 'unknown' : e.health})`}
          change={change}
        />
      );
    };
    return (
      <>
        <g>{edges.map((e) => edgeOf(e, false, changes?.get(e.id) ?? 'same'))}</g>
        <g>{goneEdges.map((e) => edgeOf(e, true, 'gone'))}</g>
        <g>
          {placed.map((n) => (
            <NodeView key={n.id} id={n.id} at={positions.get(n.id)!} health={n.health} kind={n.kind} label={n.label} group={n.group} selected={selected === n.id} />
          ))}
        </g>
      </>
    );
    // width() reads maxRps; placed follows nodes and positions.
  }, [nodes, edges, positions, selected, changes, goneEdges, maxRps]);
  const tooltip = hover === null ? null : tooltipText(hover, nodes, edges, goneEdges, changes);
  return (
    <div
      className="topology-viewport"
      style={{ position: 'relative', height, overflow: 'hidden', cursor: 'grab', touchAction: 'none', userSelect: 'none', background: 'var(--panel-bg, #fff)' }}
      onWheel={onWheel}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerLeave={onPointerUp}
    >
    <svg
      ref={svgRef}
      className="topology-graph"
      data-testid="topology-graph"
      width="100%"
      height={height}
      viewBox={viewBox}
      onClick={onClick}
      onPointerOver={onPointerOver}
      onPointerOut={(e) => {
        if (e.relatedTarget === null || !e.currentTarget.contains(e.relatedTarget as Node)) setHover(null);
      }}
      xmlns="http://www.w3.org/2000/svg"
      style={{ display: 'block', transformOrigin: '50% 50%', willChange: 'transform' }}
    >
      <defs>
        {(Object.keys(healthColours) as Health[]).map((h) => (
          <marker key={h} id={`arrow-${h}`} viewBox="0 0 10 10" refX={9} refY={5} markerUnits="userSpaceOnUse" markerWidth={10} markerHeight={10} orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill={healthColours[h]} />
          </marker>
        ))}
      </defs>
      {content}
    </svg>
    {tooltip !== null && hover !== null && (
      <div className="topology-tooltip" role="tooltip" style={{ left: hover.x + 12, top: hover.y + 12 }}>
        {tooltip}
      </div>
    )}
    </div>
  );
}

/** The node or edge an event's target belongs to. */
function hitOf(target: EventTarget | null): { id: string; kind: 'node' | 'edge' } | null {
  const el = target instanceof Element ? target.closest('[data-edge-id], [data-node-id]') : null;
  if (el === null) return null;
  const edge = el.getAttribute('data-edge-id');
  return edge !== null ? { id: edge, kind: 'edge' } : { id: el.getAttribute('data-node-id')!, kind: 'node' };
}

function tooltipText(
  hover: { id: string; kind: 'node' | 'edge' },
  nodes: readonly ViewNode[],
  edges: readonly ViewEdge[],
  gone: readonly ViewEdge[],
  changes: ReadonlyMap<string, EdgeChange> | null,
): string | null {
  if (hover.kind === 'node') {
    const n = nodes.find((x) => x.id === hover.id);
    return n === undefined ? null : `${n.id}\n${fmt(n.rps, ' req/s')} in+out · ${n.health}`;
  }
  const e = edges.find((x) => x.id === hover.id) ?? gone.find((x) => x.id === hover.id);
  if (e === undefined) return null;
  const change = changes?.get(e.id);
  return `${e.source} → ${e.target}\n${fmt(e.rps, ' req/s')} · success ${e.successRate === null ? '–' : fmt(e.successRate * 100, ' %')} · p95 ${fmt(e.p95, ' ms')}${change && change !== 'same' ? `\n${change} since 1 h ago` : ''}`;
}

interface EdgeViewProps {
  id: string;
  a: Point;
  b: Point;
  health: Health;
  colour: string;
  width: number;
  opacity: number;
  dash: string | undefined;
  marker: string;
  change: EdgeChange;
}

const EdgeView = memo(function EdgeView({ id, a, b, health, colour, width, opacity, dash, marker, change }: EdgeViewProps) {
  // A slight curve so edges in both directions stay apart.
  const mx = (a.x + b.x) / 2 + (b.y - a.y) * 0.08;
  const my = (a.y + b.y) / 2 - (b.x - a.x) * 0.08;
  const end = atBorder({ x: mx, y: my }, b);
  const d = `M${a.x},${a.y} Q${mx},${my} ${end.x},${end.y}`;
  return (
    <g className="topology-edge" data-edge-id={id} data-health={health} data-change={change}>
      <path d={d} fill="none" stroke="transparent" strokeWidth={Math.max(10, width + 6)} />
      <path d={d} fill="none" stroke={colour} strokeOpacity={opacity} strokeWidth={width} strokeDasharray={dash} markerEnd={marker} />
      {change === 'degraded' && <circle cx={mx} cy={my} r={5} fill={healthColours.poor} />}
    </g>
  );
});

interface NodeViewProps {
  id: string;
  at: Point;
  health: Health;
  kind: ViewNode['kind'];
  label: string;
  group: string | null;
  selected: boolean;
}

const NodeView = memo(function NodeView({ id, at, health, kind, label, group, selected }: NodeViewProps) {
  return (
    <g className="topology-node" data-node-id={id} data-health={health} transform={`translate(${at.x - nodeWidth / 2},${at.y - nodeHeight / 2})`}>
      <rect width={nodeWidth} height={nodeHeight} rx={kind === 'external' ? 17 : 6} fill="#fff" stroke={healthColours[health]} strokeWidth={selected ? 4 : 2} strokeDasharray={kind === 'external' ? '4 3' : undefined} />
      <text x={nodeWidth / 2} y={14} textAnchor="middle" fontSize={12} fontWeight={600} fill="#1d2330">
        {label.length > 18 ? `${label.slice(0, 17)}…` : label}
      </text>
      <text x={nodeWidth / 2} y={27} textAnchor="middle" fontSize={10} fill="#5b6270">
        {kind === 'group' ? 'namespace' : (group ?? '')}
      </text>
    </g>
  );
});
