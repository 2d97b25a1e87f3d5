/**
 * file_sd_configs: target groups from JSON/YAML files, re-read when a watched directory changes
 * and every refresh_interval (fs.watch misses events on some file systems). A file that fails to
 * parse keeps its previous groups; a file that disappears removes its groups. Adds
 * `__meta_filepath` as Prometheus does. Patterns are Go's filepath.Glob (main/util/glob.ts), as Prometheus reads them.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configuredFiles } from '../../util/glob.js';
import type { FileSdConfig } from '../../config/schema-sd.js';
import { sleep, type Discoverer, type OnDiscoveryError, type TargetGroup } from './discoverer.js';
import { GroupFormatError, parseGroups } from './group-parse.js';

/** The files a pattern names right now (Go's filepath.Glob, sorted); a literal path as given. */
export function expandPattern(pattern: string): string[] {
  return configuredFiles(pattern);
}

async function readGroupFile(file: string): Promise<TargetGroup[]> {
  const text = await readFile(file, 'utf8');
  let data: unknown;
  try {
    data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new GroupFormatError(`${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  return parseGroups(data, file, (i) => `${file}:${i}`, { __meta_filepath: file });
}

export class FileDiscoverer implements Discoverer {
  /** Sources sent last time, per file, so vanished groups can be removed. */
  private readonly sent = new Map<string, string[]>();

  constructor(
    private readonly config: FileSdConfig,
    private readonly onError: OnDiscoveryError = () => {},
    /** Debounce for bursts of watch events (an editor's save is several). */
    private readonly debounceMs = 100,
  ) {}

  async run(signal: AbortSignal, send: (groups: readonly TargetGroup[]) => void): Promise<void> {
    const watchers: FSWatcher[] = [];
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    const refresh = () => {
      running = running.then(() => this.refresh(send)).catch(() => {});
      return running;
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void refresh(), this.debounceMs);
    };
    for (const dir of new Set(this.config.files.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, schedule);
        w.on('error', () => {}); // the directory went away; the periodic refresh still runs
        watchers.push(w);
      } catch (err) {
        this.onError({ mechanism: 'file', message: `cannot watch ${dir}: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    try {
      await refresh();
      while (!signal.aborted) {
        await sleep(this.config.refresh_interval, signal);
        if (!signal.aborted) await refresh();
      }
    } finally {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      await running;
    }
  }

  /** Re-reads every file; sends changed and removed groups. */
  async refresh(send: (groups: readonly TargetGroup[]) => void): Promise<void> {
    const files = new Set<string>();
    for (const pattern of this.config.files) for (const f of expandPattern(pattern)) files.add(f);
    const out: TargetGroup[] = [];
    const present = new Set<string>();
    for (const file of files) {
      let groups: TargetGroup[];
      try {
        groups = await readGroupFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed below
        this.onError({ mechanism: 'file', message: err instanceof Error ? err.message : String(err) });
        present.add(file); // keep this file's previous groups
        continue;
      }
      present.add(file);
      const now = groups.map((g) => g.source);
      for (const src of this.sent.get(file) ?? []) if (!now.includes(src)) out.push({ source: src, targets: [], labels: {} });
      out.push(...groups);
      this.sent.set(file, now);
    }
    for (const [file, sources] of this.sent) {
      if (present.has(file)) continue;
      for (const src of sources) out.push({ source: src, targets: [], labels: {} });
      this.sent.delete(file);
    }
    send(out);
  }
}
