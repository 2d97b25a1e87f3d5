import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApiError } from '../../app/api/errors.js';
import { Dashboards } from '../dashboards/service.js';
import { defaultDataDir } from '../paths.js';
import { createLogger } from '../util/log.js';
import { UsageError, type Command } from './command.js';

/**
 * `vigil dashboard …` works on the data directory's dashboard store directly (no running Vigil
 * needed; SQLite lets it write while one runs, which then lists the result).
 */
async function withDashboards<T>(data: string | undefined, run: (d: Dashboards) => Promise<T>): Promise<T> {
  const d = new Dashboards({ dataDir: resolve(data ?? defaultDataDir()), logger: createLogger('dashboards') });
  try {
    return await run(d);
  } catch (err) {
    if (err instanceof ApiError) throw new UsageError(err.message);
    throw err;
  } finally {
    d.close();
  }
}

export const dashboardListCommand: Command = {
  words: ['dashboard', 'list'],
  usage: 'vigil dashboard list [--data DIR]',
  summary: 'list dashboards (stored and provisioned): uid, version, folder, title',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { data: { type: 'string' } }, strict: true });
    return withDashboards(values.data, async (d) => {
      const { dashboards } = await d.dashboards({});
      for (const s of dashboards) process.stdout.write(`${s.uid}\tv${s.version}\t${s.provisioned ? `${s.folder} (provisioned)` : s.folder}\t${s.title}\n`);
      return 0;
    });
  },
};

export const dashboardExportCommand: Command = {
  words: ['dashboard', 'export'],
  usage: 'vigil dashboard export UID [--external] [--data DIR] > file.json',
  summary: "write a dashboard as Grafana JSON to stdout (--external: Grafana's export for sharing externally)",
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { data: { type: 'string' }, external: { type: 'boolean' } }, allowPositionals: true, strict: true });
    if (positionals.length !== 1) throw new UsageError('exactly one dashboard UID is required (see `vigil dashboard list`)');
    return withDashboards(values.data, async (d) => {
      const out = await d.exportDashboard({ uid: positionals[0]!, external: values.external === true });
      process.stdout.write(out.json);
      return 0;
    });
  },
};

export const dashboardImportCommand: Command = {
  words: ['dashboard', 'import'],
  usage: 'vigil dashboard import FILE [--overwrite] [--dry-run] [--data DIR]',
  summary: 'import a Grafana dashboard JSON file (Grafana 7 to 12), migrated; prints what was mapped, kept and unsupported',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { data: { type: 'string' }, overwrite: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new UsageError('exactly one FILE is required');
    const file = resolve(positionals[0]!);
    let json: string;
    try {
      json = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
    }
    return withDashboards(values.data, async (d) => {
      let result;
      try {
        result = await d.importDashboard({ json, overwrite: values.overwrite === true, dryRun: values['dry-run'] === true, author: 'vigil dashboard import' });
      } catch (err) {
        if (err instanceof ApiError) throw new UsageError(`${file}: ${err.message}`);
        throw err;
      }
      const { dashboard, report, version } = result;
      for (const [kind, items] of Object.entries(report)) for (const item of items) process.stderr.write(`${kind}: ${item.where}: ${item.message}\n`);
      process.stdout.write(version === null ? `dry run: ${dashboard.uid} "${dashboard.title}" would be imported\n` : `imported ${dashboard.uid} "${dashboard.title}" as version ${version}\n`);
      return 0;
    });
  },
};
