/**
 * Sleep and energy mode, wired: what main/power/ needs from the running subsystems — the
 * targets' last scrapes (the wake gate), the rule manager (`for` timers and firing alerts after a
 * gap, evaluation rounds) and the data for the "while you were away" summary.
 */
import type { PowerHooks } from '../power/power.js';
import type { PromQLEngine } from '../promql/engine.js';
import type { TSDB } from '../tsdb/db.js';
import { labelsToRecord } from '../tsdb/labels.js';
import type { Alerting } from './alerting.js';
import type { Collection } from './collection.js';

export function powerHooks(collection: Collection, alerting: Alerting, promql: PromQLEngine, tsdb: TSDB): PowerHooks {
  return {
    targets: () => collection.scrape.scrapeStates(),
    afterGap: (gapMs) => alerting.afterGap(gapMs),
    rulesEvaluatedSince: (ms) => alerting.ruleManager.evaluatedSince(ms),
    away: {
      query: async (expr, atMs) => {
        const r = await promql.instantQuery(tsdb, expr, atMs);
        return r.result.type === 'vector' ? r.result.samples.map((s) => ({ labels: labelsToRecord(s.labels), value: s.v })) : [];
      },
      firingNow: () => alerting.firing(),
      targets: () => collection.scrape.targets().activeTargets,
      seriesCount: () => tsdb.index.count,
    },
  };
}
