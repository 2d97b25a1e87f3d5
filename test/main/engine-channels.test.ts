import { afterEach, describe, expect, it } from 'vitest';
import { channelNames, channels, type ChannelName } from '../../app/api/channels.js';
import { ApiError } from '../../app/api/errors.js';
import { dispatch } from '../../main/api/dispatch.js';
import { channelOwners, routeChannels, type RunningServices } from '../../main/api/services.js';
import { Engine } from '../../main/engine.js';
import { silentLogger } from '../../main/util/log.js';
import { tempDir } from './helpers.js';

async function answerOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { value: await call() };
  } catch (err) {
    return err instanceof ApiError ? err.toData() : { thrown: String(err) };
  }
}

/** Calls a channel with a placeholder request: an unavailable service never looks at it. */
const call = (api: Engine['api'], name: ChannelName) => answerOf(() => (api[name] as (r: unknown) => Promise<unknown>)({}));

describe('the engine’s channel table', () => {
  it('names an owner for every channel of the contract, and nothing else', () => {
    expect(Object.keys(channelOwners).sort()).toEqual(Object.keys(channels).sort());
  });

  it('routes each channel to its owner', async () => {
    const seen: string[] = [];
    const service = new Proxy({}, { get: (_t, name) => async () => seen.push(String(name)) });
    const all = { engine: service, queries: service, targets: service, probes: service, alerting: service, dashboards: service, topology: service, sources: service, setup: service } as unknown as RunningServices;
    const api = routeChannels(() => all);
    for (const name of channelNames) await call(api, name);
    expect(seen).toEqual(channelNames);
  });
});

describe('an engine that is not running a service', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('answers every channel of a stopped engine with one typed "unavailable" error', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const engine = await Engine.start({ dataDir: dir, shell: 'test', logger: silentLogger, inProcessStorage: true });
    await engine.stop();
    for (const name of channelNames) {
      expect(await call(engine.api, name), name).toEqual({ kind: 'unavailable', where: name, message: expect.stringMatching(new RegExp(`^${name}: .* is not running`)) });
    }
    // The shells' dispatcher passes it on as it is, for the page to show.
    expect(await dispatch(engine.api, 'status', {}, 'HTTP /api/vigil/status')).toMatchObject({ ok: false, error: { kind: 'unavailable', where: 'status' } });
  });

  it('before collection starts: queries and status answer, scraping, probing, alerting and the first-launch settings are unavailable', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const engine = await Engine.start({ dataDir: dir, shell: 'test', logger: silentLogger, inProcessStorage: true });
    cleanups.push(() => engine.stop());
    expect(await engine.api.status({})).toMatchObject({ dataDir: dir });
    expect(await engine.api.labelNames({})).toMatchObject({ values: [] });
    for (const name of channelNames.filter((n) => ['targets', 'probes', 'alerting', 'setup'].includes(channelOwners[n]))) {
      expect(await call(engine.api, name), name).toMatchObject({ kind: 'unavailable', where: name });
    }
  });
});
