/**
 * Exemplars on a time-series chart, as a uPlot plugin: a diamond at each exemplar's time and
 * value, over the lines; hovering one shows its series, labels, value and trace id; clicking one
 * with a trace id opens the tracing UI (the settings' URL template). The chart's data path is
 * not touched: the plugin reads the marks through a getter, so new exemplars need only a redraw.
 */
import type uPlot from 'uplot';
import { formatValue } from '../../app/dashboards/units.js';
import { traceIdOf, tracingLink } from '../../app/tracing-url.js';

export interface ExemplarMark {
  /** ms */
  t: number;
  value: number;
  labels: Readonly<Record<string, string>>;
  /** The series the exemplar belongs to, as a label string. */
  series: string;
  color: string;
}

export interface ExemplarMarks {
  marks: readonly ExemplarMark[];
  /** The tracing URL template (`${traceId}`); "" for none. */
  tracingUrl: string;
  unit: string | null;
}

/** Half the diamond's diagonal, and how near (CSS px) the pointer must come to hover one. */
const radius = 5;
const hoverPx = 8;

/** The mark nearest the cursor within hoverPx, or null. Positions are CSS px in the plot area. */
function nearest(u: uPlot, marks: readonly ExemplarMark[], left: number, top: number): ExemplarMark | null {
  let best: ExemplarMark | null = null;
  let bestD = hoverPx * hoverPx;
  for (const m of marks) {
    const dx = u.valToPos(m.t / 1000, 'x') - left;
    const dy = u.valToPos(m.value, 'y') - top;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      best = m;
      bestD = d;
    }
  }
  return best;
}

function tooltipText(m: ExemplarMark, unit: string | null): string {
  const traceId = traceIdOf(m.labels);
  const labels = Object.entries(m.labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
  return [m.series, `value ${formatValue(m.value, unit)} at ${new Date(m.t).toISOString()}`, labels ? `{${labels}}` : '', traceId ? `trace id ${traceId}` : ''].filter((x) => x !== '').join('\n');
}

/** The plugin, and `redraw` for when lines were stroked over the marks after uPlot's draw. */
export function exemplarsPlugin(get: () => ExemplarMarks | null, open: (url: string) => void = (url) => window.open(url, '_blank', 'noopener')): uPlot.Plugin & { redraw: (u: uPlot) => void } {
  let tip: HTMLDivElement | null = null;
  let hovered: ExemplarMark | null = null;
  const onClick = (): void => {
    const ex = get();
    if (hovered === null || ex === null) return;
    const id = traceIdOf(hovered.labels);
    const url = id === null ? null : tracingLink(ex.tracingUrl, id);
    if (url !== null) open(url);
  };
  const draw = (u: uPlot): void => {
    const ex = get();
    const marks = ex?.marks ?? [];
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const k = devicePixelRatio || 1;
    let drawn = 0;
    let first = '';
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    for (const m of marks) {
      const x = u.valToPos(m.t / 1000, 'x', true);
      const y = u.valToPos(m.value, 'y', true);
      if (!Number.isFinite(x) || !Number.isFinite(y) || x < left || x > left + width || y < top || y > top + height) continue;
      const r = radius * k;
      ctx.beginPath();
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + r);
      ctx.lineTo(x - r, y);
      ctx.closePath();
      ctx.fillStyle = m.color;
      ctx.fill();
      ctx.lineWidth = k;
      ctx.strokeStyle = '#0b0f14';
      ctx.stroke();
      if (drawn++ === 0) first = `${Math.round(u.valToPos(m.t / 1000, 'x'))},${Math.round(u.valToPos(m.value, 'y'))}`;
    }
    ctx.restore();
    // How many are on screen and where the first is (CSS px in the plot area), for tests and devtools.
    u.root.dataset['exemplars'] = String(drawn);
    u.root.dataset['exemplarAt'] = first;
  };
  return {
    redraw: draw,
    hooks: {
      init: [
        (u) => {
          tip = document.createElement('div');
          tip.className = 'exemplar-tooltip';
          tip.setAttribute('data-testid', 'exemplar-tooltip');
          tip.style.display = 'none';
          u.over.appendChild(tip);
          u.over.addEventListener('click', onClick);
        },
      ],
      draw: [draw],
      setCursor: [
        (u) => {
          const ex = get();
          const { left, top } = u.cursor;
          hovered = ex === null || left === undefined || top === undefined || left < 0 ? null : nearest(u, ex.marks, left, top);
          if (tip === null) return;
          if (hovered === null || ex === null) {
            tip.style.display = 'none';
            u.over.style.cursor = '';
            return;
          }
          const link = traceIdOf(hovered.labels) !== null && ex.tracingUrl !== '';
          tip.textContent = tooltipText(hovered, ex.unit) + (link ? '\n(click to open the trace)' : '');
          tip.style.display = 'block';
          tip.style.left = `${Math.min(left! + 12, u.over.clientWidth - 260)}px`;
          tip.style.top = `${top! + 12}px`;
          u.over.style.cursor = link ? 'pointer' : '';
        },
      ],
      destroy: [
        (u) => {
          u.over.removeEventListener('click', onClick);
          tip?.remove();
          tip = null;
        },
      ],
    },
  };
}
