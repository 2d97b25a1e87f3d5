import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStamp, type ElectronTarget } from '../../../main/native-modules/electron-build.js';
import { decide, prepareElectronBuild, PrepareError, type PrepareSteps } from '../../../main/native-modules/prepare-electron.js';

const target: ElectronTarget = { electron: '40.8.5', abi: '143', platform: process.platform, arch: process.arch };

/** Steps with a fake fetcher and compiler that write a recognisable file, and a log of calls. */
function fakeSteps(opts: { target?: ElectronTarget; moduleVersion?: string; fetch?: 'ok' | 'fail'; compile?: 'ok' | 'fail' } = {}) {
  const calls: string[] = [];
  const log: string[] = [];
  const produce = (staging: string, content: string): string => {
    mkdirSync(staging, { recursive: true });
    const file = join(staging, 'better_sqlite3.node');
    writeFileSync(file, content);
    return file;
  };
  const steps: PrepareSteps = {
    target: async () => opts.target ?? target,
    moduleVersion: () => opts.moduleVersion ?? '12.11.1',
    exists: existsSync,
    async fetchPrebuilt(t, staging) {
      calls.push(`fetch ${t.electron} ${t.abi}`);
      if (opts.fetch === 'fail') throw new Error('getaddrinfo ENOTFOUND github.com');
      return produce(staging, `prebuilt for ${t.electron}`);
    },
    async compile(t, staging) {
      calls.push(`compile ${t.electron}`);
      if (opts.compile === 'fail') throw new Error('node-gyp exited with code 1');
      return produce(staging, `compiled for ${t.electron}`);
    },
    log: (line) => log.push(line),
    now: () => new Date('2026-12-02T12:00:00Z'),
  };
  return { steps, calls, log };
}

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'vigil-prepare-')), 'native', 'electron');
});
afterEach(() => rmSync(join(dir, '..', '..'), { recursive: true, force: true }));

const binding = () => readFileSync(join(dir, 'better_sqlite3.node'), 'utf8');

describe('preparing the Electron build of better-sqlite3', () => {
  it('missing: fetches the prebuilt binary and stamps it with what it was built for', async () => {
    const { steps, calls, log } = fakeSteps();
    const stamp = await prepareElectronBuild(steps, dir);
    expect(calls).toEqual(['fetch 40.8.5 143']);
    expect(binding()).toBe('prebuilt for 40.8.5');
    expect(stamp).toMatchObject({ module: 'better-sqlite3', moduleVersion: '12.11.1', ...target, source: 'prebuilt' });
    expect(readStamp(dir)).toEqual(stamp);
    expect(log.join('\n')).toContain('no Electron build yet; preparing it');
  });

  it('present and matching: kept, nothing fetched', async () => {
    await prepareElectronBuild(fakeSteps().steps, dir);
    const { steps, calls, log } = fakeSteps();
    await prepareElectronBuild(steps, dir);
    expect(calls).toEqual([]);
    expect(log.at(-1)).toContain('ready');
  });

  it('stale after an Electron upgrade or a better-sqlite3 upgrade: prepared again', async () => {
    await prepareElectronBuild(fakeSteps().steps, dir);
    const upgraded = fakeSteps({ target: { ...target, electron: '41.0.0', abi: '145' } });
    await prepareElectronBuild(upgraded.steps, dir);
    expect(upgraded.calls).toEqual(['fetch 41.0.0 145']);
    expect(upgraded.log[0]).toContain('Electron 40.8.5 → 41.0.0, NODE_MODULE_VERSION 143 → 145');
    expect(binding()).toBe('prebuilt for 41.0.0');
    const newModule = fakeSteps({ target: { ...target, electron: '41.0.0', abi: '145' }, moduleVersion: '12.12.0' });
    await prepareElectronBuild(newModule.steps, dir);
    expect(newModule.log[0]).toContain('better-sqlite3 12.11.1 → 12.12.0');
  });

  it('no prebuilt binary: compiles against Electron\'s headers', async () => {
    const { steps, calls } = fakeSteps({ fetch: 'fail' });
    const stamp = await prepareElectronBuild(steps, dir);
    expect(calls).toEqual(['fetch 40.8.5 143', 'compile 40.8.5']);
    expect(stamp.source).toBe('compiled');
    expect(binding()).toBe('compiled for 40.8.5');
  });

  it('both fail (offline): a clear error naming both causes, and the previous build is left usable', async () => {
    await prepareElectronBuild(fakeSteps().steps, dir);
    const { steps } = fakeSteps({ target: { ...target, electron: '41.0.0', abi: '145' }, fetch: 'fail', compile: 'fail' });
    const err = await prepareElectronBuild(steps, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrepareError);
    expect((err as Error).message).toMatch(/prebuilt: getaddrinfo ENOTFOUND github\.com\n\s+compile: node-gyp exited with code 1\nBoth need network access/);
    expect(binding()).toBe('prebuilt for 40.8.5');
    expect(readStamp(dir)?.electron).toBe('40.8.5');
    expect(existsSync(join(dir, '.staging'))).toBe(false);
  });

  it('for another platform only a prebuilt binary will do: no compile attempt', async () => {
    const other = process.platform === 'darwin' ? 'linux' : 'darwin';
    const { steps, calls } = fakeSteps({ target: { ...target, platform: other, arch: 'arm64' }, fetch: 'fail' });
    await expect(prepareElectronBuild(steps, dir)).rejects.toThrow(`cannot be compiled on ${process.platform}-${process.arch}`);
    expect(calls).toEqual(['fetch 40.8.5 143']);
  });

  it('decide(): a build with no stamp is prepared again', () => {
    expect(decide({ ...target, moduleVersion: '1' }, null, true)).toEqual({ action: 'prepare', why: 'missing', detail: 'the build has no stamp' });
  });
});
