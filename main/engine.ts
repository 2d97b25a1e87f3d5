import type { WorkbenchApi, RequestOf, ResponseOf } from '../app/api/channels.js';
import type { Status } from '../app/api/status.js';
import { ApiError } from '../app/api/errors.js';
import type { QueryService } from './api/query-service.js';
import type { AlertingService, ProbesService, TargetsService } from './api/services.js';
import { readBuildInfo } from './build-info.js';
import { DataDirLock } from './data-dir.js';
import { createLogger, type Logger } from './util/log.js';
import { EngineEvents } from './events.js';

export interface EngineOptions {
  dataDir: string;
  configFile?: string | null;
  shell: Status['shell'];
  logger?: Logger;
  now?: () => number;
}

/**
 * The engine: owns the data directory and the lifecycle of every subsystem, and implements the
 * `WorkbenchApi` contract. It runs unchanged in Electron's main process, in `vigil serve`, in CLI
 * commands and in tests; it never imports `electron`.
 */
export class Engine implements WorkbenchApi {
  readonly startTimeMs: number;
  readonly log: Logger;
  /** Notifications and change signals for the attached shell (IPC or server-sent events). */
  readonly events = new EngineEvents();
  private stopped = false;
  private queries: QueryService | null = null;
  private targetsService: TargetsService | null = null;
  private probesService: ProbesService | null = null;
  private alerting: AlertingService | null = null;

  private constructor(
    private readonly options: EngineOptions,
    private readonly lock: DataDirLock,
  ) {
    this.startTimeMs = (options.now ?? Date.now)();
    this.log = options.logger ?? createLogger('engine');
  }

  static async start(options: EngineOptions): Promise<Engine> {
    const lock = DataDirLock.acquire(options.dataDir);
    const engine = new Engine(options, lock);
    engine.log.info('engine started', { dataDir: lock.dir, shell: options.shell });
    return engine;
  }

  get dataDir(): string {
    return this.lock.dir;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.lock.release();
    this.log.info('engine stopped');
  }

  private queryService(): QueryService {
    if (this.queries === null) throw new ApiError({ kind: 'unavailable', message: 'the query engine is not running yet' });
    return this.queries;
  }

  query(request: RequestOf<'query'>): Promise<ResponseOf<'query'>> {
    return this.queryService().query(request);
  }
  queryRange(request: RequestOf<'queryRange'>): Promise<ResponseOf<'queryRange'>> {
    return this.queryService().queryRange(request);
  }
  estimateQuery(request: RequestOf<'estimateQuery'>): Promise<ResponseOf<'estimateQuery'>> {
    return this.queryService().estimateQuery(request);
  }
  cancelQuery(request: RequestOf<'cancelQuery'>): Promise<ResponseOf<'cancelQuery'>> {
    return this.queryService().cancelQuery(request);
  }
  labelNames(request: RequestOf<'labelNames'>): Promise<ResponseOf<'labelNames'>> {
    return this.queryService().labelNames(request);
  }
  labelValues(request: RequestOf<'labelValues'>): Promise<ResponseOf<'labelValues'>> {
    return this.queryService().labelValues(request);
  }
  metadata(request: RequestOf<'metadata'>): Promise<ResponseOf<'metadata'>> {
    return this.queryService().metadata(request);
  }

  targets(request: RequestOf<'targets'>): Promise<ResponseOf<'targets'>> {
    if (this.targetsService === null) return Promise.resolve({ activeTargets: [], droppedTargets: [] });
    return this.targetsService.targets(request);
  }
  lintTarget(request: RequestOf<'lintTarget'>): Promise<ResponseOf<'lintTarget'>> {
    if (this.targetsService === null) throw new ApiError({ kind: 'unavailable', message: 'scraping is not running' });
    return this.targetsService.lintTarget(request);
  }
  probes(request: RequestOf<'probes'>): Promise<ResponseOf<'probes'>> {
    if (this.probesService === null) return Promise.resolve({ probes: [] });
    return this.probesService.probes(request);
  }

  private alertingService(): AlertingService {
    if (this.alerting === null) throw new ApiError({ kind: 'unavailable', message: 'alerting is not running yet' });
    return this.alerting;
  }
  alerts(r: RequestOf<'alerts'>): Promise<ResponseOf<'alerts'>> {
    return this.alertingService().alerts(r);
  }
  ackAlert(r: RequestOf<'ackAlert'>): Promise<ResponseOf<'ackAlert'>> {
    return this.alertingService().ackAlert(r);
  }
  unackAlert(r: RequestOf<'unackAlert'>): Promise<ResponseOf<'unackAlert'>> {
    return this.alertingService().unackAlert(r);
  }
  addAlertNote(r: RequestOf<'addAlertNote'>): Promise<ResponseOf<'addAlertNote'>> {
    return this.alertingService().addAlertNote(r);
  }
  silences(r: RequestOf<'silences'>): Promise<ResponseOf<'silences'>> {
    return this.alertingService().silences(r);
  }
  createSilence(r: RequestOf<'createSilence'>): Promise<ResponseOf<'createSilence'>> {
    return this.alertingService().createSilence(r);
  }
  expireSilence(r: RequestOf<'expireSilence'>): Promise<ResponseOf<'expireSilence'>> {
    return this.alertingService().expireSilence(r);
  }
  previewSilence(r: RequestOf<'previewSilence'>): Promise<ResponseOf<'previewSilence'>> {
    return this.alertingService().previewSilence(r);
  }
  rules(r: RequestOf<'rules'>): Promise<ResponseOf<'rules'>> {
    return this.alertingService().rules(r);
  }
  runRuleTests(r: RequestOf<'runRuleTests'>): Promise<ResponseOf<'runRuleTests'>> {
    return this.alertingService().runRuleTests(r);
  }
  backtest(r: RequestOf<'backtest'>): Promise<ResponseOf<'backtest'>> {
    return this.alertingService().backtest(r);
  }
  fireDrill(r: RequestOf<'fireDrill'>): Promise<ResponseOf<'fireDrill'>> {
    return this.alertingService().fireDrill(r);
  }

  async status(_request: RequestOf<'status'>): Promise<ResponseOf<'status'>> {
    return {
      build: readBuildInfo(),
      startTimeMs: this.startTimeMs,
      dataDir: this.lock.dir,
      shell: this.options.shell,
      configFile: this.options.configFile ?? null,
    };
  }
}
