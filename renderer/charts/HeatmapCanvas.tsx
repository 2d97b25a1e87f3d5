import { useEffect, useRef } from 'react';
import { formatValue } from '../../app/dashboards/units.js';
import type { Heatmap } from '../dashboards/panel-data.js';

/** Dark blue → yellow, by count relative to the largest cell. */
function cellColor(frac: number): string {
  const r = Math.round(30 + 220 * frac);
  const g = Math.round(40 + 180 * frac);
  const b = Math.round(90 - 40 * frac);
  return `rgb(${r},${g},${b})`;
}

/** A heatmap: time across, buckets up (by upper bound), colour by count. Dashboards' heatmap panel and Explore draw it. */
export function HeatmapCanvas({ heatmap: hm, width, height }: { heatmap: Heatmap; width: number; height: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const left = 60;
    const w = c.width - left;
    const h = c.height - 16;
    ctx.clearRect(0, 0, c.width, c.height);
    let max = 0;
    for (const row of hm.counts) for (const v of row) max = Math.max(max, v);
    const cols = hm.timestamps.length;
    const cw = w / Math.max(1, cols);
    const ch = h / Math.max(1, hm.bounds.length);
    hm.counts.forEach((row, b) => {
      for (let t = 0; t < cols; t++) {
        const v = row[t]!;
        if (v <= 0) continue;
        ctx.fillStyle = cellColor(max > 0 ? v / max : 0);
        ctx.fillRect(left + t * cw, h - (b + 1) * ch, Math.ceil(cw), Math.ceil(ch));
      }
    });
    ctx.fillStyle = '#8593a3';
    ctx.font = '10px sans-serif';
    const every = Math.ceil(hm.bounds.length / Math.max(1, Math.floor(h / 14)));
    hm.bounds.forEach((le, b) => {
      if (b % every === 0) ctx.fillText(le === '+Inf' ? '+Inf' : formatValue(Number(le), 'short'), 2, h - b * ch - 2);
    });
  }, [hm, width, height]);
  return <canvas ref={canvas} width={Math.max(100, width)} height={Math.max(60, height)} className="heatmap" aria-label={`heatmap of ${hm.bounds.length} buckets`} />;
}
