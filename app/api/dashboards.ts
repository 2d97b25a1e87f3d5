import { z } from 'zod';
import { DashboardSchema } from '../dashboards/model.js';

/**
 * The dashboards side of the contract: list/search, get (optionally an old version), save (a new
 * version each time), delete, star, version history with diff and restore, import (Grafana JSON
 * from 7 to 12, migrated, with a report) and export (Grafana's JSON model, optionally "for
 * sharing externally"). Provisioned dashboards (files, and the ones Vigil ships) are read-only:
 * saving one is refused with a message offering `asCopy`.
 */

/** Largest dashboard JSON accepted (import, save): a generous multiple of the biggest real ones. */
export const maxDashboardJsonBytes = 8 * 1024 * 1024;

const Uid = z.string().min(1).max(40);
const Version = z.number().int().positive();

const DashboardSummarySchema = z.object({
  uid: z.string(),
  title: z.string(),
  tags: z.array(z.string()),
  starred: z.boolean(),
  /** Folder name: 'General' for dashboards saved in Vigil, the provisioning folder otherwise. */
  folder: z.string(),
  provisioned: z.boolean(),
  /** Latest version number (1 for a provisioned dashboard as loaded). */
  version: z.number().int(),
  updatedMs: z.number(),
});
export type DashboardSummary = z.infer<typeof DashboardSummarySchema>;

export const DashboardsRequestSchema = z
  .object({
    /** Case-insensitive substring of the title. */
    query: z.string().max(256).optional(),
    /** Only dashboards carrying every one of these tags. */
    tags: z.array(z.string().max(256)).max(32).optional(),
    starred: z.boolean().optional(),
  })
  .strict();
export const DashboardsResponseSchema = z.object({
  dashboards: z.array(DashboardSummarySchema),
  /** Every tag in use, for the tag filter. */
  tags: z.array(z.string()),
});

const DashboardMetaSchema = z.object({
  version: z.number().int(),
  /** Whether the requested version is the latest one. */
  latest: z.boolean(),
  provisioned: z.boolean(),
  /** The file a provisioned dashboard comes from (null for stored ones). */
  provisionedFrom: z.string().nullable(),
  starred: z.boolean(),
  folder: z.string(),
  updatedMs: z.number(),
  updatedBy: z.string(),
  /** False for provisioned dashboards: save is refused, "save as copy" is offered. */
  canSave: z.boolean(),
  /**
   * The engine's global scrape interval (ms; null when not known): panels use it as a Grafana
   * Prometheus data source uses its "scrape interval" setting, as the smallest step and in
   * `$__rate_interval`. Without it they assume Grafana's 15 s.
   */
  scrapeIntervalMs: z.number().int().positive().nullable(),
});

export const DashboardRequestSchema = z.object({ uid: Uid, version: Version.optional() }).strict();
export const DashboardResponseSchema = z.object({ dashboard: DashboardSchema, meta: DashboardMetaSchema });

export const SaveDashboardRequestSchema = z
  .object({
    dashboard: DashboardSchema,
    /** Version note shown in the history. */
    message: z.string().max(4096).optional(),
    author: z.string().max(256).optional(),
    /** Save under a new uid (title gets " (copy)" unless changed): the way out for provisioned ones. */
    asCopy: z.boolean().optional(),
    /** The version the editor started from; the save is refused if someone saved since. */
    baseVersion: z.number().int().nonnegative().optional(),
  })
  .strict();
export const SaveDashboardResponseSchema = z.object({ uid: z.string(), version: z.number().int() });

export const UidRequestSchema = z.object({ uid: Uid }).strict();
export const DeleteDashboardResponseSchema = z.object({ deleted: z.boolean() });

export const StarDashboardRequestSchema = z.object({ uid: Uid, starred: z.boolean() }).strict();
export const StarDashboardResponseSchema = z.object({ uid: z.string(), starred: z.boolean() });

const DashboardVersionSchema = z.object({
  version: z.number().int(),
  createdMs: z.number(),
  author: z.string(),
  message: z.string(),
  /** Set when this version was made by restoring an older one. */
  restoredFrom: z.number().int().nullable(),
});
export const DashboardVersionsResponseSchema = z.object({ versions: z.array(DashboardVersionSchema) });

export const DiffDashboardVersionsRequestSchema = z.object({ uid: Uid, from: Version, to: Version }).strict();
const DashboardChangeSchema = z.object({
  /** JSON path of the change, e.g. `panels[3].targets[0].expr`. */
  path: z.string(),
  kind: z.enum(['added', 'removed', 'changed']),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type DashboardChange = z.infer<typeof DashboardChangeSchema>;
export const DiffDashboardVersionsResponseSchema = z.object({ changes: z.array(DashboardChangeSchema) });

export const RestoreDashboardVersionRequestSchema = z
  .object({ uid: Uid, version: Version, author: z.string().max(256).optional() })
  .strict();

const ImportReportItemSchema = z.object({
  /** Where in the dashboard: `panels[2] "CPU"`, `templating.list[0] $instance`, … */
  where: z.string(),
  message: z.string(),
});
const ImportReportSchema = z.object({
  /** Changed to Vigil's current model (graph → timeseries, rows → gridPos, datasource refs, …). */
  mapped: z.array(ImportReportItemSchema),
  /** Kept as they are though Vigil does not use them (unknown fields, plugin options). */
  kept: z.array(ImportReportItemSchema),
  /** Kept but not drawn or resolved by Vigil (unknown panel types, other datasources, …). */
  unsupported: z.array(ImportReportItemSchema),
});
export type ImportReport = z.infer<typeof ImportReportSchema>;

export const ImportDashboardRequestSchema = z
  .object({
    /** The dashboard JSON text (a Grafana export, with or without `__inputs`). */
    json: z.string().max(maxDashboardJsonBytes, { error: `dashboard JSON is over the limit of ${maxDashboardJsonBytes / 1024 / 1024} MB per dashboard; split it into several dashboards` }),
    /** Migrate and report only; nothing is stored. */
    dryRun: z.boolean().optional(),
    /** Replace a stored dashboard with the same uid (as a new version) instead of refusing. */
    overwrite: z.boolean().optional(),
    author: z.string().max(256).optional(),
  })
  .strict();
export const ImportDashboardResponseSchema = z.object({
  dashboard: DashboardSchema,
  report: ImportReportSchema,
  /** The stored version, or null on a dry run. */
  version: z.number().int().nullable(),
});

export const ExportDashboardRequestSchema = z
  .object({
    uid: Uid,
    version: Version.optional(),
    /** Grafana's "export for sharing externally": `__inputs`, `__requires`, `${DS_PROMETHEUS}`. */
    external: z.boolean(),
  })
  .strict();
export const ExportDashboardResponseSchema = z.object({
  json: z.string(),
  /** A file name for the download, e.g. `node-exporter-full.json`. */
  filename: z.string(),
});
