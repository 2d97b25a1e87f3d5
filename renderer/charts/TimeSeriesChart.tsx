import { useEffect, useRef } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatValue } from '../../app/dashboards/units.js';
import { ProgressiveLines } from './progressive-lines.js';
import { lonePoints, yAxisWidth, yRange } from './y-scale.js';
import { exemplarsPlugin, type ExemplarMarks } from './exemplars-plugin.js';
import { columnExtent, isFiniteColumn } from '../api/range-columns.js';

export interface ChartSeries {
  label: string;
  color: string;
  show: boolean;
  /** How to draw it (dashboards' `fieldConfig.custom`); absent: a 1.5 px line. */
  style?: SeriesStyle;
}

export interface SeriesStyle {
  drawStyle?: 'line' | 'bars' | 'points';
  lineWidth?: number;
  /** 0–100, Grafana's fill opacity under the line. */
  fillOpacity?: number;
  pointSize?: number;
}

/** Tick labels in the unit, with as many decimals as it takes to tell neighbouring ticks apart. */
function axisLabels(splits: number[], unit: string | null): string[] {
  let labels = splits.map((v) => formatValue(v, unit));
  for (let d = 1; d <= 4 && new Set(labels).size < labels.length; d++) labels = splits.map((v) => formatValue(v, unit, d));
  return labels;
}

function seriesOptions(s: ChartSeries, line: uPlot.Series.PathBuilder): Partial<uPlot.Series> {
  const st = s.style ?? {};
  const fill = st.fillOpacity ? `${s.color}${Math.round((st.fillOpacity / 100) * 255).toString(16).padStart(2, '0')}` : undefined;
  const base = { stroke: s.color, width: st.lineWidth ?? 1.5, ...(fill ? { fill } : {}) };
  if (st.drawStyle === 'bars') return { ...base, fill: fill ?? s.color, paths: uPlot.paths.bars!({ size: [0.6, 100] }), points: { show: false } };
  if (st.drawStyle === 'points') return { ...base, paths: () => null, points: { show: true, size: st.pointSize ?? 5, fill: s.color } };
  // Points hidden, except a value with none beside it: a line through it has no length. Found
  // once per data column (every redraw asks); none in a column of finite values (range-columns.ts). A plain line is drawn per pixel column, a few
  // series per frame (progressive-lines.ts).
  return { ...base, ...(fill ? {} : { paths: line }), points: { show: false, filter: (u: uPlot, i: number) => lonePointsOf(u.data[i]!) } };
}

const lone = new WeakMap<object, number[] | null>();

function lonePointsOf(values: uPlot.AlignedData[number]): number[] | null {
  let found = lone.get(values);
  if (found === undefined) lone.set(values, (found = values.length > 1 && isFiniteColumn(values) ? null : lonePoints(values, 0, values.length - 1)));
  return found;
}

/**
 * The smallest and largest value of the shown series, as uPlot's auto-ranging accumulates them
 * over the whole x range (the chart never narrows x itself: a drag zooms by a new query); null
 * when there is none.
 */
function shownExtent(u: uPlot): [number | null, number | null] {
  let lo = Infinity;
  let hi = -Infinity;
  u.series.forEach((s, i) => {
    const values = u.data[i];
    if (i === 0 || s.show === false || values === undefined || values.length === 0) return;
    const [min, max] = columnExtent(values);
    lo = Math.min(lo, min);
    hi = Math.max(hi, max);
  });
  return [lo === Infinity ? null : lo, hi === -Infinity ? null : hi];
}

export interface TimeSeriesChartProps {
  /** uPlot's columnar data: [x seconds, y1, y2, …], prepared outside the chart. */
  data: AlignedData;
  series: readonly ChartSeries[];
  /** A Grafana unit id; null formats as `short`. */
  unit: string | null;
  yFromZero: boolean;
  height?: number;
  /** Hide the legend (small dashboard panels, `options.legend.showLegend: false`). */
  legend?: boolean;
  onZoom?: (startMs: number, endMs: number) => void;
  onToggleSeries?: (index: number, show: boolean) => void;
  /** Times the machine slept (no data exists for them), shaded behind the lines. */
  gaps?: ReadonlyArray<{ fromMs: number; toMs: number }>;
  /** Exemplar dots over the lines (exemplars-plugin.ts); absent or null: none. */
  exemplars?: ExemplarMarks | null;
}

/** Shades each gap that overlaps the x scale, over the whole plot height. */
function drawGaps(u: uPlot, gaps: ReadonlyArray<{ fromMs: number; toMs: number }>): void {
  const ctx = u.ctx;
  const { top, height } = u.bbox;
  ctx.save();
  ctx.fillStyle = 'rgba(133, 147, 163, 0.14)';
  for (const g of gaps) {
    const left = Math.max(u.bbox.left, u.valToPos(g.fromMs / 1000, 'x', true));
    const right = Math.min(u.bbox.left + u.bbox.width, u.valToPos(g.toMs / 1000, 'x', true));
    if (right > left) ctx.fillRect(left, top, right - left, height);
  }
  ctx.restore();
}

/**
 * A uPlot chart. It does no data work: it draws the columns it is given, formats axes and the
 * legend by unit, and reports drag-to-zoom and legend toggles upward.
 */
export function TimeSeriesChart({ data, series, unit, yFromZero, height = 360, legend = true, onZoom, onToggleSeries, gaps, exemplars }: TimeSeriesChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  /** The data last handed to uPlot. */
  const drawn = useRef<AlignedData | null>(null);
  /** The newest data, for a chart built after it arrived. */
  const latest = useRef(data);
  latest.current = data;
  /** A vigil:chart:start mark waits for its measure. */
  const measuring = useRef(false);
  const callbacks = useRef({ onZoom, onToggleSeries });
  callbacks.current = { onZoom, onToggleSeries };
  const gapsRef = useRef(gaps ?? []);
  gapsRef.current = gaps ?? [];
  const exemplarsRef = useRef(exemplars ?? null);
  exemplarsRef.current = exemplars ?? null;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    // User Timing (visible in devtools, read by npm run bench:ui): build or new data → every
    // line on the canvas, in the frame after the last one is stroked.
    const marks = exemplarsPlugin(() => exemplarsRef.current);
    const lines = new ProgressiveLines((u, late) => {
      if (late) marks.redraw(u);
      if (!measuring.current) return;
      measuring.current = false;
      requestAnimationFrame(() => performance.measure('vigil:chart-render', 'vigil:chart:start'));
    });
    const opts: Options = {
      width: el.clientWidth || 800,
      height,
      cursor: { drag: { x: true, y: false, setScale: false } },
      plugins: [marks],
      legend: { show: legend, live: true },
      // The y range from each shown column's extent (range-columns.ts; found in the pass the
      // answer already had), not from uPlot's pass over every value of every series (its
      // series `auto: false` below) in the frame that draws the chart.
      scales: { x: { time: true }, y: { range: (u) => yRange(...shownExtent(u), yFromZero) } },
      axes: [
        { stroke: '#8593a3', grid: { stroke: '#26303b' }, ticks: { stroke: '#26303b' } },
        {
          stroke: '#8593a3',
          grid: { stroke: '#26303b' },
          ticks: { stroke: '#26303b' },
          size: (_u, values) => yAxisWidth(values ?? []),
          values: (_u, splits) => {
            const labels = axisLabels(splits, unit);
            el.dataset['yTicks'] = labels.join('|');
            return labels;
          },
        },
      ],
      series: [
        { label: 'Time' },
        ...series.map((s) => ({
          label: s.label,
          ...seriesOptions(s, lines.paths),
          show: s.show,
          auto: false,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => formatValue(v, unit),
        })),
      ],
      hooks: {
        // The y scale as drawn, on the element (what e2e tests and devtools read).
        setScale: [
          (u, key) => {
            if (key !== 'y') return;
            el.dataset['yMin'] = String(u.scales['y']!.min);
            el.dataset['yMax'] = String(u.scales['y']!.max);
          },
        ],
        drawClear: [(u) => drawGaps(u, gapsRef.current), ...lines.hooks.drawClear!],
        draw: lines.hooks.draw!,
        setSelect: [
          (u) => {
            if (u.select.width > 2) {
              const start = u.posToVal(u.select.left, 'x');
              const end = u.posToVal(u.select.left + u.select.width, 'x');
              callbacks.current.onZoom?.(Math.round(start * 1000), Math.round(end * 1000));
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        setSeries: [
          (u, index) => {
            if (index !== null && index > 0) callbacks.current.onToggleSeries?.(index - 1, u.series[index]!.show !== false);
          },
        ],
      },
    };
    performance.mark('vigil:chart:start');
    measuring.current = true;
    drawn.current = null;
    // Built over the two frames after the page rendered it (for a query's answer, after the task
    // that delivered it), each a task of its own instead of one long one: first the chart's
    // elements (a legend row per series, canvas, axes' places), laid out by the browser in that
    // frame; then uPlot's init with the data (scales over every value, axes, the first lines;
    // progressive-lines.ts strokes the rest in the frames after). Nothing is drawn before the
    // data is there. Data that arrives meanwhile is what the chart is drawn with.
    let p: uPlot | null = null;
    let resize: ResizeObserver | null = null;
    let frame = requestAnimationFrame(() => {
      const built = new uPlot(opts, latest.current, (u, init) => {
        el.appendChild(u.root);
        frame = requestAnimationFrame(() => {
          drawn.current = latest.current;
          init();
          // Before init's draw, which runs after this callback (uPlot commits in a microtask).
          if (u.data !== latest.current) u.setData(latest.current);
          // Each draw of 100 series × 10k points is several frames of work: redraw only when the
          // width really changed (the observer also reports the size the chart was just built with).
          let width = opts.width;
          resize = new ResizeObserver(() => {
            if (el.clientWidth === width || el.clientWidth === 0) return;
            width = el.clientWidth;
            u.setSize({ width, height });
          });
          resize.observe(el);
        });
      });
      p = built;
      plot.current = built;
    });
    return () => {
      cancelAnimationFrame(frame);
      resize?.disconnect();
      lines.dispose();
      p?.destroy();
      plot.current = null;
    };
    // Rebuild when the set of series or the formatting changes; data-only changes use setData below.
  }, [series.length, series.map((s) => s.label + s.color + JSON.stringify(s.style ?? null)).join('|'), unit, yFromZero, height, legend]);

  useEffect(() => {
    // Not the data the chart was just built with (that would draw everything a second time),
    // nor before the build's second frame hands the chart its data.
    if (!plot.current || drawn.current === null || drawn.current === data) return;
    drawn.current = data;
    performance.mark('vigil:chart:start');
    measuring.current = true;
    plot.current.setData(data);
  }, [data]);

  useEffect(() => {
    plot.current?.redraw(false, false);
  }, [gaps, exemplars]);

  useEffect(() => {
    series.forEach((s, i) => {
      const p = plot.current;
      if (p && p.series[i + 1] && (p.series[i + 1]!.show !== false) !== s.show) p.setSeries(i + 1, { show: s.show }, false);
    });
  }, [series]);

  return <div className="chart" ref={host} data-testid="chart" />;
}
