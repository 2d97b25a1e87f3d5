import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type uPlot from 'uplot';
import { ProgressiveLines } from '../../../renderer/charts/progressive-lines.js';

// The page's canvas and frame clock, faked: Path2D records its vertices, the context records
// which series' paths it stroked, animation frames run when the test says so.
class FakePath2D {
  vertices = 0;
  moveTo() {
    this.vertices++;
  }
  lineTo() {
    this.vertices++;
  }
  rect() {}
}
let frames: Map<number, () => void>;
let nextFrame: number;
const globals = globalThis as unknown as Record<string, unknown>;

beforeEach(() => {
  frames = new Map();
  nextFrame = 1;
  globals['Path2D'] = FakePath2D;
  globals['requestAnimationFrame'] = (cb: () => void) => {
    frames.set(nextFrame, cb);
    return nextFrame++;
  };
  globals['cancelAnimationFrame'] = (id: number) => frames.delete(id);
});
afterEach(() => {
  delete globals['Path2D'];
  delete globals['requestAnimationFrame'];
  delete globals['cancelAnimationFrame'];
});

function runFrames(): number {
  let n = 0;
  while (frames.size > 0) {
    const [id, cb] = frames.entries().next().value!;
    frames.delete(id);
    cb();
    n++;
  }
  return n;
}

/** A plot of `count` series × `points` samples, 1000 px wide; `stroked` lists series in stroke order. */
function fakePlot(count: number, points: number) {
  const xs = Float64Array.from({ length: points }, (_, i) => i);
  const data = [xs, ...Array.from({ length: count }, (_, s) => Float64Array.from({ length: points }, (_, i) => Math.sin(i / 7 + s) * 100))];
  const stroked: string[] = [];
  const ctx = {
    save() {},
    restore() {},
    translate() {},
    clip() {},
    strokeStyle: '',
    lineWidth: 0,
    lineJoin: '',
    lineCap: '',
    stroke() {
      stroked.push(this.strokeStyle);
    },
  };
  const u = {
    data,
    ctx,
    bbox: { left: 0, top: 0, width: 1000, height: 300 },
    scales: { x: { distr: 1, ori: 0, min: 0, max: points - 1 }, y: { distr: 1, ori: 1, min: -100, max: 100 } },
    series: [{}, ...Array.from({ length: count }, (_, s) => ({ show: true, width: 1.5, stroke: () => `s${s + 1}` }))],
  } as unknown as uPlot;
  /** What uPlot's draw does: clear, ask each shown series for its path, stroke those it got, end. */
  const draw = (lines: ProgressiveLines): number[] => {
    lines.hooks.drawClear![0]!(u);
    const now: number[] = [];
    for (let s = 1; s <= count; s++) {
      if ((u.series[s] as { show: boolean }).show && lines.paths(u, s, 0, points - 1) !== null) now.push(s);
    }
    for (const s of now) stroked.push(`s${s}`);
    lines.hooks.draw![0]!(u);
    return now;
  };
  return { u, draw, stroked };
}

describe('progressive line drawing', () => {
  it('strokes what fits in the first frame and the rest in later frames, each series once and in order', () => {
    let drawn = 0;
    const late: boolean[] = [];
    const lines = new ProgressiveLines((_u, l) => {
      drawn++;
      late.push(l);
    });
    const { draw, stroked } = fakePlot(100, 10_000);
    const first = draw(lines);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(100); // ~400k vertices do not fit one frame's budget
    expect(drawn).toBe(0);
    const later = runFrames();
    expect(later).toBeGreaterThan(1);
    expect(stroked).toEqual(Array.from({ length: 100 }, (_, i) => `s${i + 1}`));
    expect(drawn).toBe(1);
    // Lines were stroked after uPlot's draw hooks: overlays (exemplar marks) must draw again.
    expect(late).toEqual([true]);
  });

  it('draws a small chart in one frame and says so at once', () => {
    let drawn = 0;
    const late: boolean[] = [];
    const lines = new ProgressiveLines((_u, l) => {
      drawn++;
      late.push(l);
    });
    const { draw, stroked } = fakePlot(3, 100);
    expect(draw(lines)).toEqual([1, 2, 3]);
    expect(drawn).toBe(1);
    expect(late).toEqual([false]);
    expect(runFrames()).toBe(0);
    expect(stroked).toEqual(['s1', 's2', 's3']);
  });

  it('drops the queue when uPlot draws again, and skips series hidden meanwhile', () => {
    let drawn = 0;
    const lines = new ProgressiveLines(() => drawn++);
    const { u, draw, stroked } = fakePlot(100, 10_000);
    draw(lines);
    stroked.length = 0;
    (u.series[100] as { show: boolean }).show = false;
    draw(lines); // a new draw before any queued frame ran
    runFrames();
    expect(stroked).toEqual(Array.from({ length: 99 }, (_, i) => `s${i + 1}`));
    expect(drawn).toBe(1);
    lines.dispose();
  });
});
