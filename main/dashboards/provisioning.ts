import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DashboardImportError, migrateDashboard, parseDashboardJson } from '../../app/dashboards/migrate.js';
import type { Dashboard } from '../../app/dashboards/model.js';

/**
 * Provisioned dashboards: every `*.json` file in a folder, loaded at start. The files are the
 * source of truth (Grafana's dashboard provisioning): Vigil never writes them, and saving one
 * from the UI is refused with "save as a copy" offered instead.
 */
export interface ProvisionSource {
  dir: string;
  /** Folder name shown in the list ('Vigil' for the shipped ones). */
  folder: string;
  /** Whether a missing folder is fine (the data directory's `dashboards/` is optional). */
  optional: boolean;
}

export interface ProvisionedDashboard {
  dashboard: Dashboard;
  file: string;
  folder: string;
  loadedMs: number;
}

/** The folder of dashboards Vigil ships ("Vigil", "Fleet", "Certificates", "This machine"). */
export const shippedDashboardsDir = fileURLToPath(new URL('./shipped/', import.meta.url));

export interface ProvisionResult {
  dashboards: Map<string, ProvisionedDashboard>;
  /** One line per file that could not be loaded, naming the file and what to fix. */
  problems: string[];
}

export function loadProvisioned(sources: readonly ProvisionSource[], nowMs: number): ProvisionResult {
  const dashboards = new Map<string, ProvisionedDashboard>();
  const problems: string[] = [];
  for (const source of sources) {
    if (!existsSync(source.dir)) {
      if (!source.optional) problems.push(`dashboards folder ${source.dir} does not exist; create it or fix the --dashboards path`);
      continue;
    }
    const files = readdirSync(source.dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    for (const name of files) {
      const file = join(source.dir, name);
      try {
        if (!statSync(file).isFile()) continue;
        const { dashboard } = migrateDashboard(parseDashboardJson(readFileSync(file, 'utf8'), file), { newUid: () => uidFromFileName(file) });
        const clash = dashboards.get(dashboard.uid);
        if (clash) {
          problems.push(`${file}: uid "${dashboard.uid}" is already used by ${clash.file}; give one of them another uid (this file is skipped)`);
          continue;
        }
        dashboards.set(dashboard.uid, { dashboard, file, folder: source.folder, loadedMs: nowMs });
      } catch (err) {
        const message = err instanceof DashboardImportError ? err.message : `${file}: ${(err as Error).message}`;
        problems.push(message.startsWith(file) ? message : `${file}: ${message}`);
      }
    }
  }
  return { dashboards, problems };
}

/** A stable uid for a provisioned file without one: its name, so reloads keep links working. */
function uidFromFileName(file: string): string {
  return (
    basename(file, '.json')
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .slice(0, 40) || 'dashboard'
  );
}
