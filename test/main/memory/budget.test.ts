import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../app/api/errors.js';
import { MemoryBudget, queryBytes, type PressureActions } from '../../../main/memory/budget.js';

const MiB = 1024 * 1024;

/** A budget over a fake RSS and a fake clock, recording the actions it takes (each may lower RSS). */
function setup(budgetMiB: number | null, rssMiB: number, relief: Partial<Record<'seal' | 'shrink' | 'threads' | 'gc', number>> = {}, threadMiB?: number) {
  const state = { rss: rssMiB * MiB, t: 1_000_000 };
  const calls: string[] = [];
  const actions: PressureActions = {
    sizeCaches: (f) => void calls.push(`caches ${f}`),
    shrinkStorage: async () => {
      calls.push('shrink');
      state.rss -= (relief.shrink ?? 0) * MiB;
    },
    sealHead: async () => {
      calls.push('seal');
      state.rss -= (relief.seal ?? 0) * MiB;
    },
    endIdleThreads: async () => {
      calls.push('threads');
      state.rss -= (relief.threads ?? 0) * MiB;
    },
    collectGarbage: () => {
      calls.push('gc');
      state.rss -= (relief.gc ?? 0) * MiB;
    },
  };
  const budget = new MemoryBudget({
    budgetBytes: budgetMiB === null ? null : budgetMiB * MiB,
    rss: () => state.rss,
    now: () => state.t,
    actions,
    checkEveryMs: 0,
    ...(threadMiB !== undefined ? { threadBytes: () => threadMiB * MiB } : {}),
  });
  return { budget, calls, state };
}

describe('memory budget: pressure steps', () => {
  it('does nothing under 80 % of the budget, or without a budget', async () => {
    const a = setup(100, 79);
    await a.budget.check();
    expect(a.calls).toEqual([]);
    expect(a.budget.status([], 0).pressure).toBe('none');
    const b = setup(null, 5000);
    await b.budget.check();
    expect(b.calls).toEqual([]);
  });

  it('soft pressure shrinks caches to a quarter, SQLite caches, ends idle worker threads, and collects; at most once per 10 s', async () => {
    const { budget, calls, state } = setup(100, 85, { threads: 2, gc: 1 });
    await budget.check();
    expect(calls).toEqual(['caches 0.25', 'shrink', 'threads', 'gc']);
    const s = budget.status([], 0);
    expect(s.pressure).toBe('soft');
    expect(s.actions).toHaveLength(1);
    expect(s.actions[0]).toMatchObject({ action: expect.stringContaining('idle worker threads ended'), rssBeforeBytes: 85 * MiB, rssAfterBytes: 82 * MiB });
    state.t += 5_000;
    await budget.check();
    expect(calls).toHaveLength(4);
    state.t += 5_000;
    await budget.check();
    expect(calls).toHaveLength(8);
  });

  it('hard pressure empties caches and seals open chunks early; at most once a minute, soft steps in between', async () => {
    const { budget, calls, state } = setup(100, 97);
    await budget.check();
    expect(calls).toEqual(['caches 0', 'seal', 'shrink', 'threads', 'gc']);
    expect(budget.status([], 0).pressure).toBe('hard');
    state.t += 10_000;
    await budget.check();
    expect(calls.slice(5)).toEqual(['caches 0.25', 'shrink', 'threads', 'gc']);
    state.t += 50_000;
    await budget.check();
    expect(calls.slice(9)).toEqual(['caches 0', 'seal', 'shrink', 'threads', 'gc']);
  });

  it('gives caches their size back once RSS is under 70 %', async () => {
    const { budget, calls, state } = setup(100, 90);
    await budget.check();
    state.rss = 75 * MiB; // between 70 and 80 %: stays as it is
    state.t += 20_000;
    await budget.check();
    expect(calls.filter((c) => c.startsWith('caches'))).toEqual(['caches 0.25']);
    state.rss = 60 * MiB;
    await budget.check();
    expect(calls.at(-1)).toBe('caches 1');
    expect(budget.status([], 0).pressure).toBe('none');
    await budget.check();
    expect(calls.filter((c) => c === 'caches 1')).toHaveLength(1);
  });

  it('a new budget applies at once', async () => {
    const { budget, calls } = setup(null, 90);
    budget.setBudget(100 * MiB, 'the app’s setting');
    await budget.check();
    expect(calls).toContain('shrink');
    expect(budget.status([], 0)).toMatchObject({ budgetBytes: 100 * MiB, source: 'the app’s setting' });
    expect(() => budget.setBudget(1 * MiB, 'x')).toThrow(/at least 64 MiB/);
  });
});

describe('memory budget: query admission', () => {
  const wide = { series: 100_000, samples: 100_000 * 241 };

  it('refuses a query whose estimate does not fit, naming the query, the estimate and the budget', () => {
    const { budget } = setup(300, 250);
    let err: unknown;
    try {
      budget.admit('count({job="fleet"})', wide);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.errorType).toBe('execution');
    expect(e.message).toContain('query processing would exceed the memory budget: "count({job=\\"fleet\\"})"');
    expect(e.message).toContain(`needs about ${Math.round(queryBytes(wide) / MiB)} MiB (100,000 series × 241 points)`);
    expect(e.message).toContain('Vigil holds 250 MiB of its 300 MiB budget (--memory-budget)');
    const s = budget.status([], 0);
    expect(s.refusedQueries).toBe(1);
    expect(s.lastRefusal).toBe(e.message);
  });

  it('admits a query that fits, any query without a budget, and a small one even over the budget', () => {
    expect(() => setup(4096, 250).budget.admit('q', wide)).not.toThrow();
    expect(() => setup(null, 250).budget.admit('q', wide)).not.toThrow();
    expect(() => setup(300, 310).budget.admit('up', { series: 10, samples: 10 })).not.toThrow();
  });

  it('counts the query worker threads a query would start in its estimate, past the always-admitted size', () => {
    // 100 MiB left: the wide query (~23 MiB) fits alone, not with 96 MiB of threads to start.
    expect(() => setup(400, 300, {}, 0).budget.admit('q', { series: 10_000, samples: 10_000 * 100 })).not.toThrow();
    const { budget } = setup(400, 300, {}, 96);
    let message = '';
    try {
      budget.admit('sum(rate(x[5m]))', { series: 10_000, samples: 10_000 * 100 });
    } catch (e) {
      message = (e as Error).message;
    }
    const need = Math.round((queryBytes({ series: 10_000, samples: 10_000 * 100 }) + 96 * MiB) / MiB);
    expect(message).toContain(`needs about ${need} MiB (10,000 series × 100 points, 96 MiB of it for the query worker threads it would start)`);
    // A small query runs whatever threads it might start: the Status page and `up` must work.
    expect(() => budget.admit('up', { series: 10, samples: 10 })).not.toThrow();
  });

  it('collects garbage once before refusing, and admits when that made room', () => {
    const { budget, calls } = setup(800, 500, { gc: 200 });
    budget.admit('q', wide); // ~465 MiB: fits only after the collection
    expect(calls).toEqual(['gc']);
    const again = setup(800, 500);
    expect(() => again.budget.admit('q', wide)).toThrow(/memory budget/);
    expect(again.calls).toEqual(['gc']);
    expect(() => again.budget.admit('q', wide)).toThrow(/memory budget/);
    expect(again.calls).toEqual(['gc']); // not again within 10 s
  });
});
