/**
 * The memory budget (`--memory-budget`, the desktop app's setting): Prometheus 1.6's
 * `storage.local.target-heap-size` for Vigil. The figure kept under it is the process' resident
 * set (RSS), which counts every thread — the storage worker's heap and open chunks included — and
 * native memory (SQLite's caches) that a heap figure would miss.
 *
 * A timer reads RSS every few seconds and answers pressure in two steps:
 * * **soft** (RSS ≥ 80 % of the budget): shrink caches (the range result cache to a quarter),
 *   give back SQLite's page caches in both threads, end the worker threads that are idle (query
 *   workers, probe threads: each an isolate and a SQLite cache; they start again with work) and
 *   collect garbage in both isolates;
 * * **hard** (RSS ≥ 95 %): also empty the caches and seal every open head chunk now (their
 *   samples go to SQLite, the head's pages are freed) instead of when they fill.
 * Each step runs at most once per its interval, since sealing early costs bytes on disk (short
 * chunks compress worse) and a collection costs CPU. When RSS falls under 70 %, caches get their
 * normal size back.
 *
 * Queries are admitted against what is left: a query whose estimate (series × points, from the
 * index before anything is read; main/api/query-estimate.ts) does not fit between RSS and the
 * budget — plus what the query worker threads it may start would add — is refused with a
 * message naming it and the estimate, as Prometheus refuses one that
 * would load too many samples — never left to run the process out of memory. Before refusing, one
 * collection is tried (at most every 10 s), since RSS may be garbage V8 has not collected yet.
 */
import { ApiError } from '../../app/api/errors.js';
import type { MemoryStatus } from '../../app/api/memory.js';

/** What pressure does to memory; the engine wires each to the part that owns it. */
export interface PressureActions {
  /** Caches to `fraction` of their configured size (0 empties them; 1 restores them). */
  sizeCaches(fraction: number): void;
  /** SQLite's page caches back to the allocator, and a collection in the storage worker. */
  shrinkStorage(): Promise<void>;
  /** Seal every open head chunk now, freeing the head's pages. */
  sealHead(): Promise<void>;
  /** End the worker threads that run nothing now (they start again when work comes). */
  endIdleThreads(): Promise<void>;
  /** A full collection of this thread's heap. */
  collectGarbage(): void;
}

export interface MemoryBudgetOptions {
  /** Bytes; null runs without a budget (memory is still measured for the Status page). */
  budgetBytes: number | null;
  /** Resident set of the whole process, bytes (tests: a fake). */
  rss?: () => number;
  actions: PressureActions;
  now?: () => number;
  /** How often RSS is read (ms; default 5 s; 0: only when `check()` is called). */
  checkEveryMs?: number;
  /** Least time between two soft / two hard steps (ms; defaults 10 s and 60 s). */
  softEveryMs?: number;
  hardEveryMs?: number;
  /**
   * Bytes the worker threads a wide query may start would add to RSS (query workers not running
   * now); added to every estimate past the size that is always admitted.
   */
  threadBytes?: () => number;
  /** Where the budget came from, for messages: the flag or the app's setting. */
  source?: string;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export type Pressure = 'none' | 'soft' | 'hard';

/** A query's estimate as the admission check sees it. */
export interface QueryEstimate {
  series: number;
  samples: number;
}

interface ActionRecord {
  action: string;
  atMs: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
}

const softShare = 0.8;
const hardShare = 0.95;
const relaxShare = 0.7;
/**
 * Bytes a query holds per series it selects and per sample it loads, for a query that holds its
 * whole input (a binary operation, `topk`, a subquery): per sample a float64 time and value; per
 * series its label set as objects and result arrays, about 1 KiB with W-fleet's ten labels.
 * Queries that stream (instant selectors read one sample a step, `sum`/`count`/… of a selector or
 * a rate read a series at a time) hold less, so this is an upper bound: with 3 KiB a series (what
 * one `count({job="fleet"})` over 100k series added to RSS before those queries streamed) a 15 min
 * dashboard panel over 25k series was refused under a 300 MiB budget at 200 MiB resident.
 */
const bytesPerSeries = 1024;
const bytesPerSample = 16;
/** Queries estimated under this always run: the Status page and an `up` must work under pressure. */
const alwaysAdmitBytes = 1024 * 1024;
const gcBeforeRefusalEveryMs = 10_000;
const keptActions = 8;

/** Bytes a query is estimated to hold while it runs. */
export function queryBytes(est: QueryEstimate): number {
  return est.series * bytesPerSeries + est.samples * bytesPerSample;
}

const mib = (n: number): string => `${(n / 1048576).toFixed(n < 10 * 1048576 ? 1 : 0)} MiB`;

export class MemoryBudget {
  private budget: number | null;
  private readonly rss: () => number;
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private level: Pressure = 'none';
  private lastSoft = -Infinity;
  private lastHard = -Infinity;
  private lastGcForAdmission = -Infinity;
  private cachesShrunk = false;
  private running: Promise<void> | null = null;
  private readonly actions: ActionRecord[] = [];
  private refused = 0;
  private lastRefusal: string | null = null;
  private source: string;

  constructor(private readonly opts: MemoryBudgetOptions) {
    if (opts.budgetBytes !== null) checkBudget(opts.budgetBytes);
    this.budget = opts.budgetBytes;
    this.rss = opts.rss ?? (() => process.memoryUsage.rss());
    this.now = opts.now ?? Date.now;
    this.source = opts.source ?? '--memory-budget';
  }

  start(): void {
    const every = this.opts.checkEveryMs ?? 5_000;
    if (every <= 0 || this.timer !== null) return;
    this.timer = setInterval(() => void this.check(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  get budgetBytes(): number | null {
    return this.budget;
  }

  /** A new budget (null: none) takes effect at once: the next check and the next query see it. */
  setBudget(bytes: number | null, source: string): void {
    if (bytes !== null) checkBudget(bytes);
    this.budget = bytes;
    this.source = source;
    this.lastSoft = this.lastHard = -Infinity;
    void this.check();
  }

  /** Reads RSS and takes the step the pressure calls for; one check runs at a time. */
  check(): Promise<void> {
    this.running ??= this.step().finally(() => (this.running = null));
    return this.running;
  }

  private async step(): Promise<void> {
    const budget = this.budget;
    const rss = this.rss();
    const t = this.now();
    if (budget === null || rss < relaxShare * budget) {
      this.level = 'none';
      if (this.cachesShrunk) {
        this.opts.actions.sizeCaches(1);
        this.cachesShrunk = false;
        this.record('caches back to their configured size', t, rss, rss);
      }
      return;
    }
    this.level = rss >= hardShare * budget ? 'hard' : rss >= softShare * budget ? 'soft' : this.level === 'none' ? 'none' : 'soft';
    const a = this.opts.actions;
    if (this.level === 'hard' && t - this.lastHard >= (this.opts.hardEveryMs ?? 60_000)) {
      this.lastHard = this.lastSoft = t;
      a.sizeCaches(0);
      this.cachesShrunk = true;
      await a.sealHead();
      await a.shrinkStorage();
      await a.endIdleThreads();
      a.collectGarbage();
      this.record('hard: caches emptied, open chunks sealed, SQLite caches shrunk, idle worker threads ended, garbage collected', t, rss, this.rss());
    } else if (this.level !== 'none' && rss >= softShare * budget && t - this.lastSoft >= (this.opts.softEveryMs ?? 10_000)) {
      this.lastSoft = t;
      a.sizeCaches(0.25);
      this.cachesShrunk = true;
      await a.shrinkStorage();
      await a.endIdleThreads();
      a.collectGarbage();
      this.record('soft: caches to a quarter, SQLite caches shrunk, idle worker threads ended, garbage collected', t, rss, this.rss());
    }
  }

  private record(action: string, atMs: number, rssBeforeBytes: number, rssAfterBytes: number): void {
    this.actions.push({ action, atMs, rssBeforeBytes, rssAfterBytes });
    if (this.actions.length > keptActions) this.actions.shift();
    this.opts.log?.('memory budget: ' + action, { budgetBytes: this.budget, rssBeforeBytes, rssAfterBytes });
  }

  /**
   * Refuses a query whose estimate does not fit between resident memory and the budget (an
   * ApiError Prometheus' API answers with 422 `execution`, as for too many samples); small
   * queries always run. The estimate includes the worker threads the query may start.
   */
  admit(query: string, est: QueryEstimate): void {
    const budget = this.budget;
    if (budget === null) return;
    const own = queryBytes(est);
    if (own <= alwaysAdmitBytes) return;
    const threads = this.opts.threadBytes?.() ?? 0;
    const need = own + threads;
    let rss = this.rss();
    if (rss + need <= budget) return;
    const t = this.now();
    if (t - this.lastGcForAdmission >= gcBeforeRefusalEveryMs) {
      this.lastGcForAdmission = t;
      this.opts.actions.collectGarbage();
      rss = this.rss();
      if (rss + need <= budget) return;
    }
    const points = est.series > 0 ? Math.round(est.samples / est.series) : 0;
    const message =
      `query processing would exceed the memory budget: ${JSON.stringify(query)} needs about ${mib(need)} ` +
      `(${est.series.toLocaleString('en-US')} series × ${points.toLocaleString('en-US')} points` +
      `${threads > 0 ? `, ${mib(threads)} of it for the query worker threads it would start` : ''}), ` +
      `and Vigil holds ${mib(rss)} of its ${mib(budget)} budget (${this.source}); ` +
      'select fewer series or a shorter range, or raise the budget';
    this.refused++;
    this.lastRefusal = message;
    throw new ApiError({ kind: 'bad_request', errorType: 'execution', message, where: 'query' });
  }

  /** The budget's side of the Status page; `parts` are measured by the caller. */
  status(parts: MemoryStatus['parts'], heapLimitBytes: number): MemoryStatus {
    return {
      heapLimitBytes,
      budgetBytes: this.budget,
      source: this.budget === null ? null : this.source,
      rssBytes: this.rss(),
      pressure: this.level,
      parts,
      actions: [...this.actions],
      refusedQueries: this.refused,
      lastRefusal: this.lastRefusal,
    };
  }
}

/** Smallest budget accepted: below it Vigil cannot start its two isolates and SQLite. */
export const minBudgetBytes = 64 * 1024 * 1024;

function checkBudget(bytes: number): void {
  if (!Number.isFinite(bytes) || bytes < minBudgetBytes) {
    throw new ApiError({ kind: 'bad_request', where: 'budgetBytes', message: `memory budget must be at least ${mib(minBudgetBytes)}, got ${Number.isFinite(bytes) ? mib(bytes) : String(bytes)}` });
  }
}
