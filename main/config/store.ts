/**
 * The running config: load once, reload on demand or when the file changes (fs.watch on the
 * directory, debounced, since editors save by rename). A bad new file (or one naming missing or
 * invalid rule files) never replaces a running good one: reload returns the errors and the
 * previous config stays current.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { loadConfig, parseConfig, type ConfigError, type LoadResult } from './load.js';
import type { Config } from './schema.js';

export type ReloadResult =
  | { readonly ok: true; readonly config: Config; readonly changed: boolean }
  | { readonly ok: false; readonly errors: readonly ConfigError[] };

export interface ConfigStoreOptions {
  /** Used when `file` is null: the embedded default config text. */
  readonly defaultText?: string;
  readonly debounceMs?: number;
  /**
   * Checks beyond the file itself (the rule files it names); on a reload any error refuses the
   * whole config, as Prometheus refuses it, and the running one stays.
   */
  readonly validate?: (config: Config, file: string) => readonly ConfigError[];
}

export class ConfigStore {
  private config: Config | null = null;
  private text: string | null = null;
  private lastErrors: readonly ConfigError[] = [];
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(r: ReloadResult) => void>();
  private reloading: Promise<ReloadResult> | null = null;

  /** `file` null means "no config file": the embedded default is used. */
  constructor(
    private configFile: string | null,
    private readonly options: ConfigStoreOptions = {},
  ) {}

  get file(): string | null {
    return this.configFile;
  }

  /**
   * Runs with another file from now on (the onboarding import): loaded and checked like a
   * reload; if it does not load, the running file and config stay and the errors are returned.
   */
  async switchTo(file: string): Promise<ReloadResult> {
    const previous = this.configFile;
    const wasWatching = this.watcher !== null;
    this.watcher?.close();
    this.watcher = null;
    this.configFile = file;
    const r = await this.reload();
    if (!r.ok) this.configFile = previous;
    if (wasWatching || (r.ok && previous === null)) this.watch();
    return r;
  }

  /** The running config; null before the first successful load. */
  current(): Config | null {
    return this.config;
  }

  /** Errors of the last failed load/reload (empty after a success). */
  errors(): readonly ConfigError[] {
    return this.lastErrors;
  }

  /** Loads (or re-loads) the file; on failure keeps the running config. Serialized. */
  async reload(): Promise<ReloadResult> {
    while (this.reloading !== null) await this.reloading.catch(() => {});
    this.reloading = this.doReload();
    try {
      return await this.reloading;
    } finally {
      this.reloading = null;
    }
  }

  private async doReload(): Promise<ReloadResult> {
    const loaded: LoadResult = this.file === null ? parseConfig(this.options.defaultText ?? '', '<default config>') : await loadConfig(this.file);
    // Only a reload is refused for these: at the first load there is no running config to keep,
    // and starting without the broken rules (shown on the Rules page) beats not monitoring.
    const invalid = loaded.ok && this.config !== null ? (this.options.validate?.(loaded.config, loaded.file) ?? []) : [];
    const r: LoadResult = invalid.length > 0 ? { ok: false, file: loaded.file, errors: invalid } : loaded;
    let result: ReloadResult;
    if (r.ok) {
      const changed = r.text !== this.text;
      this.config = r.config;
      this.text = r.text;
      this.lastErrors = [];
      result = { ok: true, config: r.config, changed };
    } else {
      this.lastErrors = r.errors;
      result = { ok: false, errors: r.errors };
    }
    for (const l of this.listeners) l(result);
    return result;
  }

  /** Called after every reload (file change or explicit); returns an unsubscribe function. */
  onReload(listener: (r: ReloadResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts watching the file; changes trigger `reload()` after a short debounce. */
  watch(): void {
    if (this.file === null || this.watcher !== null) return;
    const full = resolve(this.file);
    const name = basename(full);
    this.watcher = watch(dirname(full), (_event, changed) => {
      if (changed !== null && changed.toString() !== name) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.reload(), this.options.debounceMs ?? 250);
    });
    this.watcher.on('error', () => {}); // directory removed: keep the running config
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = null;
    this.listeners.clear();
  }
}

/**
 * Loads `file` and calls `onChange` after every later change of it (with the new config, or the
 * errors while the old config stays in force). Returns the store; `close()` stops watching.
 */
export async function watchConfig(file: string, onChange: (r: ReloadResult) => void, debounceMs = 250): Promise<ConfigStore> {
  const store = new ConfigStore(file, { debounceMs });
  await store.reload();
  store.onReload(onChange);
  store.watch();
  return store;
}
