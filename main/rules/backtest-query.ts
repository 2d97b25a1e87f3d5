/**
 * The `QueryFn` and template expander that backtests and drills hand to the rule evaluator:
 * the same shape live evaluation uses (an instant query per evaluation, scalars wrapped as a
 * one-sample vector), but bound to whichever Queryable the caller chose — stored history for a
 * backtest, real storage plus synthetic overlay for a drill.
 */
import type { PromQLEngine } from '../promql/engine.js';
import type { Queryable } from '../tsdb/interface.js';
import { labelsToRecord, type Labels } from '../tsdb/labels.js';
import { ruleTemplateExpander } from './template.js';
import type { ExpandFn, QueryFn, RuleSample } from './types.js';

/**
 * Where a backtest's queries run: this engine over a Queryable (`localRunner`), or a remote data
 * source's query API (main/api/remote-sources.ts). `range` answers each step's samples of `expr`
 * from `first` to `last`; `maxPoints` bounds the steps of one range query.
 */
export interface RuleQueryRunner {
  instant: QueryFn;
  range(expr: string, first: number, last: number, stepMs: number, signal: AbortSignal | undefined): Promise<(RuleSample[] | undefined)[]>;
  maxPoints: number;
}

/** This engine over `queryable`. */
export function localRunner(engine: PromQLEngine, queryable: Queryable): RuleQueryRunner {
  return {
    instant: queryFnFor(engine, queryable),
    range: (expr, first, last, stepMs, signal) => rangeBlock(engine, queryable, expr, first, last, stepMs, signal),
    maxPoints: engine.options.maxPointsPerSeries,
  };
}

export function queryFnFor(engine: PromQLEngine, queryable: Queryable): QueryFn {
  return async (expr, timeMs, signal) => {
    const r = await engine.instantQuery(queryable, expr, timeMs, signal === undefined ? {} : { signal });
    if (r.result.type === 'vector') return r.result.samples.map((s) => ({ labels: s.labels, value: s.v }));
    if (r.result.type === 'scalar') return [{ labels: [] as Labels, value: r.result.v }];
    throw new Error(`rule expression ${JSON.stringify(expr)} must return a vector or scalar, got ${r.result.type}`);
  };
}

/**
 * A template expander whose `query` function runs at the evaluation being expanded, so
 * `{{ query "..." }}` in an annotation sees the same moment of history as the rule did.
 */
export function expanderFor(query: QueryFn, currentTs: () => number): ExpandFn {
  return ruleTemplateExpander({
    query: async (q: string) => (await query(q, currentTs())).map((s) => ({ Labels: labelsToRecord(s.labels), Value: s.value })),
  });
}

export interface GridQueryOptions {
  /** The rule expression whose evaluations are precomputed. */
  expr: string;
  /** First and last query time of the grid (evaluation time minus the query offset), and the step. */
  firstMs: number;
  lastMs: number;
  stepMs: number;
  /** Steps per range query: bounds the memory of one block (steps × series samples). */
  blockSteps?: number;
}

/**
 * A `QueryFn` for replaying a rule over a fixed grid of times: the rule's own expression is
 * answered from range queries over blocks of steps (the engine evaluates a node over all steps
 * at once, so this is much faster than one instant query per step, and a range query's value at
 * a step is the instant query's value at that time, `@ start()` / `@ end()` aside). Anything else — template
 * `query` calls, times off the grid — and any block whose range query fails falls back to
 * instant queries, so errors surface at the evaluation where live evaluation would see them.
 */
export function gridQueryFn(runner: RuleQueryRunner, grid: GridQueryOptions): QueryFn {
  const instant = runner.instant;
  // `@ start()` / `@ end()` mean the range's ends in a range query but the evaluation time in an
  // instant query; such rules are replayed with instant queries (a false match only costs speed).
  if (/@\s*(start|end)\s*\(/.test(grid.expr)) return instant;
  const blockSteps = Math.max(1, Math.min(grid.blockSteps ?? 720, runner.maxPoints));
  let block: { first: number; steps: (RuleSample[] | undefined)[] } | null = null;
  let failedBlock = -1;
  return async (expr, timeMs, signal) => {
    const offset = (timeMs - grid.firstMs) / grid.stepMs;
    if (expr !== grid.expr || timeMs > grid.lastMs || !Number.isInteger(offset) || offset < 0) return instant(expr, timeMs, signal);
    const blockNo = Math.floor(offset / blockSteps);
    if (blockNo === failedBlock) return instant(expr, timeMs, signal);
    const first = grid.firstMs + blockNo * blockSteps * grid.stepMs;
    if (block?.first !== first) {
      const last = Math.min(grid.lastMs, first + (blockSteps - 1) * grid.stepMs);
      try {
        block = { first, steps: await runner.range(expr, first, last, grid.stepMs, signal) };
      } catch (err) {
        if (signal?.aborted) throw err;
        block = null;
        failedBlock = blockNo;
        return instant(expr, timeMs, signal);
      }
    }
    return block.steps[offset - blockNo * blockSteps] ?? [];
  };
}

async function rangeBlock(
  engine: PromQLEngine,
  queryable: Queryable,
  expr: string,
  first: number,
  last: number,
  stepMs: number,
  signal: AbortSignal | undefined,
): Promise<(RuleSample[] | undefined)[]> {
  const r = await engine.rangeQuery(queryable, expr, first, last, stepMs, signal === undefined ? {} : { signal });
  if (r.result.type !== 'matrix') throw new Error(`rule expression ${JSON.stringify(expr)} must return a vector or scalar, got ${r.result.type}`);
  const steps: (RuleSample[] | undefined)[] = [];
  for (const s of r.result.series) {
    for (let i = 0; i < s.t.length; i++) {
      const k = Math.round((s.t[i]! - first) / stepMs);
      (steps[k] ??= []).push({ labels: s.labels, value: s.v[i]! });
    }
  }
  return steps;
}
