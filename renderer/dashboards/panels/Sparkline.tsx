import type { ColumnValues } from '../../api/range-columns.js';

/** A small SVG line of a series' values (stat panels' sparkline); drawing only. */
export function Sparkline({ values, color, width, height }: { values: ColumnValues; color: string; width: number; height: number }) {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (!Number.isFinite(min)) return null;
  const span = max - min || 1;
  // At most one point per pixel.
  const stride = Math.max(1, Math.floor(values.length / Math.max(1, width)));
  const pts: string[] = [];
  for (let i = 0; i < values.length; i += stride) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    pts.push(`${((i / Math.max(1, values.length - 1)) * width).toFixed(1)},${(height - ((v - min) / span) * height).toFixed(1)}`);
  }
  // One value (a first scrape) is a dot, mid-height: a line through one point has no length.
  return (
    <svg className="sparkline" width={width} height={height} aria-hidden="true">
      {pts.length === 1 ? <circle cx={pts[0]!.split(',')[0]} cy={height / 2} r={2} fill={color} /> : <polyline points={pts.join(' ')} fill="none" stroke={color} strokeWidth={1.5} />}
    </svg>
  );
}
