import { create } from 'zustand';
import type { z } from 'zod';
import type { WorkbenchApi } from '../../app/api/channels.js';
import type { BacktestResponseSchema, DrillResponseSchema } from '../../app/api/alerts.js';
import { queryError } from '../api/query-cache.js';
import { drillSeriesFor, ruleSpec, type DrillSeries, type SavedRule } from '../alerts/rule-helpers.js';

type BacktestResponse = z.infer<typeof BacktestResponseSchema>;
type DrillResponse = z.infer<typeof DrillResponseSchema>;

export interface BacktestState {
  rangeMs: number;
  /** Edited expression / `for`, compared with the saved rule when they differ. */
  expr: string;
  forSeconds: number;
  /** Whose history the rule is replayed over: undefined is this engine, else a remote data source's uid. */
  source: string | undefined;
  running: boolean;
  error: string | null;
  result: BacktestResponse | null;
  /** The axis the result was computed over. */
  axis: { startMs: number; endMs: number } | null;
}

export interface DrillState {
  series: DrillSeries[];
  note: string | null;
  stepSeconds: number;
  notify: boolean;
  running: boolean;
  error: string | null;
  result: DrillResponse | null;
}

/** Open panels are keyed by `group file/group name/rule name/index`. */
export interface RulesSlice {
  backtests: Record<string, BacktestState>;
  drills: Record<string, DrillState>;
  testFiles: string;
  tests: { running: boolean; ok: boolean | null; report: string; error: string | null };
  openBacktest(key: string, rule: SavedRule): void;
  editBacktest(key: string, patch: Partial<Pick<BacktestState, 'rangeMs' | 'expr' | 'forSeconds' | 'source'>>): void;
  runBacktest(api: WorkbenchApi, key: string, rule: SavedRule, nowMs: number): Promise<void>;
  openDrill(key: string, rule: SavedRule): void;
  editDrill(key: string, patch: Partial<Pick<DrillState, 'series' | 'stepSeconds' | 'notify'>>): void;
  runDrill(api: WorkbenchApi, key: string, rule: SavedRule): Promise<void>;
  close(key: string): void;
  setTestFiles(text: string): void;
  runTests(api: WorkbenchApi): Promise<void>;
}

/** The Rules page's panels (backtests, drills, rule tests); the rules themselves are a shared read. */
export const useRulesStore = create<RulesSlice>((set, get) => {
  const patchBacktest = (key: string, patch: Partial<BacktestState>) => {
    const cur = get().backtests[key];
    if (cur) set({ backtests: { ...get().backtests, [key]: { ...cur, ...patch } } });
  };
  const patchDrill = (key: string, patch: Partial<DrillState>) => {
    const cur = get().drills[key];
    if (cur) set({ drills: { ...get().drills, [key]: { ...cur, ...patch } } });
  };
  return {
    backtests: {},
    drills: {},
    testFiles: '',
    tests: { running: false, ok: null, report: '', error: null },
    openBacktest(key, rule) {
      if (get().backtests[key]) return;
      set({ backtests: { ...get().backtests, [key]: { rangeMs: 3_600_000, expr: rule.query, forSeconds: rule.forSeconds, source: undefined, running: false, error: null, result: null, axis: null } } });
    },
    editBacktest: (key, patch) => patchBacktest(key, patch),
    async runBacktest(api, key, rule, nowMs) {
      const bt = get().backtests[key];
      if (!bt) return;
      const axis = { startMs: nowMs - bt.rangeMs, endMs: nowMs };
      const edited = bt.expr.trim() !== rule.query.trim() || bt.forSeconds !== rule.forSeconds;
      patchBacktest(key, { running: true, error: null });
      try {
        const result = await api.backtest({
          rule: ruleSpec(rule, { expr: bt.expr, forSeconds: bt.forSeconds }),
          ...(edited ? { compareWith: ruleSpec(rule) } : {}),
          ...axis,
          ...(bt.source !== undefined ? { source: bt.source } : {}),
        });
        patchBacktest(key, { running: false, result, axis });
      } catch (err) {
        patchBacktest(key, { running: false, error: queryError(err, `backtest of ${rule.name}`).message });
      }
    },
    openDrill(key, rule) {
      if (get().drills[key]) return;
      const { series, note } = drillSeriesFor(rule.query);
      set({ drills: { ...get().drills, [key]: { series, note, stepSeconds: 1, notify: true, running: false, error: null, result: null } } });
    },
    editDrill: (key, patch) => patchDrill(key, patch),
    async runDrill(api, key, rule) {
      const d = get().drills[key];
      if (!d) return;
      const series = d.series.filter((s) => s.selector.trim() !== '');
      if (series.length === 0) {
        patchDrill(key, { error: 'give at least one series: a selector such as queue_depth{job="x"} and values such as 0x3 500x10' });
        return;
      }
      patchDrill(key, { running: true, error: null });
      try {
        const result = await api.fireDrill({ rule: ruleSpec(rule), series, stepSeconds: d.stepSeconds, notify: d.notify });
        patchDrill(key, { running: false, result });
      } catch (err) {
        patchDrill(key, { running: false, error: queryError(err, `fire drill of ${rule.name}`).message });
      }
    },
    close(key) {
      const { [key]: _b, ...backtests } = get().backtests;
      const { [key]: _d, ...drills } = get().drills;
      set({ backtests, drills });
    },
    setTestFiles: (testFiles) => set({ testFiles }),
    async runTests(api) {
      const files = get()
        .testFiles.split(/[\n,]/)
        .map((f) => f.trim())
        .filter(Boolean);
      if (files.length === 0) {
        set({ tests: { running: false, ok: null, report: '', error: 'give one or more test file paths (promtool test rules format), comma- or line-separated' } });
        return;
      }
      set({ tests: { ...get().tests, running: true, error: null } });
      try {
        const r = await api.runRuleTests({ files });
        set({ tests: { running: false, ok: r.ok, report: r.report, error: null } });
      } catch (err) {
        set({ tests: { running: false, ok: null, report: '', error: queryError(err, `rule tests ${files.join(', ')}`).message } });
      }
    },
  };
});
