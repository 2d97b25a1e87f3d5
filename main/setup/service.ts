/**
 * The first-launch settings as a service: answers the `setup`, `setSetupToggles`, `addWebsite`
 * and `removeWebsite` channels, keeps `<data>/setup.json`, runs the demo servers, and gives
 * scraping and probing the running config through `overlay()`. Changes are applied at once
 * (scrape targets synced, probes restarted, a new website probed immediately) and one at a time.
 */
import type { RequestOf, ResponseOf } from '../../app/api/channels.js';
import type { Setup, SetupSettings } from '../../app/api/setup.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../util/log.js';
import type { SetupApi } from '../api/services.js';
import { readSetupSettings, writeSetupSettings } from './settings.js';
import { overlayConfig } from './overlay.js';
import { DemoServers } from './demos.js';
import { websiteJob, websiteUrl } from './website.js';

export interface SetupServiceOptions {
  dataDir: string;
  /** The config file Vigil runs with; null: the built-in config. */
  configFile: string | null;
  logger: Logger;
}

/** What the service calls once scraping and probing run. */
export interface SetupHooks {
  /** Applies the running config again (through `overlay`) and resolves when probes restarted. */
  reapply(): Promise<void>;
  /** Runs one probe now. */
  probeNow(job: string, target: string): Promise<void>;
}

export class SetupService implements SetupApi {
  private settings: SetupSettings;
  private readonly fileError: string | null;
  private demoProblems: string[] = [];
  private last: { jobs: Setup['jobs']; problems: string[] } = { jobs: [], problems: [] };
  private readonly demos = new DemoServers();
  private hooks: SetupHooks | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly o: SetupServiceOptions) {
    const r = readSetupSettings(o.dataDir);
    this.settings = r.settings;
    this.fileError = r.error;
    if (r.error !== null) o.logger.error(r.error);
  }

  /** Reads the settings and starts the demo servers they switch on. */
  static async open(o: SetupServiceOptions): Promise<SetupService> {
    const s = new SetupService(o);
    s.demoProblems = await s.demos.sync(s.settings);
    for (const p of s.demoProblems) o.logger.error(p);
    return s;
  }

  attach(hooks: SetupHooks): void {
    this.hooks = hooks;
  }

  /** The running config for a loaded one: what the settings remove and add. */
  overlay(cfg: Config): Config {
    const r = overlayConfig(cfg, this.settings, this.o.configFile === null, this.demos.addresses());
    this.last = { jobs: r.jobs, problems: r.problems };
    return r.config;
  }

  async setup(): Promise<ResponseOf<'setup'>> {
    return {
      settings: this.settings,
      configFile: this.o.configFile,
      jobs: this.last.jobs,
      problems: [...(this.fileError !== null ? [this.fileError] : []), ...this.demoProblems, ...this.last.problems],
    };
  }

  async setSetupToggles(r: RequestOf<'setSetupToggles'>): Promise<ResponseOf<'setSetupToggles'>> {
    return this.change(async () => {
      this.settings = { ...this.settings, ...r };
      this.demoProblems = await this.demos.sync(this.settings);
    });
  }

  async addWebsite(r: RequestOf<'addWebsite'>): Promise<ResponseOf<'addWebsite'>> {
    const url = websiteUrl(r.url);
    const name = (r.name ?? '').trim();
    return this.change(async () => {
      const others = this.settings.websites.filter((w) => w.url !== url);
      this.settings = { ...this.settings, websites: [...others, { url, name }] };
    }, url);
  }

  async removeWebsite(r: RequestOf<'removeWebsite'>): Promise<ResponseOf<'removeWebsite'>> {
    return this.change(async () => {
      this.settings = { ...this.settings, websites: this.settings.websites.filter((w) => w.url !== r.url) };
    });
  }

  /** One change at a time: update, save, apply, and probe a new website at once. */
  private change(update: () => Promise<void>, probe?: string): Promise<Setup> {
    const run = this.queue.then(async () => {
      await update();
      writeSetupSettings(this.o.dataDir, this.settings);
      await this.hooks?.reapply();
      if (probe !== undefined) await this.hooks?.probeNow(websiteJob, probe);
      return this.setup();
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async stop(): Promise<void> {
    await this.queue;
    await this.demos.stop();
  }
}
