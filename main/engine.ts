import { ExemplarStore } from './tsdb/exemplars.js';
import { selectExemplars } from './api/exemplars-api.js';
import { BadParamError } from './api/prom-params.js';
import { ApiError } from '../app/api/errors.js';
import type { ScrapeSpread } from './scrape/loop.js';
import type { WorkbenchApi, ResponseOf } from '../app/api/channels.js';
import type { Status } from '../app/api/status.js';
import { routeChannels, type RunningServices } from './api/services.js';
import { readBuildInfo } from './build-info.js';
import { DataDirLock } from './data-dir.js';
import { createLogger, type Logger } from './util/log.js';
import { EngineEvents } from './events.js';
import { TSDB, type TsdbStats } from './tsdb/db.js';
import { PromQLEngine, type EngineOptions as PromQLEngineOptions } from './promql/engine.js';
import { registerQueryMetrics } from './api/query-metrics.js';
import { parseExpr } from '../app/promql/parser.js';
import { formatExpr } from '../app/promql/printer.js';
import { EngineQueryService, toApiError } from './api/query-service-impl.js';
import type { SourceLimits } from './remote/source-client.js';
import type { SecretSealer } from './remote/sources-store.js';
import { MetadataStore } from './api/metadata-store.js';
import { buildSelfMetrics } from './runtime/self-metrics.js';
import { Collection } from './runtime/collection.js';
import { Probing } from './runtime/probing.js';
import { Alerting } from './runtime/alerting.js';
import { startRemoteWrite } from './runtime/remote-write.js';
import { RemoteRead } from './runtime/remote-read.js';
import { RemoteSources, withRemoteSources } from './api/remote-sources.js';
import type { RemoteWrite } from './remote/manager.js';
import type { MetricsRegistry } from './util/metrics.js';
import type { Config } from './config/schema.js';
import { labelsToRecord } from './tsdb/labels.js';
import { selectRefs } from './tsdb/matchers.js';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { QueryJournal } from './api/query-journal.js';
import { Dashboards, type DashboardsOptions } from './dashboards/service.js';
import { TopologyService } from './topology/service.js';
import { HostCollector } from './host/host-collector.js';
import { CostTracker } from './runtime/costs.js';
import { cardinalityStats } from './tsdb/cardinality.js';
import type { TsdbStatus } from '../app/api/tsdb-status.js';
import { EngineClock, systemClock, type ClockSources } from './util/engine-clock.js';
import { Power } from './power/power.js';
import { powerHooks } from './runtime/power.js';
import type { EnergySetting } from '../app/api/power.js';
import { RangeResultCache } from './query-frontend/range-cache.js';
import { SetupService } from './setup/service.js';
import { builtinProbeModules } from './setup/website.js';
import { NetworkWatch } from './network/watch.js';
import { MemoryBudget } from './memory/budget.js';
import { memoryParts } from './memory/parts.js';
import { queryThreadBytes } from './tsdb/query-pool.js';
import { collectGarbage } from './util/gc-hint.js';
import { getHeapStatistics } from 'node:v8';
import type { MemoryStatus } from '../app/api/memory.js';
import { systemNetworkSource, type NetworkSource } from './network/facts.js';

export interface EngineOptions {
  dataDir: string;
  /** Per-request deadline and answer size for remote data sources (default 30 s, 64 MiB; main/remote/source-client.ts). */
  remoteSourceLimits?: SourceLimits;
  /** Seals remote sources' secrets at rest (the desktop app: Electron's safeStorage); absent: in clear, file mode 0600. */
  secretSealer?: SecretSealer | null;
  configFile?: string | null;
  shell: Status['shell'];
  logger?: Logger;
  now?: () => number;
  /** Run storage's compression worker logic in this thread (tests run TypeScript sources). */
  inProcessStorage?: boolean;
  /** Storage retention by time (ms) and size (bytes); 0 keeps everything. */
  retentionMs?: number;
  retentionBytes?: number;
  /** Cap on the durable log held for remote write (default 1 GiB; 0: no cap). */
  heldLogMaxBytes?: number;
  /** Scrape schedule: 'slots' (default, fewer wake-ups) or 'uniform' (Prometheus' spread). */
  scrapeSpread?: ScrapeSpread;
  /** The storage worker's entry file when it is not beside db.js (the packaged app unpacks it). */
  storageWorkerUrl?: URL;
  /** The probe pool worker's entry file when it is not beside pool.js (the packaged app unpacks it). */
  probeWorkerUrl?: URL;
  /** The query workers' entry file when it is not beside db.js (main/tsdb/query-pool.ts). */
  queryWorkerUrl?: URL;
  /** Folders of provisioned dashboard files besides `<data>/dashboards/` (`--dashboards DIR`). */
  dashboardDirs?: readonly string[];
  /** Query admission limits (`vigil serve --query.*`); unset ones keep the engine's defaults. */
  queryLimits?: Partial<QueryLimits>;
  /** Upper bound of the range result cache in bytes (default 64 MiB; 0 turns it off). */
  rangeCacheBytes?: number;
  /** The window before now whose steps the range cache never keeps (default 2 scrape intervals, at least 10 s). */
  rangeCacheFreshMs?: number;
  /** This machine's collectors: node_exporter's `--collector.<name>` / `--no-collector.<name>` flags. */
  hostCollectorFlags?: readonly string[];
  /** Wall and monotonic clocks behind sample and evaluation times (tests jump them to simulate a sleep). */
  clock?: ClockSources;
  /** How often the clocks are compared to notice a sleep (ms; default 10 s). */
  sleepCheckMs?: number;
  /** Energy mode at start (`vigil serve --energy-mode`), and its interval factor. */
  energy?: { setting?: EnergySetting; factor?: number };
  /** The memory budget in bytes (`--memory-budget`, the app's setting; main/memory/budget.ts); absent or null: none. */
  memoryBudgetBytes?: number | null;
  /** Where the budget came from, named in refusals (default `--memory-budget`). */
  memoryBudgetSource?: string;
  /** Resident set source for the budget (tests: a fake; default the process' RSS). */
  memoryRss?: () => number;
  /** Where the current network comes from (tests: a fake), how often it is checked, and how many checks a new one must last. */
  network?: { source?: NetworkSource; checkEveryMs?: number; stableChecks?: number };
}

/** The PromQL engine's limits a shell may set. */
export type QueryLimits = Pick<PromQLEngineOptions, 'maxSamples' | 'maxQueryBytes' | 'timeoutMs' | 'maxConcurrent' | 'maxQueued'>;

export interface CollectionStart {
  /** host:port of Vigil's own /metrics, used by the embedded default config. */
  selfAddress: string;
  /** The URL users open Vigil at, for links in notifications. */
  externalURL: string;
}

/**
 * The engine: owns the data directory and the lifecycle of every subsystem, and answers the
 * `WorkbenchApi` contract through `api`. It runs unchanged in Electron's main process, in `vigil
 * serve`, in CLI commands and in tests; it never imports `electron`.
 */
export class Engine {
  readonly startTimeMs: number;
  readonly log: Logger;
  /** Notifications and change signals for the attached shell (IPC or server-sent events). */
  readonly events = new EngineEvents();
  /**
   * The contract for the shells (IPC, HTTP): each channel answered by the service that owns it
   * (main/api/services.ts), or an "unavailable" error while that service is not running.
   */
  readonly api: WorkbenchApi = routeChannels(() => this.running());
  private stopped = false;

  readonly promql: PromQLEngine;
  readonly querySvc: EngineQueryService;
  readonly topologySvc: TopologyService;
  private readonly journal: QueryJournal;
  readonly metrics: MetricsRegistry;
  private readonly stopMetrics: () => void;
  collection: Collection | null = null;
  probing: Probing | null = null;
  alertingRuntime: Alerting | null = null;
  remoteWrite: RemoteWrite | null = null;
  /** Remote data sources the query channels may be sent to (null when the store cannot open). */
  private readonly sources: RemoteSources | null;
  /** Local storage merged with remote_read endpoints: what queries see. */
  private readonly remoteRead: RemoteRead;
  /** First-launch settings: toggles and websites (main/setup/). */
  setupSvc: SetupService | null = null;
  /** The network this machine is on, for jobs bound to one (main/network/). */
  network: NetworkWatch | null = null;
  /**
   * Stored and provisioned dashboards; they need no collection, so they answer from the start.
   * Null when the store cannot open: the rest of Vigil runs, the channels say "unavailable".
   */
  readonly dashboards: Dashboards | null;
  /** This machine's metrics with node_exporter's names, served at /host/metrics and scraped like any target. */
  readonly host: HostCollector;
  private readonly costs: CostTracker;
  /** Step-aligned range answers (main/query-frontend/), bounded by bytes. */
  readonly rangeCache: RangeResultCache;
  /** Sample and evaluation times: the wall clock, never going back (main/util/engine-clock.ts). */
  readonly clock: EngineClock;
  /** Sleep, wake and energy mode (main/power/). */
  readonly power: Power;
  /** Keeps resident memory under the budget and refuses queries that would not fit (main/memory/). */
  readonly memory: MemoryBudget;
  /** Scraped exemplars (in memory, Prometheus' default capacity); /api/v1/query_exemplars reads them. */
  readonly exemplars: ExemplarStore;

  private constructor(
    private readonly options: EngineOptions,
    private readonly lock: DataDirLock,
    readonly tsdb: TSDB,
  ) {
    this.startTimeMs = (options.now ?? Date.now)();
    this.exemplars = new ExemplarStore(100_000, (ref) => tsdb.seriesLabels(ref));
    this.log = options.logger ?? createLogger('engine');
    this.host = new HostCollector({ flags: options.hostCollectorFlags ?? [], logger: this.log.child('host') });
    this.promql = new PromQLEngine({ ...options.queryLimits, parse: (q) => parseExpr(q) });
    // A query is journalled once it has run 100 ms: a crash comes from a long one, and a refreshing
    // dashboard's short queries then cost no synchronous file writes.
    this.journal = QueryJournal.open(lock.dir, this.log.child('query'), { delayMs: 100 });
    this.remoteRead = new RemoteRead(tsdb, `Vigil/${readBuildInfo().version}`, () => this.clock.now());
    const longestScrapeMs = (): number | undefined => {
      const cfg = this.collection?.config.current();
      return cfg ? Math.max(cfg.global.scrape_interval, ...cfg.scrape_configs.map((c) => c.scrape_interval)) : undefined;
    };
    // Range answers kept between dashboard refreshes; the last two scrape intervals are never kept
    // (the write watermark keeps older steps right, see docs/query-frontend.md).
    this.rangeCache = new RangeResultCache(tsdb.writes, {
      ...(options.rangeCacheBytes !== undefined ? { maxBytes: options.rangeCacheBytes } : {}),
      freshMs: () => options.rangeCacheFreshMs ?? Math.max(10_000, 2 * (longestScrapeMs() ?? 15_000)),
      ...(options.now ? { now: options.now } : {}),
    });
    this.memory = new MemoryBudget({
      budgetBytes: options.memoryBudgetBytes ?? null,
      ...(options.memoryBudgetSource !== undefined ? { source: options.memoryBudgetSource } : {}),
      ...(options.memoryRss ? { rss: options.memoryRss } : {}),
      ...(options.now ? { now: options.now } : {}),
      actions: {
        sizeCaches: (fraction) => this.rangeCache.sizeTo(fraction),
        shrinkStorage: () => tsdb.memory(true).then(() => undefined),
        sealHead: () => tsdb.flush(),
        endIdleThreads: async () => {
          await Promise.all([tsdb.queryWorkers?.endIdle(), this.probing?.threads?.endIdle()]);
        },
        collectGarbage,
      },
      // A wide query may start every query worker not running now.
      threadBytes: () => (tsdb.queryWorkers ? tsdb.queryWorkers.notRunning * queryThreadBytes : 0),
      log: (message, fields) => this.log.info(message, fields),
    });
    this.memory.start();
    this.querySvc = new EngineQueryService(this.promql, this.remoteRead.storage, new MetadataStore(), {
      rangeCache: this.rangeCache,
      admitMemory: (query, est) => this.memory.admit(query, est),
      // Remote answers change without the local write watermark knowing: not cached.
      rangeCacheBypass: () => this.remoteRead.storage.hasRemotes,
      metadata: (name) => this.collection?.scrape.metadata(name)[name]?.[0],
      seriesCount: () => tsdb.index.count,
      countSeries: (matchers) => selectRefs(tsdb.index, matchers).length,
      journal: this.journal,
      scrapeIntervalMs: longestScrapeMs,
    });
    this.topologySvc = new TopologyService({
      // A topology request naming a remote data source runs its queries there (this.sources opens below).
      queries: { query: (r) => withRemoteSources(this.querySvc, this.sources).query(r) },
      dataDir: lock.dir,
      scrapeIntervalMs: () => this.collection?.config.current()?.global.scrape_interval ?? 60_000,
      ...(options.now ? { now: options.now } : {}),
    });
    const m = buildSelfMetrics({ startTimeMs: this.startTimeMs, tsdb, scrape: () => this.collection?.scrape ?? null });
    this.metrics = m.registry;
    registerQueryMetrics(this.metrics, this.promql);
    this.stopMetrics = m.stop;
    this.costs = new CostTracker({
      stats: () => tsdb.stats(),
      indexBytes: () => tsdb.index.arrayBytes(),
      rangeCacheBytes: () => this.rangeCache.bytes(),
      oldestSampleMs: () => tsdb.oldestChunkTime(),
      lag: m.lastMinuteLag,
      retentionMs: options.retentionMs || null,
      retentionBytes: options.retentionBytes || null,
      ...(options.now ? { now: options.now } : {}),
    });
    this.costs.start();
    this.clock = new EngineClock(options.clock ?? systemClock);
    this.power = new Power({
      clock: this.clock,
      logger: this.log.child('power'),
      seriesCount: () => tsdb.index.count,
      changed: () => this.events.emit({ type: 'powerChanged' }),
      ...(options.sleepCheckMs !== undefined ? { checkEveryMs: options.sleepCheckMs } : {}),
      ...(options.energy?.setting !== undefined ? { energySetting: options.energy.setting } : {}),
      ...(options.energy?.factor !== undefined ? { energyFactor: options.energy.factor } : {}),
      // The desktop shell reports the power source from Electron's powerMonitor.
      ...(options.shell === 'electron' ? { readOnBattery: null } : {}),
    });
    this.power.register(this.metrics);
    tsdb.backgroundPaused = this.power.energy.active;
    this.power.energy.onChange((active) => (tsdb.backgroundPaused = active));
    this.power.start();
    this.sources = RemoteSources.open(lock.dir, `Vigil/${readBuildInfo().version}`, this.log.child('sources'), {
      now: options.now,
      limits: options.remoteSourceLimits,
      sealer: options.secretSealer,
    });
    const sources = this.sources;
    this.dashboards = openDashboards({
      dataDir: lock.dir,
      extraDirs: options.dashboardDirs ?? [],
      logger: this.log.child('dashboards'),
      ...(options.now ? { now: options.now } : {}),
      remoteSourceUids: () => sources?.uids() ?? new Set(),
      scrapeIntervalMs: () => this.collection?.config.current()?.global.scrape_interval ?? null,
    });
  }

  /** The services answering the contract now; none once the engine is stopping. */
  private running(): RunningServices {
    if (this.stopped) return { engine: null, queries: null, targets: null, probes: null, alerting: null, dashboards: null, topology: null, sources: null, setup: null };
    return {
      engine: {
        status: () => this.status(),
        tsdbStatus: async (r) => {
          const s = this.tsdbStatus(r.limit ?? 10);
          return r.sinceYesterday ? { ...s, sinceYesterday: await this.sinceYesterday(s.seriesCountByMetricName.map((m) => m.name)) } : s;
        },
        queryExemplars: async (r) => {
          try {
            return { series: selectExemplars(this.exemplars, r.query, r.start, r.end) };
          } catch (e) {
            if (e instanceof BadParamError) throw new ApiError({ kind: 'bad_request', where: 'queryExemplars', message: e.message });
            throw e;
          }
        },
        power: async () => this.power.state(),
        setEnergyMode: async (r) => this.power.setEnergy(r.setting),
        memory: () => this.memoryStatus(),
        setMemoryBudget: async (r) => {
          this.memory.setBudget(r.budgetBytes, 'the app’s setting');
          this.events.emit({ type: 'memoryBudgetChanged' });
          return this.memoryStatus();
        },
      },
      queries: withRemoteSources(this.querySvc, this.sources),
      targets: this.collection,
      probes: this.probing,
      alerting: this.alertingRuntime?.service ?? null,
      dashboards: this.dashboards,
      topology: this.topologySvc,
      sources: this.sources,
      setup: this.setupSvc,
    };
  }

  /** Opens the data directory and storage; collection (scrape, probes, rules) starts separately. */
  static async start(options: EngineOptions): Promise<Engine> {
    const lock = DataDirLock.acquire(options.dataDir);
    // The compression worker is compiled JavaScript beside this file; running from TypeScript
    // sources (tests) there is none, and the same worker logic runs in this thread instead.
    const inProcess = options.inProcessStorage ?? !existsSync(fileURLToPath(new URL('./tsdb/worker.js', import.meta.url)));
    let tsdb: TSDB;
    try {
      tsdb = await TSDB.open({
        dir: join(lock.dir, 'tsdb'),
        ...(inProcess ? { worker: false } : {}),
        ...(options.storageWorkerUrl ? { workerUrl: options.storageWorkerUrl } : {}),
        ...(options.queryWorkerUrl ? { queryWorkerUrl: options.queryWorkerUrl } : {}),
        ...(options.retentionMs ? { retentionMs: options.retentionMs } : {}),
        ...(options.retentionBytes ? { retentionBytes: options.retentionBytes } : {}),
        heldLogMaxBytes: options.heldLogMaxBytes ?? defaultHeldLogMaxBytes,
        logger: (options.logger ?? createLogger('engine')).child('tsdb'),
      });
    } catch (err) {
      lock.release();
      throw err;
    }
    const engine = new Engine(options, lock, tsdb);
    engine.log.info('engine started', { dataDir: lock.dir, shell: options.shell });
    return engine;
  }

  /**
   * Loads the config and starts scraping, probing and rule evaluation. A config that does not
   * load is an error naming file, line and field; nothing starts.
   */
  async startCollection(start: CollectionStart): Promise<void> {
    const log = this.log;
    const probing = new Probing(this.tsdb, log.child('probe'), { now: () => this.clock.now(), intervalScale: () => this.power.energy.scale() }, builtinProbeModules(), this.options.probeWorkerUrl);
    const n = this.options.network;
    const network = new NetworkWatch({
      source: n?.source ?? systemNetworkSource,
      logger: log.child('network'),
      ...(n?.checkEveryMs !== undefined ? { checkEveryMs: n.checkEveryMs } : {}),
      ...(n?.stableChecks !== undefined ? { stableChecks: n.stableChecks } : {}),
    });
    this.network = network;
    await network.start();
    network.register(this.metrics);
    const setup = await SetupService.open({
      dataDir: this.lock.dir,
      configFile: this.options.configFile ?? null,
      logger: log.child('setup'),
      dashboards: () => this.dashboards,
      network: () => network.current(),
    });
    // A new network pauses or resumes bound jobs; rules then wait for fresh data, as after a wake.
    network.onChange(() => void setup.networkChanged().then(() => this.power.holdForFreshData()));
    // Set before the config loads, so stop() closes the demo servers even when it does not.
    this.setupSvc = setup;
    this.probing = probing;
    let firstConfig: Config | null = null;
    const userAgent = `Vigil/${readBuildInfo().version}`;
    const remoteWrite = startRemoteWrite({
      tsdb: this.tsdb,
      exemplars: this.exemplars,
      metadata: () => this.collection?.scrape.metadata() ?? {},
      dataDir: this.lock.dir,
      userAgent,
      metrics: this.metrics,
      logger: log,
    });
    this.remoteWrite = remoteWrite;
    const startWith = (configFile: string | null) => Collection.start({
      configFile,
      selfAddress: start.selfAddress,
      storage: this.tsdb,
      exemplars: this.exemplars,
      userAgent,
      logger: log,
      ...(this.options.scrapeSpread !== undefined ? { scrapeSpread: this.options.scrapeSpread } : {}),
      now: () => this.clock.now(),
      intervalScale: () => this.power.energy.scale(),
      overlay: (cfg) => setup.overlay(cfg),
      onConfig: (cfg) => {
        firstConfig ??= cfg;
        void probing.apply(cfg);
        void remoteWrite.apply(cfg);
        this.remoteRead.apply(cfg);
        this.alertingRuntime?.apply(cfg);
      },
    });
    // --config, else a config applied by the onboarding import, else the built-in one. An
    // imported config that no longer loads is reported and the built-in one runs instead:
    // the user did not ask for that file at this start.
    let collection: Collection;
    try {
      collection = await startWith(setup.configFile);
    } catch (err) {
      if (this.options.configFile != null || setup.configFile === null) throw err;
      setup.importedConfigFailed((err as Error).message);
      collection = await startWith(null);
    }
    this.collection = collection;
    setup.attach({
      reapply: async () => {
        collection.reapply();
        await probing.settled();
      },
      probeNow: (job, target) => probing.runTarget(job, target),
      switchConfig: async (file) => {
        const r = await collection.config.switchTo(file);
        return r.ok ? [] : r.errors.map(String);
      },
    });
    const power = this.power;
    this.alertingRuntime = Alerting.create(
      {
        dataDir: this.lock.dir,
        tsdb: this.tsdb,
        promql: this.promql,
        events: this.events,
        logger: log.child('alerting'),
        externalURL: start.externalURL,
        now: () => this.clock.now(),
        held: () => power.rulesHeld(),
        intervalScale: () => power.energy.scale(),
        onGroupEvaluated: () => power.rulesEvaluated(),
        heldJobs: () => setup.awayJobs(),
        remoteRunner: (uid) => {
          if (this.sources === null) throw new ApiError({ kind: 'unavailable', where: 'source', message: 'the remote source store is not available' });
          return this.sources.ruleRunner(uid);
        },
      },
      firstConfig ?? collection.config.current()!,
    );
    power.attach(powerHooks(collection, probing, this.alertingRuntime, this.promql, this.tsdb));
  }

  get dataDir(): string {
    return this.lock.dir;
  }

  /** Label sets of series matching any selector (for /api/v1/series). */
  async seriesLookup(match: string[], startMs: number, endMs: number, limit?: number): Promise<Array<Record<string, string>>> {
    const q = await this.remoteRead.storage.querier(startMs, endMs);
    try {
      const seen = new Map<string, Record<string, string>>();
      for (const matchers of this.querySvc.matcherSets(match)) {
        const set = await q.select(matchers, { start: startMs, end: endMs, seriesOnly: true, ...(limit ? { limit } : {}) });
        for (const s of set.series) {
          const rec = labelsToRecord(s.labels);
          seen.set(JSON.stringify(rec), rec);
          if (limit && seen.size >= limit) return [...seen.values()];
        }
      }
      return [...seen.values()];
    } finally {
      q.close();
    }
  }

  formatQuery(query: string): string {
    try {
      return formatExpr(parseExpr(query));
    } catch (err) {
      throw toApiError(err, query);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // Running and queued queries end first: they hold storage readers and the event loop.
    this.promql.close();
    this.topologySvc.close();
    this.power.stop();
    this.network?.stop();
    await this.alertingRuntime?.stop().catch((e: unknown) => this.log.error('stopping alerting failed', { error: String(e) }));
    await this.probing?.stop().catch((e: unknown) => this.log.error('stopping probes failed', { error: String(e) }));
    await this.collection?.stop().catch((e: unknown) => this.log.error('stopping scraping failed', { error: String(e) }));
    await this.setupSvc?.stop().catch((e: unknown) => this.log.error('stopping the demo servers failed', { error: String(e) }));
    await this.remoteWrite?.stop().catch((e: unknown) => this.log.error('stopping remote write failed', { error: String(e) }));
    this.remoteRead.stop();
    this.stopMetrics();
    this.costs.stop();
    this.memory.stop();
    this.dashboards?.close();
    this.sources?.close();
    await this.tsdb.close();
    this.lock.release();
    this.log.info('engine stopped');
  }

  private async status(): Promise<ResponseOf<'status'>> {
    return {
      build: readBuildInfo(),
      startTimeMs: this.startTimeMs,
      dataDir: this.lock.dir,
      shell: this.options.shell,
      configFile: this.collection?.config.file ?? this.options.configFile ?? null,
      storage: storageStatus(this.tsdb.stats()),
      interruptedQueries: [...this.journal.interrupted],
      configErrors: (this.collection?.config.errors() ?? []).map(String),
      costs: this.costs.costs(),
      remoteWrite: remoteWriteStatus(this.remoteWrite, this.tsdb),
      remoteWriteLog: { bytes: this.tsdb.stats().logBytes, maxBytes: this.tsdb.heldLogMaxBytes, droppedSamples: this.tsdb.heldLogDroppedSamples },
    };
  }

  /** The memory budget, resident memory and its parts (the `memory` channel). */
  async memoryStatus(): Promise<MemoryStatus> {
    const worker = await this.tsdb.memory(false);
    const m = process.memoryUsage();
    const st = this.tsdb.stats();
    const parts = memoryParts({
      rss: m.rss,
      mainHeap: m.heapUsed,
      mainExternal: m.external,
      indexBytes: this.tsdb.index.arrayBytes(),
      series: st.series,
      rangeCacheBytes: this.rangeCache.bytes(),
      worker,
      headSeries: st.headSeries,
      pools: [
        ...(this.tsdb.queryWorkers ? [{ part: 'query worker threads', what: 'wide selects', memory: this.tsdb.queryWorkers.memory() }] : []),
        ...(this.probing?.threads ? [{ part: 'probe threads', what: 'probes', memory: this.probing.threads.memory() }] : []),
      ],
    });
    return this.memory.status(parts, getHeapStatistics().heap_size_limit);
  }

  /** Active series (a sample within the lookback) of each metric name now and a day ago, by two PromQL queries. */
  private async sinceYesterday(names: readonly string[]): Promise<NonNullable<TsdbStatus['sinceYesterday']>> {
    if (names.length === 0) return [];
    // Metric names are [a-zA-Z_:][a-zA-Z0-9_:]*, so the alternation needs no escaping.
    const selector = `{__name__=~${JSON.stringify(names.join('|'))}}`;
    const counts = async (q: string): Promise<Map<string, number>> => {
      const r = await this.querySvc.query({ query: q });
      const out = new Map<string, number>();
      if (r.result.resultType === 'vector') for (const s of r.result.samples) out.set(s.labels['__name__'] ?? '', Number(s.v));
      return out;
    };
    const [now, dayAgo] = await Promise.all([counts(`count by (__name__) (${selector})`), counts(`count by (__name__) (${selector} offset 1d)`)]);
    return names.map((name) => ({ name, now: now.get(name) ?? 0, dayAgo: dayAgo.get(name) ?? 0 }));
  }

  /** The cardinality explorer (and `/api/v1/status/tsdb`): top entries by series, `limit` of each. */
  tsdbStatus(limit: number): TsdbStatus {
    const c = cardinalityStats(this.tsdb.index, limit);
    const { numSeries, numLabelPairs, ...lists } = c;
    return { headStats: { numSeries, numLabelPairs, chunkCount: this.tsdb.stats().headSeries }, ...lists };
  }
}

function openDashboards(options: DashboardsOptions): Dashboards | null {
  try {
    return new Dashboards(options);
  } catch (err) {
    options.logger.error('dashboards unavailable', { error: (err as Error).message });
    return null;
  }
}

/**
 * The held log's cap when none is given: a receiver that never returns costs at most this much
 * disk (about 8 M samples at ~17 bytes per sample in the log) before the oldest unsent samples go.
 */
const defaultHeldLogMaxBytes = 1 << 30;

function remoteWriteStatus(rw: RemoteWrite | null, tsdb: TSDB): NonNullable<Status['remoteWrite']> {
  const newest = tsdb.newestSampleMs;
  return (rw?.running ?? []).map((q) => ({
    name: q.name,
    url: q.url,
    lagSeconds: q.stats.highestSentMs > 0 && Number.isFinite(newest) ? Math.max(0, newest - q.stats.highestSentMs) / 1000 : null,
    backlogBatches: Math.max(0, tsdb.lastBatchId - q.position),
    pendingSamples: q.stats.samplesPending,
    failedSamples: q.stats.samplesFailed,
    failedHistograms: q.stats.histograms.failed,
    failedExemplars: q.stats.exemplars.failed,
    protocol: q.stats.protocol,
    lastError: q.stats.lastError,
    lastErrorAtMs: q.stats.lastErrorAtMs,
  }));
}

function storageStatus(st: TsdbStats): Status['storage'] {
  return { paused: st.paused, quarantine: st.quarantine?.message ?? null };
}
