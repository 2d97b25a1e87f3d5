/**
 * What a query worker does for one task (query-pool.ts sends it, query-worker.ts runs it in a
 * thread): read the chunk rows of a slice of a select's series from its own read-only
 * connection, put each series together with the head samples the main thread read
 * (chunk-rows.ts, as the querier does), and run a step kernel (step-kernels.ts) over it. Only
 * the step columns go back, transferred, never the decoded samples or the chunk bytes.
 */
import type Database from 'better-sqlite3';
import { isHistogramEncoding } from './chunkenc/chunk.js';
import { assembleSeries, ChunkRows, rowSamples, Scratch } from './chunk-rows.js';
import type { StepKernel } from './interface.js';
import { thinInto } from './lookback.js';
import { dropStale, instantCount, instantSteps, rateSteps, reduceSteps, type StepReduceOp } from './step-kernels.js';

export interface StepTask {
  /** Series of the task, in the order results are wanted (any order: rows are matched by ref). */
  readonly refs: Uint32Array;
  readonly mint: number;
  readonly maxt: number;
  readonly kernel: StepKernel;
  /** Head samples per series (thinned for an instant kernel): series i owns [offsets[i], offsets[i + 1]). */
  readonly headOffsets: Uint32Array;
  readonly headT: Float64Array;
  readonly headV: Float64Array;
  /** Counting (`StepKernel.count`): each series' group, numbered over the whole select. */
  readonly groupOf?: Int32Array;
  /**
   * Reducing (`StepKernel.reduce`): the task holds whole groups, each series' group numbered
   * within the task (0 … groups − 1); members are added in task order.
   */
  readonly reduce?: { readonly op: StepReduceOp; readonly groupOf: Int32Array; readonly groups: number };
}

interface BadChunk {
  readonly ref: number;
  /** The chunk's key with `ref` (format 2 has no chunk id). */
  readonly minT: number;
  readonly reason: string;
}

export type StepTaskResult =
  /** A series of the task holds native histogram chunks: the kernels are float-only. */
  | { readonly histograms: true }
  | {
      readonly histograms: false;
      /** Per series: 1 when it has chunk rows or head samples (a select would return it). */
      readonly present: Uint8Array;
      /** Per series: samples a select's `samples()` would return. */
      readonly loaded: Uint32Array;
      /** Per series: steps with a value. */
      readonly steps: Uint32Array;
      /**
       * Series i's steps at [i·n, (i+1)·n), n = the kernel's steps; reducing, group j's at
       * [j·n, (j+1)·n) with its Kahan compensation in `c` (sum); counting, empty.
       */
      readonly v: Float64Array;
      readonly has: Uint8Array;
      readonly c: Float64Array | null;
      /** Counting: the groups met in this task (select-wide numbers); group j's counts at [j·n, (j+1)·n). */
      readonly groups: Int32Array | null;
      readonly counts: Float64Array | null;
      readonly bad: BadChunk[];
    };

export class StepTaskRunner {
  private readonly rows: ChunkRows;
  private readonly scratch = new Scratch();

  constructor(db: Database.Database) {
    this.rows = new ChunkRows(db);
  }

  run(task: StepTask): StepTaskResult {
    const { refs, mint, maxt, kernel, headOffsets, headT, headV } = task;
    const k = refs.length;
    const rows = this.rows.read(refs, mint, maxt);
    for (const row of rows) if (isHistogramEncoding(row[2])) return { histograms: true };
    // Rows come by ascending ref; series are in the caller's order: match them through a sort.
    const asc = Array.from({ length: k }, (_, i) => i).sort((a, b) => refs[a]! - refs[b]!);
    const from = new Uint32Array(k);
    const to = new Uint32Array(k);
    let r = 0;
    for (const i of asc) {
      while (r < rows.length && rows[r]![1] < refs[i]!) r++;
      from[i] = r;
      while (r < rows.length && rows[r]![1] === refs[i]!) r++;
      to[i] = r;
    }
    const n = kernel.kind === 'instant' ? kernel.times.length : kernel.ends.length;
    const present = new Uint8Array(k);
    const loaded = new Uint32Array(k);
    const steps = new Uint32Array(k);
    const groupOf = task.groupOf;
    // Counting: one column of counts per group met here, not one per series.
    const local = new Map<number, number>();
    if (groupOf) for (let i = 0; i < k; i++) if (!local.has(groupOf[i]!)) local.set(groupOf[i]!, local.size);
    const reduce = task.reduce;
    const cols = groupOf ? 0 : reduce ? reduce.groups : k;
    const out = new ArrayBuffer(cols * n * (reduce?.op === 'sum' ? 17 : 9));
    const v = new Float64Array(out, 0, cols * n);
    const c = reduce?.op === 'sum' ? new Float64Array(out, cols * n * 8, cols * n) : null;
    const has = new Uint8Array(out, cols * n * (c ? 16 : 8), cols * n);
    // Reducing: each series' steps go to a column here, then into its group's.
    const colV = reduce ? new Float64Array(n) : v;
    const colH = reduce ? new Uint8Array(n) : has;
    const counts = groupOf ? new Float64Array(local.size * n) : null;
    const tally = new Uint32Array(1);
    const bad: BadChunk[] = [];
    const points = kernel.kind === 'instant' ? { times: kernel.times, delta: kernel.lookback } : undefined;
    const scratch = this.scratch;
    for (let i = 0; i < k; i++) {
      const hFrom = headOffsets[i]!;
      const hTo = headOffsets[i + 1]!;
      if (from[i] === to[i] && hFrom === hTo) continue;
      present[i] = 1;
      scratch.ensure(rowSamples(rows, from[i]!, to[i]!) + hTo - hFrom);
      const { t: st, v: sv } = scratch;
      const m = assembleSeries(rows, from[i]!, to[i]!, headT, headV, hFrom, hTo, mint, maxt, st, sv, (row, e) => {
        bad.push({ minT: row[0], ref: refs[i]!, reason: `${e.kind}: ${e.message}` });
      }, counts !== null);
      const at = reduce ? 0 : i * n;
      if (reduce) colH.fill(0);
      if (kernel.kind === 'rate') {
        loaded[i] = m;
        steps[i] = rateSteps(st, sv, dropStale(st, sv, m), kernel.ends, kernel.range, kernel.isCounter, kernel.isRate, colV, colH, at);
      } else if (counts !== null) {
        steps[i] = instantCount(st, sv, m, kernel.times, kernel.lookback, counts, local.get(groupOf![i]!)! * n, tally);
        loaded[i] = tally[0]!;
      } else {
        // What the querier's thinned `samples()` keeps (in place), so `loaded` counts as it does.
        const kept = thinInto(st, sv, 0, m, points!, st, sv, 0);
        loaded[i] = kept;
        steps[i] = instantSteps(st, sv, kept, kernel.times, kernel.lookback, colV, colH, at);
      }
      if (reduce && steps[i]! > 0) reduceSteps(reduce.op, v, c, has, reduce.groupOf[i]! * n, colV, colH, 0, n);
    }
    return { histograms: false, present, loaded, steps, v, has, c, groups: groupOf ? Int32Array.from(local.keys()) : null, counts, bad };
  }
}
