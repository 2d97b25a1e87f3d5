// A restart in the middle of `for` keeps the pending time, with Prometheus' restore semantics
// (rules/manager.go RestoreForState): for a rule whose `for` is at least the grace period (10 m),
// the restored activeAt is the old activeAt shifted by the downtime, so the downtime does not
// count towards `for`; a rule with a shorter `for` starts over. Waiting 15 minutes for the alert
// to fire is not practical, so the test reads activeAt (what firing time is computed from) from
// the `/api/v1/alerts` data and the ALERTS_FOR_STATE samples the engine stored.
import { describe, it, expect, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { labelsToRecord } from '../../../main/tsdb/labels.js';
import { tempDir } from '../helpers.js';
import { until } from '../interop/peers.js';

interface ApiAlert {
  labels: Record<string, string>;
  state: string;
  activeAt: string;
}

const rules = `groups:
  - name: restart
    interval: 1s
    rules:
      - alert: LongFor
        expr: vector(1)
        for: 15m
      - alert: ShortFor
        expr: vector(1)
        for: 1m
`;

function alertsOf(engine: Engine): ApiAlert[] {
  return (engine.alertingRuntime?.ruleManager.alertsApi() as { alerts: ApiAlert[] }).alerts;
}

const activeAt = (engine: Engine, name: string): number | null => {
  const a = alertsOf(engine).find((x) => x.labels['alertname'] === name);
  return a === undefined ? null : Date.parse(a.activeAt);
};

/** ALERTS_FOR_STATE samples of `alertname`, oldest first. */
async function forState(engine: Engine, alertname: string, from: number, to: number): Promise<Array<{ t: number; v: number }>> {
  const q = await engine.tsdb.querier(from, to);
  try {
    const set = await q.select([
      { op: '=', name: '__name__', value: 'ALERTS_FOR_STATE' },
      { op: '=', name: 'alertname', value: alertname },
    ]);
    const out: Array<{ t: number; v: number }> = [];
    for (const s of set.series) {
      expect(labelsToRecord(s.labels)['alertname']).toBe(alertname);
      const { t, v } = s.samples();
      for (let i = 0; i < t.length; i++) out.push({ t: t[i]!, v: v[i]! });
    }
    return out.sort((a, b) => a.t - b.t);
  } finally {
    q.close();
  }
}

describe('restart in the middle of `for`', () => {
  const { dir, cleanup } = tempDir('vigil-restart-for-');
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'vigil.yml');
  writeFileSync(join(dir, 'rules.yml'), rules);
  writeFileSync(configFile, `global:\n  evaluation_interval: 1s\nrule_files: ['${join(dir, 'rules.yml')}']\nscrape_configs: []\n`);
  let engine: Engine | null = null;

  afterAll(async () => {
    await engine?.stop();
    cleanup();
  });

  const start = async (): Promise<Engine> => {
    const e = await Engine.start({ dataDir, configFile, shell: 'test', inProcessStorage: true, logger: silentLogger });
    await e.startCollection({ selfAddress: '127.0.0.1:1', externalURL: 'http://127.0.0.1:1' });
    return e;
  };

  it('shifts activeAt by the downtime for for >= 10m, and starts over for a shorter for', async () => {
    const t0 = Date.now();
    engine = await start();
    const first = engine;
    const originalActiveAt = await until(() => activeAt(first, 'LongFor'), 'LongFor to be pending');
    // A few evaluations so ALERTS_FOR_STATE holds the pending state.
    await until(async () => ((await forState(first, 'LongFor', t0 - 1000, Date.now())).length >= 3 ? true : null), '3 ALERTS_FOR_STATE samples');
    expect(alertsOf(first).find((a) => a.labels['alertname'] === 'LongFor')?.state).toBe('pending');
    await first.stop();
    engine = null;
    const stoppedAt = Date.now();
    // Downtime long enough to be clearly visible in activeAt.
    await new Promise((r) => setTimeout(r, 2500));

    const restartAt = Date.now();
    engine = await start();
    const second = engine;
    // After the first evaluation the manager restores; wait until a sample written after the
    // restore shows the restored value.
    const samples = await until(async () => {
      const s = await forState(second, 'LongFor', t0 - 1000, Date.now());
      return s.filter((x) => x.t >= restartAt).length >= 2 ? s : null;
    }, 'two evaluations after the restart');

    const before = samples.filter((x) => x.t < restartAt);
    const after = samples.filter((x) => x.t >= restartAt);
    const down = before[before.length - 1]!;
    expect(down.t).toBeLessThanOrEqual(stoppedAt);
    // Before the stop, every sample carried the original activeAt (seconds).
    expect(down.v * 1000).toBeCloseTo(originalActiveAt, -1);
    const firstEvalTs = after[0]!.t;
    const expected = originalActiveAt + (firstEvalTs - down.t);

    const restored = activeAt(second, 'LongFor');
    expect(restored).not.toBeNull();
    expect(Math.abs(restored! - expected)).toBeLessThanOrEqual(1);
    // The downtime does not count towards `for`, and the pending time is not lost either.
    expect(restored!).toBeGreaterThan(originalActiveAt + 2000);
    expect(restored!).toBeLessThan(firstEvalTs);
    expect(alertsOf(second).find((a) => a.labels['alertname'] === 'LongFor')?.state).toBe('pending');
    // Stored state after the restore carries the restored activeAt, so a second restart keeps it.
    expect(Math.abs(after[after.length - 1]!.v * 1000 - expected)).toBeLessThanOrEqual(1);

    // `for` under the grace period: not restored, pending since the first evaluation after restart.
    const short = activeAt(second, 'ShortFor');
    expect(short).not.toBeNull();
    expect(short!).toBeGreaterThanOrEqual(restartAt);
  }, 30_000);
});
