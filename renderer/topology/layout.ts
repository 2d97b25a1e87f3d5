/**
 * Graph layout in a Web Worker (layout-worker.ts) with stable positions: a graph whose nodes all
 * have positions already is not laid out again (values changing never move anything); new nodes
 * are placed by a layout seeded with the previous positions, where the known nodes are fixed.
 */
export interface Point {
  x: number;
  y: number;
}

export interface LayoutRequest {
  id: number;
  nodes: string[];
  edges: Array<{ source: string; target: string }>;
  /** Positions to keep: these nodes do not move. */
  fixed: Record<string, Point>;
}

export interface LayoutAnswer {
  id: number;
  positions: Record<string, Point>;
  ms: number;
  error?: string;
}

export const nodeWidth = 132;
export const nodeHeight = 34;

let worker: Worker | null = null;
let next = 1;
const waiting = new Map<number, (a: LayoutAnswer) => void>();

function layoutWorker(): Worker {
  if (worker === null) {
    worker = new Worker(new URL('./layout-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<LayoutAnswer>) => {
      waiting.get(e.data.id)?.(e.data);
      waiting.delete(e.data.id);
    };
  }
  return worker;
}

/** Positions kept across refreshes, by node id. */
export class StableLayout {
  readonly positions = new Map<string, Point>();
  /** Duration of the last layout in the worker, ms (0 when none was needed). */
  lastLayoutMs = 0;
  /** Duration of the first layout in the worker (the first picture), ms; 0 until it is done. */
  firstLayoutMs = 0;

  /**
   * Positions for these nodes: reused when all are known (then null: nothing moved, the picture
   * keeps its positions), else a layout around the known ones.
   */
  async place(nodes: readonly string[], edges: ReadonlyArray<{ source: string; target: string }>): Promise<Map<string, Point> | null> {
    const missing = nodes.filter((n) => !this.positions.has(n));
    if (missing.length === 0) {
      this.lastLayoutMs = 0;
      return null;
    }
    const fixed: Record<string, Point> = {};
    for (const n of nodes) {
      const p = this.positions.get(n);
      if (p !== undefined) fixed[n] = p;
    }
    const id = next++;
    const answer = await new Promise<LayoutAnswer>((resolve) => {
      waiting.set(id, resolve);
      layoutWorker().postMessage({ id, nodes: [...nodes], edges: edges.map((e) => ({ source: e.source, target: e.target })), fixed } satisfies LayoutRequest);
    });
    if (answer.error !== undefined) throw new Error(`graph layout failed: ${answer.error}`);
    this.lastLayoutMs = answer.ms;
    if (this.firstLayoutMs === 0) this.firstLayoutMs = answer.ms;
    for (const [n, p] of Object.entries(answer.positions)) if (!this.positions.has(n)) this.positions.set(n, p);
    return this.positions;
  }

  clear(): void {
    this.positions.clear();
    this.firstLayoutMs = 0;
  }
}
