/**
 * Draws a chart's lines a few series per frame, so no frame of the page's main thread is long:
 * 100 series × 10k points is ~400k vertices to stroke after M4 (m4-paths.ts), and Chromium
 * rasterises a 2D canvas on the main thread when the frame is presented. uPlot draws the axes,
 * the grid and the series that fit in this frame's budget; the rest are queued and stroked onto
 * the same canvas in the frames that follow, in series order, as uPlot would have stroked them,
 * so the finished picture is the same. Any new uPlot draw (data, size, scale, a toggled series)
 * drops what was queued and starts again.
 */
import uPlot from 'uplot';
import { buildLine } from './m4-paths.js';

/**
 * Path-building time and vertices to rasterise per frame: small in the frame of uPlot's own draw
 * (which also ranges the scales, draws axes and grid, and for a new chart runs its init), twice
 * that in the frames that only stroke queued lines (fewer frames until the last line is on the
 * canvas; each such frame was 10-20 ms of thread CPU at load 10-25 on 2 cores).
 */
const drawBudget = { ms: 6, vertices: 60_000 };
const queuedBudget = { ms: 12, vertices: 120_000 };

interface Queued {
  series: number;
  i0: number;
  i1: number;
}

export class ProgressiveLines {
  private queue: Queued[] = [];
  private frame = 0;
  private spentFrom = -1;
  private vertices = 0;
  /** Lines of the current draw were stroked after uPlot's draw hooks ran (over any overlay). */
  private late = false;

  /**
   * `onDrawn` runs when every line of the latest draw is on the canvas; `late` says some were
   * stroked in later frames, over what plugins drew in uPlot's draw hook, which must draw again.
   */
  constructor(private readonly onDrawn: (u: uPlot, late: boolean) => void) {}

  private overBudget(budget: { ms: number; vertices: number }): boolean {
    if (this.spentFrom < 0) {
      this.spentFrom = performance.now();
      this.vertices = 0;
    }
    return this.vertices >= budget.vertices || performance.now() - this.spentFrom >= budget.ms;
  }

  /** The series' `paths` option: builds while this frame's budget lasts, queues the rest. */
  readonly paths: uPlot.Series.PathBuilder = (u, series, i0, i1) => {
    if (this.overBudget(drawBudget)) {
      this.queue.push({ series, i0, i1 });
      return null;
    }
    const built = buildLine(u, series, i0, i1);
    this.vertices += built.vertices;
    return built.paths;
  };

  /** uPlot hooks: a draw starts (drop the old queue) and ends (draw the queue in later frames). */
  readonly hooks: uPlot.Hooks.Arrays = {
    drawClear: [
      () => {
        cancelAnimationFrame(this.frame);
        this.queue = [];
        this.spentFrom = -1;
        this.late = false;
      },
    ],
    draw: [(u) => this.next(u)],
  };

  private next(u: uPlot): void {
    this.spentFrom = -1;
    if (this.queue.length === 0) this.onDrawn(u, this.late);
    else this.frame = requestAnimationFrame(() => this.strokeQueued(u));
  }

  private strokeQueued(u: uPlot): void {
    this.late = true;
    while (this.queue.length > 0 && !this.overBudget(queuedBudget)) {
      const q = this.queue.shift()!;
      const s = u.series[q.series];
      if (!s || s.show === false) continue;
      const built = buildLine(u, q.series, q.i0, q.i1);
      this.vertices += built.vertices;
      if (built.paths?.stroke instanceof Path2D) stroke(u, q.series, built.paths.stroke);
    }
    this.next(u);
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.queue = [];
  }
}

/** One line as uPlot strokes a series (its drawPath: width in device pixels, pixel-aligned, clipped to the plot). */
function stroke(u: uPlot, series: number, path: Path2D): void {
  const s = u.series[series]!;
  const ctx = u.ctx;
  const width = Math.round((s.width ?? 1) * uPlot.pxRatio * 1000) / 1000;
  const offset = (width % 2) / 2;
  const { left, top, width: w, height: h } = u.bbox;
  ctx.save();
  if (offset > 0) ctx.translate(offset, offset);
  const clip = new Path2D();
  clip.rect(left - width / 2, top - width / 2, w + width, h + width);
  ctx.clip(clip);
  ctx.strokeStyle = typeof s.stroke === 'function' ? s.stroke(u, series) : (s.stroke ?? '#000');
  ctx.lineWidth = width;
  ctx.lineJoin = 'round';
  ctx.lineCap = 'butt';
  ctx.stroke(path);
  ctx.restore();
}
