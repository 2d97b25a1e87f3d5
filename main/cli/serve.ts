import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { QueryLimits } from '../engine.js';
import { tryParseDuration } from '../../app/dialect/duration.js';
import type { EnergySetting } from '../../app/api/power.js';
import { loadWebConfig, type WebConfig } from '../api/web-config.js';
import { defaultDataDir, rendererDir } from '../paths.js';
import { createLogger } from '../util/log.js';
import { UsageError, type Command } from './command.js';
import { parseSizeFlag } from '../../app/dialect/size.js';
import { minBudgetBytes } from '../memory/budget.js';
import { watchLauncher } from '../memory/heap-limit.js';
import { checkNativeModules, currentRuntime, describeNativeFailure } from '../native-modules/check.js';
import { HostCollector } from '../host/host-collector.js';
import { CollectorFilterError, takeCollectorFlags } from '../host/filter.js';

/** How long SIGTERM / SIGINT may take before the process exits anyway. */
const shutdownBudgetMs = 5000;

export interface ServeFlags {
  host: string;
  port: number;
  webConfigFile: string | null;
  queryLimits: Partial<QueryLimits>;
  /** `--web.enable-remote-write-receiver`: accept Prometheus remote write at /api/v1/write. */
  remoteWriteReceiver: boolean;
}

function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

function bytes(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = parseSizeFlag(text);
  if (n === null) throw new UsageError(`--${flag} must be a size such as 256MiB or 1GiB, got ${JSON.stringify(text)}`);
  return n;
}

/** `host:port`, `[::1]:port` or `:port`. */
function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--listen must be HOST:PORT (e.g. 127.0.0.1:9797), got ${JSON.stringify(text)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--listen port must be from 0 to 65535, got ${m[3]}`);
  return { host: m[1] ?? (m[2] === '' ? '0.0.0.0' : m[2]!), port };
}

const serveUsage =
  'vigil serve [--port 9797 | --listen HOST:PORT] [--web.config.file FILE] [--data DIR] [--config FILE] [--dashboards DIR]... [--scrape-spread slots|uniform]\n' +
  '            [--collector.NAME | --no-collector.NAME | --collector.disable-defaults]... (this machine\'s collectors, as node_exporter\'s)\n' +
  '            [--energy-mode auto|on|off] [--energy-factor 4]\n' +
  '            [--web.enable-remote-write-receiver] [--storage.remote.held-log-max-size 1GiB (0: no cap)]\n' +
  '            [--query.max-concurrency 4] [--query.max-queued 100] [--query.max-samples 10000000] [--query.max-memory 256MiB] [--query.timeout 2m]\n' +
  '            [--query.range-cache-size 64MiB | off] (range answers kept between dashboard refreshes)\n' +
  '            [--memory-budget 300MiB] (resident memory Vigil keeps under; also sets Node\'s --max-old-space-size)';

/** `vigil serve`'s flags, checked; every problem is a UsageError saying what is expected. */
export function parseServeFlags(args: string[]): ServeFlags & {
  data: string | undefined;
  config: string | undefined;
  dashboards: string[];
  spread: 'slots' | 'uniform';
  hostCollectorFlags: string[];
  energy: { setting: EnergySetting; factor?: number };
  /** `--storage.remote.held-log-max-size`: undefined keeps the engine's default; 0 is no cap. */
  heldLogMaxBytes: number | undefined;
  rangeCacheBytes: number | undefined;
  /** `--memory-budget`: bytes, or null without one. */
  memoryBudgetBytes: number | null;
} {
  const { collectorFlags, rest } = takeCollectorFlags(args);
  try {
    new HostCollector({ flags: collectorFlags });
  } catch (err) {
    if (err instanceof CollectorFilterError) throw new UsageError(err.message);
    throw err;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      port: { type: 'string' },
      listen: { type: 'string' },
      'web.config.file': { type: 'string' },
      'web.enable-remote-write-receiver': { type: 'boolean', default: false },
      data: { type: 'string' },
      config: { type: 'string' },
      /** Folders of provisioned dashboard JSON files (read-only in Vigil), besides <data>/dashboards/. */
      dashboards: { type: 'string', multiple: true },
      'scrape-spread': { type: 'string', default: 'slots' },
      /** Energy mode: auto (on while on battery, read from /sys/class/power_supply on Linux), on or off. */
      'energy-mode': { type: 'string', default: 'auto' },
      'energy-factor': { type: 'string' },
      'query.max-concurrency': { type: 'string' },
      'query.max-queued': { type: 'string' },
      'query.max-samples': { type: 'string' },
      'query.max-memory': { type: 'string' },
      'query.range-cache-size': { type: 'string' },
      'query.timeout': { type: 'string' },
      /** Resident memory to keep under (main/memory/budget.ts). */
      'memory-budget': { type: 'string' },
      /** Cap on the durable log held for remote_write endpoints that are behind (0: no cap). */
      'storage.remote.held-log-max-size': { type: 'string' },
    },
    strict: true,
  });
  if (values.port !== undefined && values.listen !== undefined) throw new UsageError('give --port or --listen, not both');
  let host = '127.0.0.1';
  let port = 9797;
  if (values.listen !== undefined) ({ host, port } = parseListen(values.listen));
  else if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(values.port)}`);
    }
  }
  const spread = values['scrape-spread'];
  if (spread !== 'slots' && spread !== 'uniform') {
    throw new UsageError(`--scrape-spread must be slots or uniform, got ${JSON.stringify(spread)}`);
  }
  const energyMode = values['energy-mode'];
  if (energyMode !== 'auto' && energyMode !== 'on' && energyMode !== 'off') {
    throw new UsageError(`--energy-mode must be auto, on or off, got ${JSON.stringify(energyMode)}`);
  }
  const energyFactor = positiveInt('energy-factor', values['energy-factor']);
  const timeoutText = values['query.timeout'];
  const timeoutMs = timeoutText === undefined ? undefined : tryParseDuration(timeoutText);
  if (timeoutMs === null || timeoutMs === 0) throw new UsageError(`--query.timeout must be a duration such as 30s or 2m, got ${JSON.stringify(timeoutText)}`);
  const limits: Partial<Record<keyof QueryLimits, number | undefined>> = {
    maxConcurrent: positiveInt('query.max-concurrency', values['query.max-concurrency']),
    maxQueued: positiveInt('query.max-queued', values['query.max-queued']),
    maxSamples: positiveInt('query.max-samples', values['query.max-samples']),
    maxQueryBytes: bytes('query.max-memory', values['query.max-memory']),
    timeoutMs,
  };
  const memoryBudgetBytes = bytes('memory-budget', values['memory-budget']) ?? null;
  if (memoryBudgetBytes !== null && memoryBudgetBytes < minBudgetBytes) {
    throw new UsageError(`--memory-budget must be at least ${minBudgetBytes / 1048576}MiB (Vigil's two threads and SQLite need that much), got ${JSON.stringify(values['memory-budget'])}`);
  }
  const queryLimits: Partial<QueryLimits> = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
  return {
    host,
    port,
    webConfigFile: values['web.config.file'] === undefined ? null : resolve(values['web.config.file']),
    queryLimits,
    remoteWriteReceiver: values['web.enable-remote-write-receiver'] === true,
    data: values.data,
    config: values.config,
    dashboards: (values.dashboards ?? []).map((d) => resolve(d)),
    spread,
    hostCollectorFlags: collectorFlags,
    energy: { setting: energyMode, ...(energyFactor !== undefined ? { factor: energyFactor } : {}) },
    heldLogMaxBytes: values['storage.remote.held-log-max-size']?.trim() === '0' ? 0 : bytes('storage.remote.held-log-max-size', values['storage.remote.held-log-max-size']),
    rangeCacheBytes: values['query.range-cache-size'] === 'off' ? 0 : bytes('query.range-cache-size', values['query.range-cache-size']),
    memoryBudgetBytes,
  };
}

export const serveCommand: Command = {
  words: ['serve'],
  usage: serveUsage,
  summary: 'run the engine headless and serve the UI and API on http://127.0.0.1:PORT/',
  async run(args) {
    const flags = parseServeFlags(args);
    // The same first-run check as the desktop shell's, in Node's wording.
    const failures = checkNativeModules();
    if (failures.length > 0) {
      const { title, message } = describeNativeFailure(failures, currentRuntime());
      throw new Error(`${title}\n\n${message}`);
    }
    const logger = createLogger('vigil');
    let webConfig: WebConfig | null = null;
    if (flags.webConfigFile !== null) webConfig = await loadWebConfig(flags.webConfigFile);
    // Loaded here, not at the top: every other `vigil` command (import above all, whose figure is
    // the whole command's time) would otherwise pay ~0.4 s of CPU loading the engine first.
    const [{ Engine }, { HttpServer, listenRefusal }, { registerServeRoutes }] = await Promise.all([import('../engine.js'), import('../api/http-server.js'), import('../api/serve-routes.js')]);
    // Refuse before the data directory is locked and storage opened.
    const refusal = listenRefusal(flags.host, webConfig);
    if (refusal !== null) throw new UsageError(refusal);
    const engine = await Engine.start({
      dataDir: resolve(flags.data ?? defaultDataDir()),
      configFile: flags.config === undefined ? null : resolve(flags.config),
      shell: 'serve',
      logger: logger.child('engine'),
      scrapeSpread: flags.spread,
      energy: flags.energy,
      queryLimits: flags.queryLimits,
      ...(flags.rangeCacheBytes !== undefined ? { rangeCacheBytes: flags.rangeCacheBytes } : {}),
      memoryBudgetBytes: flags.memoryBudgetBytes,
      dashboardDirs: flags.dashboards,
      hostCollectorFlags: flags.hostCollectorFlags,
      ...(flags.heldLogMaxBytes !== undefined ? { heldLogMaxBytes: flags.heldLogMaxBytes } : {}),
    });
    const server = new HttpServer({
      api: engine.api,
      rendererDir,
      port: flags.port,
      host: flags.host,
      webConfig,
      logger: logger.child('http'),
      subscribe: (l) => engine.events.subscribe(l),
    });
    registerServeRoutes(server, engine, { remoteWriteReceiver: flags.remoteWriteReceiver });
    try {
      await server.listen();
    } catch (err) {
      await engine.stop();
      throw new Error(`cannot listen on ${flags.host}:${flags.port}: ${(err as Error).message}`);
    }
    const selfHost = flags.host === '0.0.0.0' || flags.host === '::' ? '127.0.0.1' : flags.host;
    try {
      await engine.startCollection({ selfAddress: `${selfHost.includes(':') ? `[${selfHost}]` : selfHost}:${server.port}`, externalURL: server.url });
    } catch (err) {
      await server.close();
      await engine.stop();
      throw err;
    }
    process.stdout.write(`Vigil is serving on ${server.url}\n`);
    return new Promise<number>((done) => {
      let stopping = false;
      const shutdown = (signal: NodeJS.Signals): void => {
        if (stopping) {
          // A second signal: the user means it.
          logger.warn(`received ${signal} again, exiting at once`);
          process.exit(signal === 'SIGINT' ? 130 : 143);
        }
        stopping = true;
        logger.info(`received ${signal}, shutting down`);
        // Whatever hangs (a stuck fetch, a slow disk), the process is gone within the budget;
        // what storage committed is on disk already (its write-ahead log).
        let finished = false;
        setTimeout(() => {
          // Still alive: either the stop hangs, or it finished and a stray handle holds the loop.
          if (!finished) logger.error(`shutdown took over ${shutdownBudgetMs / 1000} s; exiting without waiting further`);
          process.exit(finished ? 0 : 1);
        }, shutdownBudgetMs - 250).unref();
        void Promise.all([server.close(), engine.stop()])
          .catch((err: unknown) => logger.error('shutdown failed', { error: String(err) }))
          .then(() => {
            finished = true;
            done(0);
          });
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
      // Started by the launcher for --memory-budget's heap limit: stop when it is gone.
      watchLauncher(() => shutdown('SIGTERM'));
    });
  },
};
