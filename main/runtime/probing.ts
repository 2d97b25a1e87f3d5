/**
 * Probing, wired: blackbox modules from `global.blackbox_config_file` and `global.probe_configs`
 * of the running config, a scheduler appending results to storage, and the `/probe` endpoint.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/schema.js';
import { loadModules } from '../probe/module-config.js';
import type { ProbeModule } from '../probe/module-schema.js';
import { ProbeScheduler } from '../probe/scheduler.js';
import { probeStatuses } from '../probe/status.js';
import { handleProbe } from '../probe/handler.js';
import { probePool, type ProbePool } from '../probe/pool.js';
import type { Appendable } from '../tsdb/interface.js';
import type { Logger } from '../util/log.js';
import type { ProbesService } from '../api/services.js';
import type { RequestOf, ResponseOf } from '../../app/api/channels.js';

export class Probing implements ProbesService {
  private scheduler: ProbeScheduler | null = null;
  private modules: ReadonlyMap<string, ProbeModule> = new Map();
  /** Probes run on worker threads in the built app (main/probe/pool.ts); in this thread otherwise. */
  private readonly pool: ProbePool | undefined;

  constructor(
    private readonly storage: Appendable,
    private readonly logger: Logger,
    /** The engine's clock and energy mode's interval factor (main/power/). */
    private readonly timing: { now?: () => number; intervalScale?: () => number } = {},
    /** Modules Vigil brings (main/setup/website.ts); a module of the same name in the user's file wins. */
    private readonly builtinModules: ReadonlyMap<string, ProbeModule> = new Map(),
    /** The probe pool worker's entry file (the packaged app's is unpacked from the asar). */
    poolWorkerUrl?: URL,
  ) {
    this.pool = probePool(poolWorkerUrl, (reason) => this.logger.warn(reason));
  }

  /** The probe threads, for the memory budget; undefined when probes run on this thread. */
  get threads(): ProbePool | undefined {
    return this.pool;
  }

  private applying: Promise<void> = Promise.resolve();

  /** Each probe's last run, for the wake gate. */
  runStates(): Array<{ lastScrapeMs: number | null; intervalMs: number; timeoutMs: number }> {
    return this.scheduler?.runStates() ?? [];
  }

  /** (Re)starts probes from a config; a bad module file is logged and the previous probes keep running. */
  apply(config: Config): Promise<void> {
    this.applying = this.applying.then(() => this.doApply(config)).catch((err: unknown) => this.logger.error(`applying probes failed: ${String(err)}`));
    return this.applying;
  }

  /** Resolves when every apply so far has finished. */
  settled(): Promise<void> {
    return this.applying;
  }

  /** Runs one probe now (a website just added), recording its result like a scheduled run. */
  async runTarget(job: string, target: string): Promise<void> {
    await this.scheduler?.runTarget(job, target);
  }

  private async doApply(config: Config): Promise<void> {
    const file = config.global.blackbox_config_file;
    const probeConfigs = config.global.probe_configs;
    let modules: ReadonlyMap<string, ProbeModule> = this.builtinModules;
    if (file !== undefined) {
      try {
        modules = new Map([...this.builtinModules, ...loadModules(file)]);
      } catch (err) {
        this.logger.error(`cannot load blackbox_config_file: ${(err as Error).message}`);
        return;
      }
    }
    const missing = probeConfigs.filter((p) => !modules.has(p.module));
    if (missing.length > 0) {
      this.logger.error(`probe_configs name unknown modules: ${missing.map((m) => `${m.job_name}: ${m.module}`).join(', ')}`);
      return;
    }
    const previous = this.scheduler;
    this.modules = modules;
    this.scheduler = new ProbeScheduler({
      appendable: this.storage,
      modules,
      configs: probeConfigs,
      logger: this.logger,
      ...this.timing,
      ...(this.pool ? { runner: this.pool.run } : {}),
      ...(previous ? { history: previous.history } : {}),
    });
    await previous?.stop();
    this.scheduler.start();
  }

  async probes(_request: RequestOf<'probes'>): Promise<ResponseOf<'probes'>> {
    return { probes: this.scheduler ? probeStatuses(this.scheduler) : [] };
  }

  /** `/probe?module=&target=` exactly as blackbox_exporter answers it. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const h = req.headers['x-prometheus-scrape-timeout-seconds'];
    const r = await handleProbe(url.searchParams, typeof h === 'string' ? { scrapeTimeoutSeconds: h } : {}, {
      modules: this.modules,
      ...(this.scheduler ? { history: this.scheduler.history } : {}),
      logger: this.logger,
      ...(this.pool ? { runner: this.pool.run } : {}),
    });
    res.writeHead(r.status, { 'Content-Type': r.contentType });
    res.end(r.body);
  }

  async stop(): Promise<void> {
    await this.scheduler?.stop();
    this.scheduler = null;
    await this.pool?.close();
  }
}
