import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { RequestOf, ResponseOf } from '../../app/api/channels.js';
import type { DashboardSummary } from '../../app/api/dashboards.js';
import { ApiError } from '../../app/api/errors.js';
import { diffJson } from '../../app/dashboards/diff.js';
import { exportDashboard, exportFileName } from '../../app/dashboards/export.js';
import { DashboardImportError, migrateDashboard, parseDashboardJson } from '../../app/dashboards/migrate.js';
import type { Dashboard } from '../../app/dashboards/model.js';
import type { DashboardsService } from '../api/services.js';
import type { Logger } from '../util/log.js';
import { loadProvisioned, shippedDashboardsDir, type ProvisionedDashboard, type ProvisionSource } from './provisioning.js';
import { DashboardStore, VersionConflictError } from './store.js';

export interface DashboardsOptions {
  dataDir: string;
  /** Extra provisioning folders (`vigil serve --dashboards DIR`); `<data>/dashboards/` is always read. */
  extraDirs?: readonly string[];
  /** Leave out the dashboards Vigil ships (tests of provisioning alone). */
  withoutShipped?: boolean;
  logger: Logger;
  now?: () => number;
  /** Uids of the remote data sources: imported Prometheus references naming one are kept. */
  remoteSourceUids?: () => ReadonlySet<string>;
  /** The global scrape interval now (ms), for the panels' step (`meta.scrapeIntervalMs`). */
  scrapeIntervalMs?: () => number | null;
}

/** A short random uid like Grafana's (9 characters of base-62-ish text). */
function newDashboardUid(): string {
  return randomBytes(7).toString('base64url').slice(0, 9);
}

const channel = (name: string) => `dashboards: ${name}`;

/**
 * The dashboards service: stored dashboards (SQLite, versioned) and provisioned ones (files,
 * read-only), answering the dashboard channels of the contract.
 */
export class Dashboards implements DashboardsService {
  readonly store: DashboardStore;
  private provisioned: Map<string, ProvisionedDashboard>;
  /** Files that did not load, for the log and `vigil dashboard list`. */
  readonly problems: string[];
  private readonly now: () => number;

  constructor(private readonly options: DashboardsOptions) {
    this.now = options.now ?? Date.now;
    this.store = new DashboardStore(join(options.dataDir, 'dashboards.sqlite'));
    const sources: ProvisionSource[] = [
      ...(options.withoutShipped ? [] : [{ dir: shippedDashboardsDir, folder: 'Vigil', optional: false }]),
      { dir: join(options.dataDir, 'dashboards'), folder: 'Provisioned', optional: true },
      ...(options.extraDirs ?? []).map((dir) => ({ dir, folder: 'Provisioned', optional: false })),
    ];
    const loaded = loadProvisioned(sources, this.now());
    this.provisioned = loaded.dashboards;
    this.problems = loaded.problems;
    for (const p of loaded.problems) options.logger.error('dashboard file not loaded', { problem: p });
  }

  close(): void {
    this.store.close();
  }

  async dashboards(req: RequestOf<'dashboards'>): Promise<ResponseOf<'dashboards'>> {
    const starred = this.store.starred();
    const all: DashboardSummary[] = [
      ...[...this.provisioned.values()].map((p) => ({
        uid: p.dashboard.uid,
        title: p.dashboard.title,
        tags: p.dashboard.tags,
        starred: starred.has(p.dashboard.uid),
        folder: p.folder,
        provisioned: true,
        version: 1,
        updatedMs: p.loadedMs,
      })),
      ...this.store
        .list()
        .filter((s) => !this.provisioned.has(s.uid))
        .map((s) => ({ uid: s.uid, title: s.title, tags: s.tags, starred: starred.has(s.uid), folder: s.folder, provisioned: false, version: s.version, updatedMs: s.updatedMs })),
    ];
    const tags = [...new Set(all.flatMap((d) => d.tags))].sort();
    const q = req.query?.trim().toLowerCase() ?? '';
    const dashboards = all
      .filter((d) => q === '' || d.title.toLowerCase().includes(q) || d.tags.some((t) => t.toLowerCase() === q))
      .filter((d) => (req.tags ?? []).every((t) => d.tags.includes(t)))
      .filter((d) => req.starred !== true || d.starred)
      .sort((a, b) => Number(b.starred) - Number(a.starred) || a.title.localeCompare(b.title, undefined, { sensitivity: 'base' }));
    return { dashboards, tags };
  }

  private scrapeIntervalMs(): number | null {
    return this.options.scrapeIntervalMs?.() ?? null;
  }

  async dashboard(req: RequestOf<'dashboard'>): Promise<ResponseOf<'dashboard'>> {
    const starred = this.store.starred().has(req.uid);
    const p = this.provisioned.get(req.uid);
    if (p) {
      if (req.version !== undefined && req.version !== 1) throw notFound(`dashboard ${req.uid} is provisioned from ${p.file}; it has no version ${req.version}`);
      return {
        dashboard: p.dashboard,
        meta: { version: 1, latest: true, provisioned: true, provisionedFrom: p.file, starred, folder: p.folder, updatedMs: p.loadedMs, updatedBy: p.file, canSave: false, scrapeIntervalMs: this.scrapeIntervalMs() },
      };
    }
    const got = this.store.get(req.uid, req.version);
    if (!got) throw notFound(req.version === undefined ? `no dashboard with uid ${req.uid}` : `dashboard ${req.uid} has no version ${req.version}`);
    const summary = this.store.summary(req.uid);
    return {
      dashboard: got.dashboard,
      meta: {
        version: got.version,
        latest: got.version === summary?.version,
        provisioned: false,
        provisionedFrom: null,
        starred,
        folder: summary?.folder ?? 'General',
        updatedMs: got.createdMs,
        updatedBy: got.author,
        canSave: true,
        scrapeIntervalMs: this.scrapeIntervalMs(),
      },
    };
  }

  async saveDashboard(req: RequestOf<'saveDashboard'>): Promise<ResponseOf<'saveDashboard'>> {
    let dashboard: Dashboard = req.dashboard;
    const provisioned = this.provisioned.get(dashboard.uid);
    if (req.asCopy) {
      const sourceTitle = provisioned?.dashboard.title ?? this.store.summary(dashboard.uid)?.title;
      dashboard = { ...dashboard, uid: newDashboardUid(), title: dashboard.title === sourceTitle ? `${dashboard.title} (copy)` : dashboard.title };
    } else if (provisioned) {
      throw refusedProvisioned(dashboard.uid, provisioned.file, 'save');
    }
    const version = this.saveVersion(dashboard, { author: req.author, message: req.message, baseVersion: req.asCopy ? undefined : req.baseVersion });
    return { uid: dashboard.uid, version };
  }

  async deleteDashboard(req: RequestOf<'deleteDashboard'>): Promise<ResponseOf<'deleteDashboard'>> {
    const p = this.provisioned.get(req.uid);
    if (p) throw refusedProvisioned(req.uid, p.file, 'delete');
    return { deleted: this.store.delete(req.uid) };
  }

  async starDashboard(req: RequestOf<'starDashboard'>): Promise<ResponseOf<'starDashboard'>> {
    if (!this.provisioned.has(req.uid) && this.store.summary(req.uid) === null) throw notFound(`no dashboard with uid ${req.uid}`);
    this.store.star(req.uid, req.starred, this.now());
    return { uid: req.uid, starred: req.starred };
  }

  async dashboardVersions(req: RequestOf<'dashboardVersions'>): Promise<ResponseOf<'dashboardVersions'>> {
    const p = this.provisioned.get(req.uid);
    if (p) return { versions: [{ version: 1, createdMs: p.loadedMs, author: p.file, message: 'provisioned from file', restoredFrom: null }] };
    if (this.store.summary(req.uid) === null) throw notFound(`no dashboard with uid ${req.uid}`);
    return { versions: this.store.versions(req.uid) };
  }

  async diffDashboardVersions(req: RequestOf<'diffDashboardVersions'>): Promise<ResponseOf<'diffDashboardVersions'>> {
    const a = this.store.get(req.uid, req.from);
    const b = this.store.get(req.uid, req.to);
    if (!a || !b) throw notFound(`dashboard ${req.uid} has no version ${!a ? req.from : req.to}`);
    return { changes: diffJson(a.dashboard, b.dashboard) };
  }

  async restoreDashboardVersion(req: RequestOf<'restoreDashboardVersion'>): Promise<ResponseOf<'restoreDashboardVersion'>> {
    const p = this.provisioned.get(req.uid);
    if (p) throw refusedProvisioned(req.uid, p.file, 'restore');
    const old = this.store.get(req.uid, req.version);
    if (!old) throw notFound(`dashboard ${req.uid} has no version ${req.version}`);
    const version = this.saveVersion(old.dashboard, { author: req.author, message: `restored version ${req.version}`, restoredFrom: req.version });
    return { uid: req.uid, version };
  }

  async importDashboard(req: RequestOf<'importDashboard'>): Promise<ResponseOf<'importDashboard'>> {
    let migrated;
    try {
      migrated = migrateDashboard(parseDashboardJson(req.json), { newUid: newDashboardUid, ...(this.options.remoteSourceUids ? { keepSources: this.options.remoteSourceUids() } : {}) });
    } catch (err) {
      if (err instanceof DashboardImportError) throw new ApiError({ kind: 'bad_request', where: channel('importDashboard'), message: err.message });
      throw err;
    }
    const { dashboard, report } = migrated;
    if (req.dryRun) return { dashboard, report, version: null };
    const p = this.provisioned.get(dashboard.uid);
    if (p) throw refusedProvisioned(dashboard.uid, p.file, 'import over');
    if (!req.overwrite && this.store.summary(dashboard.uid) !== null) {
      throw new ApiError({
        kind: 'bad_request',
        where: channel('importDashboard'),
        message: `a dashboard with uid ${dashboard.uid} exists ("${this.store.summary(dashboard.uid)?.title ?? ''}"); import with overwrite to make this its new version, or change the uid in the file`,
      });
    }
    const version = this.saveVersion(dashboard, { author: req.author, message: 'imported' });
    return { dashboard, report, version };
  }

  async exportDashboard(req: RequestOf<'exportDashboard'>): Promise<ResponseOf<'exportDashboard'>> {
    const { dashboard } = await this.dashboard({ uid: req.uid, ...(req.version !== undefined ? { version: req.version } : {}) });
    return { json: JSON.stringify(exportDashboard(dashboard, { external: req.external }), null, 2) + '\n', filename: exportFileName(dashboard) };
  }

  private saveVersion(dashboard: Dashboard, o: { author?: string | undefined; message?: string | undefined; restoredFrom?: number; baseVersion?: number | undefined }): number {
    try {
      return this.store.save({
        dashboard,
        author: o.author ?? 'vigil',
        message: o.message ?? '',
        atMs: this.now(),
        ...(o.restoredFrom !== undefined ? { restoredFrom: o.restoredFrom } : {}),
        ...(o.baseVersion !== undefined ? { baseVersion: o.baseVersion } : {}),
      });
    } catch (err) {
      if (err instanceof VersionConflictError) throw new ApiError({ kind: 'bad_request', where: channel('saveDashboard'), message: err.message });
      throw err;
    }
  }
}

function notFound(message: string): ApiError {
  return new ApiError({ kind: 'bad_request', where: 'dashboards', message });
}

function refusedProvisioned(uid: string, file: string, action: string): ApiError {
  return new ApiError({
    kind: 'forbidden',
    where: channel(uid),
    message: `cannot ${action} dashboard ${uid}: it is provisioned from ${file}, and that file is the source of truth. Save it as a copy (asCopy) to change it in Vigil, or edit the file.`,
  });
}
