/**
 * The onboarding import's preview: each file validated with the loader Vigil runs it with
 * (prometheus.yml, blackbox modules, rule files, promtool tests, Grafana dashboards, file_sd
 * target lists), errors named with file and line, and what the config would scrape — targets
 * after relabeling, from static_configs and file_sd_configs (the discovery that needs no network).
 * Nothing is started or stored here.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ImportPreview } from '../../app/api/onboarding.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { loadModules } from '../probe/module-config.js';
import type { ProbeModule } from '../probe/module-schema.js';
import { readRuleFiles } from '../rules/manager.js';
import { runRuleTestFile } from '../rules/unittest-run.js';
import { staticGroups } from '../scrape/sd/static.js';
import { FileDiscoverer } from '../scrape/sd/file.js';
import { parseGroups } from '../scrape/sd/group-parse.js';
import type { TargetGroup } from '../scrape/sd/discoverer.js';
import { buildTargets } from '../scrape/targets.js';
import { labelsToRecord } from '../tsdb/labels.js';

type Kind = ImportPreview['files'][number]['kind'];

export interface PreviewDeps {
  /** Migrates a dashboard without storing it (the dashboards service's dry run); throws with the reason. */
  dryRunDashboard(json: string): Promise<{ uid: string; title: string; panels: number }>;
  /** Probe modules Vigil brings, which probe_configs may name besides the file's. */
  builtinModules: ReadonlyMap<string, ProbeModule>;
}

/** What a file is, from its contents (names vary too much to trust): the first key that tells. */
function classify(name: string, text: string): { kind: Kind; data: unknown; error: string | null } {
  const json = extname(name).toLowerCase() === '.json';
  let data: unknown;
  try {
    data = json ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    const what = json ? 'JSON' : 'YAML';
    return { kind: json ? 'dashboard' : 'config', data: null, error: `${name}: not valid ${what}: ${(err as Error).message.split('\n')[0]}` };
  }
  if (Array.isArray(data)) return { kind: 'file_sd', data, error: null };
  const keys = data !== null && typeof data === 'object' ? Object.keys(data) : [];
  if (json || keys.includes('panels') || keys.includes('dashboard')) return { kind: 'dashboard', data, error: null };
  if (keys.includes('tests')) return { kind: 'tests', data, error: null };
  if (keys.includes('groups')) return { kind: 'rules', data, error: null };
  if (keys.includes('modules')) return { kind: 'blackbox', data, error: null };
  return { kind: 'config', data, error: null };
}

/** Every file's kind and errors, and what applying them would run. `paths` are files on disk. */
export async function previewImport(paths: readonly string[], deps: PreviewDeps): Promise<ImportPreview> {
  const out: ImportPreview = { files: [], jobs: [], probes: [], rules: [], tests: [], dashboards: [], ok: false };
  const configs: string[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      out.files.push({ name: path, kind: 'config', errors: [`${path}: cannot read: ${(err as Error).message}`] });
      continue;
    }
    const c = classify(path, text);
    const entry = { name: path, kind: c.kind, errors: c.error === null ? [] : [c.error] };
    out.files.push(entry);
    if (c.error !== null) continue;
    switch (c.kind) {
      case 'config':
        configs.push(path);
        await previewConfig(path, entry.errors, out, deps);
        break;
      case 'blackbox':
        try {
          loadModules(path);
        } catch (err) {
          entry.errors.push(...(err as Error).message.split('\n'));
        }
        break;
      case 'rules': {
        const r = readRuleFiles([path]);
        entry.errors.push(...r.errors);
        for (const f of r.files) out.rules.push(ruleSummary(f.file, f.parsed.value.groups));
        break;
      }
      case 'tests': {
        const r = await runRuleTestFile(path);
        out.tests.push({ file: path, ok: r.ok, report: r.report });
        if (!r.ok) entry.errors.push(`${path}: promtool tests fail (see the report)`);
        break;
      }
      case 'dashboard':
        try {
          out.dashboards.push({ file: path, ...(await deps.dryRunDashboard(text)) });
        } catch (err) {
          entry.errors.push(`${path}: ${(err as Error).message}`);
        }
        break;
      case 'file_sd':
        try {
          parseGroups(c.data, path, (i) => `${path}:${i}`, {});
        } catch (err) {
          entry.errors.push((err as Error).message);
        }
        break;
    }
  }
  if (configs.length > 1) {
    for (const f of out.files) if (configs.includes(f.name)) f.errors.push(`${f.name}: more than one prometheus.yml given (${configs.map((c) => basename(c)).join(', ')}); import one`);
  }
  out.ok = out.files.every((f) => f.errors.length === 0) && out.tests.every((t) => t.ok);
  return out;
}

function ruleSummary(file: string, groups: ReadonlyArray<{ rules: readonly unknown[] }>): ImportPreview['rules'][number] {
  return { file, groups: groups.length, rules: groups.reduce((n, g) => n + g.rules.length, 0) };
}

async function previewConfig(path: string, errors: string[], out: ImportPreview, deps: PreviewDeps): Promise<void> {
  const r = await loadConfig(path);
  if (!r.ok) {
    errors.push(...r.errors.map(String));
    return;
  }
  const cfg: Config = r.config;
  const rules = readRuleFiles(cfg.rule_files);
  errors.push(...rules.errors);
  for (const f of rules.files) out.rules.push(ruleSummary(f.file, f.parsed.value.groups));

  let modules: ReadonlyMap<string, ProbeModule> = deps.builtinModules;
  if (cfg.global.blackbox_config_file !== undefined) {
    try {
      modules = new Map([...deps.builtinModules, ...loadModules(cfg.global.blackbox_config_file)]);
    } catch (err) {
      errors.push(...(err as Error).message.split('\n'));
    }
  }
  for (const p of cfg.global.probe_configs) {
    if (!modules.has(p.module)) errors.push(`${path}: global.probe_configs: job "${p.job_name}" names module "${p.module}", which no blackbox_config_file defines`);
    out.probes.push({ job: p.job_name, module: p.module, targets: [...p.targets] });
  }

  for (const sc of cfg.scrape_configs) {
    const groups: TargetGroup[] = [...staticGroups(sc.static_configs)];
    for (const fsd of sc.file_sd_configs) {
      await new FileDiscoverer(fsd, (e) => errors.push(`${path}: job "${sc.job_name}": file_sd_configs: ${e.message}`)).refresh((gs) => groups.push(...gs));
    }
    const t = buildTargets(sc, groups);
    errors.push(...t.errors.map((e) => `${path}: job "${sc.job_name}": ${e}`));
    const unrun = [sc.dns_sd_configs.length > 0 ? 'DNS' : '', sc.http_sd_configs.length > 0 ? 'HTTP' : ''].filter((s) => s !== '');
    out.jobs.push({
      job: sc.job_name,
      targets: t.active.map((a) => ({ url: a.url, labels: labelsToRecord(a.labels) })),
      dropped: t.dropped.length,
      note: unrun.length > 0 ? `${unrun.join(' and ')} service discovery runs once imported; its targets are not listed here` : null,
    });
  }
}
