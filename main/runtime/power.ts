/**
 * Sleep and energy mode, wired: what main/power/ needs from the running subsystems — the
 * targets' last scrapes and probes' last runs (the wake gate), the rule manager (`for` timers and firing alerts after a
 * gap, evaluation rounds) and the data for the "while you were away" summary.
 */
import type { PowerHooks } from '../power/power.js';
import type { PromQLEngine } from '../promql/engine.js';
import type { TSDB } from '../tsdb/db.js';
import { labelsToRecord } from '../tsdb/labels.js';
import type { Alerting } from './alerting.js';
import type { Collection } from './collection.js';
import type { Probing } from './probing.js';

export function powerHooks(collection: Collection, probing: Probing, alerting: Alerting, promql: PromQLEngine, tsdb: TSDB): PowerHooks {
  return {
    // Probes count as targets: `probe_success == 0` right after a wake is as stale as `up`.
    targets: () => [...collection.scrape.scrapeStates(), ...probing.runStates()],
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
