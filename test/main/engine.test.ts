import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine.js';
import { silentLogger } from '../../main/util/log.js';
import { StatusSchema } from '../../app/api/status.js';
import { tempDir } from './helpers.js';

describe('Engine', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('reports its start time and data directory through status()', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const engine = await Engine.start({ dataDir: dir, shell: 'test', logger: silentLogger, now: () => 1_700_000_000_000 });
    cleanups.push(() => engine.stop());
    const status = StatusSchema.parse(await engine.api.status({}));
    expect(status.startTimeMs).toBe(1_700_000_000_000);
    expect(status.dataDir).toBe(dir);
    expect(status.shell).toBe('test');
    expect(status.configFile).toBeNull();
  });

  it('refuses a data directory another live engine holds, and frees it on stop', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const first = await Engine.start({ dataDir: dir, shell: 'test', logger: silentLogger });
    // Same process: simulate another holder by writing our parent's PID into the lock.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/LOCK`, String(process.ppid));
    await expect(Engine.start({ dataDir: dir, shell: 'test', logger: silentLogger })).rejects.toThrow(/in use by process/);
    writeFileSync(`${dir}/LOCK`, String(process.pid));
    await first.stop();
    const second = await Engine.start({ dataDir: dir, shell: 'test', logger: silentLogger });
    await second.stop();
  });

  it('takes over a stale lock left by a dead process', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/LOCK`, '999999999');
    const engine = await Engine.start({ dataDir: dir, shell: 'test', logger: silentLogger });
    await engine.stop();
  });
});
