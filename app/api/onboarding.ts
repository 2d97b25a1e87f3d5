import { z } from 'zod';

/**
 * A file to import: a path the engine reads (the desktop shell's open-file dialog), or a name and
 * its contents (`vigil serve`: the page uploads them).
 */
const ImportFileSchema = z.union([
  z.object({ path: z.string().min(1) }).strict(),
  z.object({ name: z.string().min(1).max(255), text: z.string().max(16 * 1024 * 1024) }).strict(),
]);

export const ImportRequestSchema = z.object({ files: z.array(ImportFileSchema).min(1).max(100) }).strict();

const ImportKindSchema = z.enum(['config', 'blackbox', 'rules', 'tests', 'dashboard', 'file_sd']);

export const ImportPreviewSchema = z.object({
  /** Each file, what it was taken for, and its errors (file:line: field: message). */
  files: z.array(z.object({ name: z.string(), kind: ImportKindSchema, errors: z.array(z.string()) })),
  /** What the config would scrape: targets after relabeling, from static_configs and file_sd_configs. */
  jobs: z.array(
    z.object({
      job: z.string(),
      targets: z.array(z.object({ url: z.string(), labels: z.record(z.string(), z.string()) })),
      dropped: z.number().int(),
      /** Discovery the preview does not run (DNS, HTTP SD): its targets appear once it runs. */
      note: z.string().nullable(),
    }),
  ),
  probes: z.array(z.object({ job: z.string(), module: z.string(), targets: z.array(z.string()) })),
  /** Rule files that load (named by the config or given alone), with their group and rule counts. */
  rules: z.array(z.object({ file: z.string(), groups: z.number().int(), rules: z.number().int() })),
  /** promtool test files: passed or not, with promtool's report. */
  tests: z.array(z.object({ file: z.string(), ok: z.boolean(), report: z.string() })),
  dashboards: z.array(z.object({ file: z.string(), uid: z.string(), title: z.string(), panels: z.number().int() })),
  /** True when nothing has an error and every test passes: only then can the import be applied. */
  ok: z.boolean(),
});

export const ImportAppliedSchema = z.object({
  preview: ImportPreviewSchema,
  /** The config Vigil now runs with (kept across restarts in setup.json), or null when none was imported. */
  config: z.string().nullable(),
  /** Rule files loaded beside the config's own. */
  ruleFiles: z.array(z.string()),
  /** uids of the dashboards stored. */
  dashboards: z.array(z.string()),
});

export type ImportPreview = z.infer<typeof ImportPreviewSchema>;
export type ImportRequest = z.infer<typeof ImportRequestSchema>;
