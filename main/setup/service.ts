/**
 * The first-launch settings as a service: answers the `setup`, `setSetupToggles`, `addWebsite`
 * and `removeWebsite` channels, keeps `<data>/setup.json`, runs the demo servers, and gives
 * scraping and probing the running config through `overlay()`. Changes are applied at once
 * (scrape targets synced, probes restarted, a new website probed immediately) and one at a time.
 */
import { readFileSync } from 'node:fs';
import type { RequestOf, ResponseOf } from '../../app/api/channels.js';
import type { Setup, SetupSettings } from '../../app/api/setup.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../util/log.js';
import type { SetupApi } from '../api/services.js';
import { readSetupSettings, writeSetupSettings } from './settings.js';
import { overlayConfig, withoutAwayJobs } from './overlay.js';
import type { NetworkFacts } from '../network/facts.js';
import { DemoServers } from './demos.js';
import { builtinProbeModules, websiteJob, websiteUrl } from './website.js';
import { ApiError } from '../../app/api/errors.js';
import { tracingUrlProblem } from '../../app/tracing-url.js';
import type { ImportPreview } from '../../app/api/onboarding.js';
import type { DashboardsService } from '../api/services.js';
import { previewImport } from './import-preview.js';
import { asUploaded, stageImport } from './import-stage.js';

export interface SetupServiceOptions {
  dataDir: string;
  /** `--config`; null: the imported config of the settings, else the built-in one. */
  configFile: string | null;
  logger: Logger;
  /** The dashboard store, for the import's dry run and apply; null while it is unavailable. */
  dashboards?: () => DashboardsService | null;
  /** The network this machine is on now (main/network/); absent or null: every job runs. */
  network?: () => NetworkFacts | null;
}

/** What the service calls once scraping and probing run. */
export interface SetupHooks {
  /** Applies the running config again (through `overlay`) and resolves when probes restarted. */
  reapply(): Promise<void>;
  /** Runs one probe now. */
  probeNow(job: string, target: string): Promise<void>;
  /** Runs with another config file from now on; the errors when it does not load (the running one stays). */
  switchConfig(file: string): Promise<string[]>;
}

export class SetupService implements SetupApi {
  private settings: SetupSettings;
  private readonly fileError: string | null;
  private demoProblems: string[] = [];
  private readonly startProblems: string[] = [];
  private last: { jobs: Setup['jobs']; problems: string[]; away: Setup['away'] } = { jobs: [], problems: [], away: [] };
  private readonly demos = new DemoServers();
  private hooks: SetupHooks | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** The config file running now (null: the built-in config). */
  private running: string | null;

  private constructor(private readonly o: SetupServiceOptions) {
    const r = readSetupSettings(o.dataDir);
    this.settings = r.settings;
    this.fileError = r.error;
    if (r.error !== null) o.logger.error(r.error);
    this.running = o.configFile ?? this.settings.config;
  }

  /** The imported config did not load at start: the built-in config runs, and the overview says why. */
  importedConfigFailed(message: string): void {
    const problem = `the imported config ${this.settings.config ?? ''} did not load, so the built-in config runs: ${message}`;
    this.o.logger.error(problem);
    this.startProblems.push(problem);
    this.running = null;
  }

  /** The config file to start with: `--config`, else an imported one, else null (built-in). */
  get configFile(): string | null {
    return this.running;
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
    const r = overlayConfig(cfg, this.settings, this.running === null, this.demos.addresses());
    const n = withoutAwayJobs(r.config, this.o.network?.() ?? null);
    this.last = { jobs: r.jobs, problems: r.problems, away: n.away };
    return n.config;
  }

  async setup(): Promise<ResponseOf<'setup'>> {
    return {
      settings: this.settings,
      configFile: this.running,
      jobs: this.last.jobs,
      network: this.o.network?.() ?? null,
      away: this.last.away,
      problems: [...(this.fileError !== null ? [this.fileError] : []), ...this.startProblems, ...this.demoProblems, ...this.last.problems],
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

  /** Saves the tracing link template; nothing runs differently, so the config is not applied again. */
  async setTracingUrl(r: RequestOf<'setTracingUrl'>): Promise<ResponseOf<'setTracingUrl'>> {
    const url = r.url.trim();
    const problem = tracingUrlProblem(url);
    if (problem !== null) throw new ApiError({ kind: 'bad_request', where: 'setTracingUrl', message: problem });
    const run = this.queue.then(() => {
      this.settings = { ...this.settings, tracingUrl: url };
      writeSetupSettings(this.o.dataDir, this.settings);
      return this.setup();
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async previewImport(r: RequestOf<'previewImport'>): Promise<ResponseOf<'previewImport'>> {
    const staged = stageImport(this.o.dataDir, r.files, { keep: false });
    try {
      return asUploaded(await this.preview(staged.paths), staged);
    } finally {
      staged.discard();
    }
  }

  /**
   * Validates again and, only when everything loads and every test passes, applies: the config
   * becomes the running one (kept in the settings for the next start), rule and blackbox files
   * given alone join it, dashboards are stored. Uploaded files are kept under `<data>/imported/`.
   */
  async applyImport(r: RequestOf<'applyImport'>): Promise<ResponseOf<'applyImport'>> {
    const run = this.queue.then(async () => {
      const staged = stageImport(this.o.dataDir, r.files, { keep: true });
      let applied = false;
      try {
        const preview = await this.preview(staged.paths);
        if (!preview.ok) {
          // A failing test is an error of its file, so this counts it once.
          const problems = preview.files.flatMap((f) => f.errors).length;
          throw new ApiError({ kind: 'bad_request', where: 'applyImport', message: `nothing was applied: ${problems} problem${problems === 1 ? '' : 's'} in the files (see the preview)` });
        }
        const of = (kind: ImportPreview['files'][number]['kind']) => preview.files.filter((f) => f.kind === kind).map((f) => f.name);
        const config = of('config')[0] ?? null;
        if (config !== null) {
          const errors = (await this.hooks?.switchConfig(config)) ?? [];
          if (errors.length > 0) throw new ApiError({ kind: 'bad_request', where: 'applyImport', message: `nothing was applied: ${config} did not load:\n${errors.join('\n')}` });
          this.running = config;
        }
        const ruleFiles = of('rules');
        const blackbox = of('blackbox')[0] ?? null;
        this.settings = {
          ...this.settings,
          ...(config !== null ? { config } : {}),
          ruleFiles: [...this.settings.ruleFiles.filter((f) => !ruleFiles.includes(f)), ...ruleFiles],
          ...(blackbox !== null ? { blackboxFile: blackbox } : {}),
        };
        writeSetupSettings(this.o.dataDir, this.settings);
        applied = true;
        await this.hooks?.reapply();
        const dashboards: string[] = [];
        const store = this.o.dashboards?.() ?? null;
        for (const file of of('dashboard')) {
          if (store === null) throw new ApiError({ kind: 'unavailable', where: 'applyImport', message: 'the dashboard store is not running; the config and rules were applied, the dashboards were not' });
          const d = await store.importDashboard({ json: readFileSync(file, 'utf8'), overwrite: true, author: 'import' });
          dashboards.push(d.dashboard.uid);
        }
        return { preview, config, ruleFiles, dashboards };
      } finally {
        if (!applied) staged.discard();
      }
    });
    this.queue = run.catch(() => {});
    return run;
  }

  private preview(paths: readonly string[]): Promise<ImportPreview> {
    return previewImport(paths, {
      builtinModules: builtinProbeModules(),
      dryRunDashboard: async (json) => {
        const store = this.o.dashboards?.() ?? null;
        if (store === null) throw new Error('the dashboard store is not running');
        const d = (await store.importDashboard({ json, dryRun: true })).dashboard;
        return { uid: d.uid, title: d.title, panels: d.panels.length };
      },
    });
  }

  /** Jobs paused away from their network now (their alerts are held, not sent). */
  awayJobs(): ReadonlySet<string> {
    return new Set(this.last.away.map((a) => a.job));
  }

  /** The network changed: the config is applied again, pausing or resuming bound jobs. */
  networkChanged(): Promise<void> {
    const run = this.queue.then(() => this.hooks?.reapply());
    this.queue = run.catch(() => {});
    return run;
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
