/**
 * Line paths bounded by the plot's width, not its sample count (M4 aggregation, Jugel et al.,
 * VLDB 2014): per pixel column the line enters at the column's first value, goes to its min
 * and max in the order they occur, and leaves from its last value. At most four vertices per
 * column and series, and the picture is the one a line through every sample draws at that
 * width: every spike keeps its pixel. The chart keeps the full data (legend, cursor and zoom
 * read exact values); only the path handed to the canvas is reduced.
 *
 * uPlot's own linear builder does the same reduction but calls a few closures per sample
 * (`valToPos`, `posToVal`), ~0.8 s for 1 M samples on a loaded laptop; this one is one pass of
 * arithmetic over the values.
 */
import uPlot from 'uplot';

/** Where a path goes: Path2D in the page, a recorder in tests. */
export interface Pen {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
}

/** Linear data → device pixel mapping of one axis: px = origin + (v − min) · scale. */
export interface AxisMap {
  origin: number;
  min: number;
  scale: number;
}

/**
 * Draws `ys` against `xs` over indices [i0, i1] with at most four vertices per pixel column.
 * A missing value (null, undefined, NaN, ±Inf) breaks the line, as uPlot's `spanGaps: false`.
 * x pixels are rounded to whole device pixels (the columns); y pixels are rounded as uPlot's
 * `pxAlign` does. Returns the number of vertices drawn.
 */
export function m4Line(xs: ArrayLike<number>, ys: ArrayLike<number | null | undefined>, i0: number, i1: number, x: AxisMap, y: AxisMap, pen: Pen): number {
  let vertices = 0;
  let open = false; // a column is being collected
  let col = 0;
  let first = 0;
  let last = 0;
  let lo = 0;
  let hi = 0;
  let loAt = 0;
  let hiAt = 0;
  let n = 0; // samples in the column
  const line = (px: number, py: number) => {
    pen.lineTo(px, py);
    vertices++;
  };
  const flush = () => {
    // The column was entered at `first` (already drawn); add its extremes in order, then `last`.
    if (n === 1) return;
    const e1 = loAt <= hiAt ? lo : hi;
    const e2 = loAt <= hiAt ? hi : lo;
    if (e1 !== first) line(col, e1);
    if (e2 !== e1) line(col, e2);
    if (last !== e2) line(col, last);
  };
  for (let i = i0; i <= i1; i++) {
    const v = ys[i];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      if (open) flush();
      open = false;
      continue;
    }
    const px = Math.round(x.origin + (xs[i]! - x.min) * x.scale);
    const py = Math.round(y.origin + (v - y.min) * y.scale);
    if (open && px === col) {
      n++;
      if (py < lo) {
        lo = py;
        loAt = n;
      }
      if (py > hi) {
        hi = py;
        hiAt = n;
      }
      last = py;
      continue;
    }
    if (open) {
      flush();
      line(px, py);
    } else {
      pen.moveTo(px, py);
      vertices++;
    }
    open = true;
    col = px;
    first = last = lo = hi = py;
    loAt = hiAt = 0;
    n = 1;
  }
  if (open) flush();
  return vertices;
}

const linear = uPlot.paths.linear!();

/**
 * A plain line's path (no fill) and its vertex count (what its stroke costs to rasterise): M4
 * on linear scales of a horizontal chart, uPlot's linear builder otherwise (log scales, vertical
 * charts; vertices then unknown, counted as the samples).
 */
export function buildLine(u: uPlot, seriesIdx: number, idx0: number, idx1: number): { paths: uPlot.Series.Paths | null; vertices: number } {
  const sx = u.scales['x']!;
  const sy = u.scales[u.series[seriesIdx]!.scale ?? 'y']!;
  if (sx.distr !== 1 || sy.distr !== 1 || sx.ori !== 0 || sx.min == null || sx.max == null || sy.min == null || sy.max == null || sx.max === sx.min || sy.max === sy.min) {
    return { paths: linear(u, seriesIdx, idx0, idx1), vertices: idx1 - idx0 + 1 };
  }
  const { left, top, width, height } = u.bbox;
  const stroke = new Path2D();
  const vertices = m4Line(
    u.data[0] as ArrayLike<number>,
    u.data[seriesIdx] as ArrayLike<number | null | undefined>,
    idx0,
    idx1,
    { origin: left, min: sx.min, scale: width / (sx.max - sx.min) },
    { origin: top + height, min: sy.min, scale: -height / (sy.max - sy.min) },
    stroke,
  );
  return { paths: { stroke, fill: null, clip: null, band: null, flags: 0 }, vertices };
}
