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
import type { Appendable } from '../tsdb/interface.js';
import type { Logger } from '../util/log.js';
import type { ProbesService } from '../api/services.js';
import type { RequestOf, ResponseOf } from '../../app/api/channels.js';

export class Probing implements ProbesService {
  private scheduler: ProbeScheduler | null = null;
  private modules: ReadonlyMap<string, ProbeModule> = new Map();

  constructor(
    private readonly storage: Appendable,
    private readonly logger: Logger,
    /** The engine's clock and energy mode's interval factor (main/power/). */
    private readonly timing: { now?: () => number; intervalScale?: () => number } = {},
  ) {}

  /** Each probe's last run, for the wake gate. */
  runStates(): Array<{ lastScrapeMs: number | null; intervalMs: number; timeoutMs: number }> {
    return this.scheduler?.runStates() ?? [];
  }

  /** (Re)starts probes from a config; a bad module file is logged and the previous probes keep running. */
  async apply(config: Config): Promise<void> {
    const file = config.global.blackbox_config_file;
    const probeConfigs = config.global.probe_configs;
    let modules: ReadonlyMap<string, ProbeModule> = new Map();
    if (file !== undefined) {
      try {
        modules = loadModules(file);
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
    });
    res.writeHead(r.status, { 'Content-Type': r.contentType });
    res.end(r.body);
  }

  async stop(): Promise<void> {
    await this.scheduler?.stop();
    this.scheduler = null;
  }
}
