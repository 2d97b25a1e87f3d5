/** Downloads of the topology: the answer as JSON, the picture as SVG or PNG. */
import type { TopologyResponse } from '../../app/api/topology.js';

function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

const stamp = (t: number) => new Date(t).toISOString().replace(/[:.]/g, '-');

/** Nodes, edges, figures, notes and the time, as the engine answered. */
export function exportJson(graph: TopologyResponse): void {
  const { nodes, edges, notes, time, windowMs, dialect, thresholds } = graph;
  download(`topology-${stamp(time)}.json`, new Blob([JSON.stringify({ time, windowMs, dialect, thresholds, nodes, edges, notes }, null, 2)], { type: 'application/json' }));
}

function svgText(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const box = svg.viewBox.baseVal;
  copy.setAttribute('width', String(Math.round(box.width)));
  copy.setAttribute('height', String(Math.round(box.height)));
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return new XMLSerializer().serializeToString(copy);
}

export function exportSvg(svg: SVGSVGElement, time: number): void {
  download(`topology-${stamp(time)}.svg`, new Blob([svgText(svg)], { type: 'image/svg+xml' }));
}

export async function exportPng(svg: SVGSVGElement, time: number): Promise<void> {
  const box = svg.viewBox.baseVal;
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText(svg))}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  const scale = Math.min(2, 8000 / Math.max(box.width, box.height));
  canvas.width = Math.round(box.width * scale);
  canvas.height = Math.round(box.height * scale);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/png'));
  if (blob !== null) download(`topology-${stamp(time)}.png`, blob);
}
