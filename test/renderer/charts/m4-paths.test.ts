import { describe, expect, it } from 'vitest';
import { m4Line, type AxisMap, type Pen } from '../../../renderer/charts/m4-paths.js';

type Vertex = { x: number; y: number; move: boolean };

function record(): Pen & { vertices: Vertex[] } {
  const vertices: Vertex[] = [];
  return { vertices, moveTo: (x, y) => vertices.push({ x, y, move: true }), lineTo: (x, y) => vertices.push({ x, y, move: false }) };
}

/** A deterministic wandering series with a few one-sample spikes. */
function series(n: number, seed: number): Float64Array {
  const v = new Float64Array(n);
  let x = seed;
  let level = 100;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    level += ((x / 2147483648) - 0.5) * 4;
    v[i] = level;
  }
  v[Math.floor(n / 3)] = level + 500;
  v[Math.floor((2 * n) / 3)] = -400;
  return v;
}

const xs = (n: number) => Float64Array.from({ length: n }, (_, i) => 1_700_000_000 + i * 15);

/** The pixel column and row of every sample, as a line through all of them places it. */
function pixels(x: Float64Array, y: ArrayLike<number | null>, xm: AxisMap, ym: AxisMap) {
  const out: { col: number; row: number; i: number }[] = [];
  for (let i = 0; i < x.length; i++) {
    const v = y[i];
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    out.push({ col: Math.round(xm.origin + (x[i]! - xm.min) * xm.scale), row: Math.round(ym.origin + (v - ym.min) * ym.scale), i });
  }
  return out;
}

describe('M4 line paths', () => {
  const n = 10_000;
  const x = xs(n);
  const xm: AxisMap = { origin: 40, min: x[0]!, scale: 800 / (x[n - 1]! - x[0]!) };
  const ym: AxisMap = { origin: 400, min: -500, scale: -400 / 1200 };

  it('keeps per pixel column the first, last, min and max of a line through every sample, in order', () => {
    const y = series(n, 7);
    const pen = record();
    const drawn = m4Line(x, y, 0, n - 1, xm, ym, pen);
    expect(drawn).toBe(pen.vertices.length);
    const raw = pixels(x, y, xm, ym);
    const cols = new Map<number, number[]>();
    for (const p of raw) cols.set(p.col, [...(cols.get(p.col) ?? []), p.row]);
    const got = new Map<number, number[]>();
    for (const v of pen.vertices) got.set(v.x, [...(got.get(v.x) ?? []), v.y]);
    expect([...got.keys()]).toEqual([...cols.keys()]);
    for (const [col, rows] of cols) {
      const m = got.get(col)!;
      expect(m.length).toBeLessThanOrEqual(4);
      expect(m[0]).toBe(rows[0]);
      expect(m.at(-1)).toBe(rows.at(-1));
      expect(Math.min(...m)).toBe(Math.min(...rows));
      expect(Math.max(...m)).toBe(Math.max(...rows));
      // Min and max in the order the samples reach them.
      const minAt = rows.indexOf(Math.min(...rows));
      const maxAt = rows.indexOf(Math.max(...rows));
      expect(m.indexOf(Math.min(...m)) <= m.indexOf(Math.max(...m))).toBe(minAt <= maxAt);
    }
    // 10k samples over ~800 columns: bounded by the width, not the sample count.
    expect(pen.vertices.length).toBeLessThanOrEqual(4 * cols.size);
    expect(pen.vertices.filter((v) => v.move)).toHaveLength(1);
  });

  it('keeps a one-sample spike', () => {
    const y = new Float64Array(n).fill(10);
    y[4321] = 600;
    const pen = record();
    m4Line(x, y, 0, n - 1, xm, ym, pen);
    const top = Math.round(ym.origin + (600 - ym.min) * ym.scale);
    const spikeCol = Math.round(xm.origin + (x[4321]! - xm.min) * xm.scale);
    expect(pen.vertices.filter((v) => v.y === top).map((v) => v.x)).toEqual([spikeCol]);
  });

  it('breaks the line at null, NaN and infinities, and draws a lone value as a point of the path', () => {
    const y: (number | null)[] = [1, 2, null, 3, NaN, 4, 5, Infinity, 6];
    const x9 = xs(y.length);
    const wide: AxisMap = { origin: 0, min: x9[0]!, scale: 1 }; // one sample per column
    const pen = record();
    m4Line(x9, y, 0, y.length - 1, wide, ym, pen);
    expect(pen.vertices.map((v) => (v.move ? 'M' : 'L')).join('')).toBe('MLMMLM');
    expect(pen.vertices.map((v) => v.x)).toEqual([0, 15, 45, 75, 90, 120]);
  });

  it('draws only the asked index range, and every sample when each has its own column', () => {
    const y = series(50, 3);
    const x50 = xs(50);
    const pen = record();
    m4Line(x50, y, 10, 19, { origin: 0, min: x50[0]!, scale: 1 }, ym, pen);
    expect(pen.vertices.map((v) => v.x)).toEqual(Array.from({ length: 10 }, (_, i) => (10 + i) * 15));
  });
});
