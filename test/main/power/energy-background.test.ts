// Energy mode defers storage's periodic retention sweep and runs the deferred sweep as soon as
// it ends; an engine in energy mode pauses it, and leaving energy mode resumes it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { TSDB } from '../../../main/tsdb/db.js';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { until } from '../interop/peers.js';
import { tempDir } from '../helpers.js';

describe('heavy background work in energy mode', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('defers the retention sweep while paused and runs it once when resumed', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const db = await TSDB.open({ dir, worker: false, retentionMs: 3_600_000, retentionIntervalMs: 20 });
    cleanups.push(() => db.close());
    const sweeps = vi.spyOn(db, 'applyRetention');
    // Not paused: the sweep runs on its interval.
    await until(() => (sweeps.mock.calls.length >= 2 ? true : null), 'two sweeps while not paused');
    db.backgroundPaused = true;
    await new Promise((r) => setTimeout(r, 60)); // a sweep already started when pausing may end now
    const before = sweeps.mock.calls.length;
    // Ten intervals pass: nothing runs.
    await new Promise((r) => setTimeout(r, 200));
    expect(sweeps.mock.calls.length).toBe(before);
    db.backgroundPaused = false;
    // The deferred sweep runs at once, not an interval later.
    expect(sweeps.mock.calls.length).toBe(before + 1);
  });

  it('an engine pauses background work while energy mode is on and resumes it after', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const engine = await Engine.start({ dataDir: join(dir, 'data'), shell: 'test', logger: silentLogger, inProcessStorage: true, energy: { setting: 'on' } });
    cleanups.push(() => engine.stop());
    expect(engine.tsdb.backgroundPaused).toBe(true);
    await engine.api.setEnergyMode({ setting: 'off' });
    expect(engine.tsdb.backgroundPaused).toBe(false);
    await engine.api.setEnergyMode({ setting: 'on' });
    expect(engine.tsdb.backgroundPaused).toBe(true);
  });
});
