import { z } from 'zod';

/**
 * The memory budget and what uses memory, for the Status page (`memory` channel): resident set
 * of the whole process against the budget, the parts that make it up, what pressure did lately
 * and how many queries the budget refused (main/memory/budget.ts).
 */
export const MemoryStatusSchema = z.object({
  /** The budget in bytes; null when none is set. */
  budgetBytes: z.number().nonnegative().nullable(),
  /** Where the budget came from (`--memory-budget`, the app's setting); null without one. */
  source: z.string().nullable(),
  /** Resident set of the whole process (every thread, native memory included), bytes. */
  rssBytes: z.number().nonnegative(),
  /** none; soft (≥ 80 % of the budget: caches shrunk); hard (≥ 95 %: open chunks sealed early too). */
  pressure: z.enum(['none', 'soft', 'hard']),
  /** V8's limit for the main thread's heap (set from the budget by `--max-old-space-size`), bytes. */
  heapLimitBytes: z.number().nonnegative().optional(),
  /**
   * What the resident set is made of, bytes; the parts do not overlap, and "other" is what is left
   * (Node and V8 themselves, native code, SQLite, thread stacks). `detail` says what a part counts.
   */
  parts: z.array(z.object({ part: z.string(), bytes: z.number(), detail: z.string().optional() })),
  /** The latest steps pressure took (oldest first), with resident memory before and after. */
  actions: z.array(z.object({ action: z.string(), atMs: z.number(), rssBeforeBytes: z.number(), rssAfterBytes: z.number() })),
  /** Queries refused since start because their estimate did not fit the budget, and the last message. */
  refusedQueries: z.number().int().nonnegative(),
  lastRefusal: z.string().nullable(),
});

export type MemoryStatus = z.infer<typeof MemoryStatusSchema>;

/** `setMemoryBudget`: bytes, or null to run without one. */
export const SetMemoryBudgetRequestSchema = z.object({ budgetBytes: z.number().int().positive().nullable() }).strict();
