/**
 * What the first-launch settings do to the running config: drop the built-in `vigil` / `node`
 * jobs when switched off, add the demo fleet and mesh jobs while their servers run, and add the
 * websites as a probe job. The additions are generated as prometheus.yml text and parsed by the
 * one config loader, so they get exactly the defaults and checks of a hand-written job.
 */
import type { SetupSettings, Setup } from '../../app/api/setup.js';
import { parseConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { websiteJob, websiteModuleName } from './website.js';
import { describeBinding, onNetwork, type NetworkFacts } from '../network/facts.js';

const selfJob = 'vigil';
const hostJob = 'node';
const demoFleetJob = 'demo-fleet';
const demoMeshJob = 'demo-mesh';

/** Addresses (host:port) of the demo servers now running; null: not running. */
export interface DemoAddresses {
  fleet: readonly string[] | null;
  mesh: string | null;
}

export interface OverlayResult {
  config: Config;
  jobs: Setup['jobs'];
  problems: string[];
}

const q = (s: string) => JSON.stringify(s);

/**
 * The running config for `cfg` under the settings. `builtIn`: `cfg` is Vigil's built-in config
 * (no config file), the only case where the self and host toggles remove jobs.
 */
export function overlayConfig(cfg: Config, settings: SetupSettings, builtIn: boolean, demos: DemoAddresses): OverlayResult {
  const jobs: Setup['jobs'] = [];
  const problems: string[] = [];
  const drop = new Set<string>();
  if (builtIn) {
    for (const [toggle, job, on] of [['self', selfJob, settings.self], ['host', hostJob, settings.host]] as const) {
      if (on) jobs.push({ toggle, job });
      else drop.add(job);
    }
  }
  const taken = new Set(cfg.scrape_configs.map((c) => c.job_name));
  const takenProbes = new Set(cfg.global.probe_configs.map((c) => c.job_name));
  const free = (job: string, names: ReadonlySet<string>): boolean => {
    if (!names.has(job)) return true;
    problems.push(`the config already has a job named "${job}"; rename it to use the ${job} toggle`);
    return false;
  };
  const lines: string[] = ['scrape_configs:'];
  if (settings.demoFleet && demos.fleet !== null && free(demoFleetJob, taken)) {
    jobs.push({ toggle: 'demoFleet', job: demoFleetJob });
    lines.push(`  - job_name: ${q(demoFleetJob)}`, '    scrape_interval: 15s', '    static_configs:');
    // Instances named for the simulated host, so series stay the same when the ports change.
    demos.fleet.forEach((address, i) => lines.push(`      - targets: [${q(address)}]`, `        labels: {instance: ${q(`demo-host-${String(i + 1).padStart(2, '0')}`)}}`));
  }
  if (settings.demoMesh && demos.mesh !== null && free(demoMeshJob, taken)) {
    jobs.push({ toggle: 'demoMesh', job: demoMeshJob });
    lines.push(`  - job_name: ${q(demoMeshJob)}`, '    scrape_interval: 15s', '    static_configs:', `      - targets: [${q(demos.mesh)}]`, `        labels: {instance: "demo-mesh"}`);
  }
  if (lines.length === 1) lines[0] = 'scrape_configs: []';
  if (settings.websites.length > 0 && free(websiteJob, takenProbes)) {
    jobs.push({ toggle: 'websites', job: websiteJob });
    lines.push('global:', '  probe_configs:', `    - job_name: ${q(websiteJob)}`, `      module: ${websiteModuleName}`, '      scrape_interval: 1m');
    lines.push(`      targets: [${settings.websites.map((w) => q(w.url)).join(', ')}]`);
  }
  const extra = parseConfig(lines.join('\n') + '\n', '<Vigil setup settings>');
  // The text is generated from checked values; a failure here is a bug, reported rather than thrown.
  if (!extra.ok) return { config: withoutJobs(cfg, drop), jobs: [], problems: [...problems, ...extra.errors.map(String)] };
  const base = withoutJobs(cfg, drop);
  const blackbox = base.global.blackbox_config_file ?? settings.blackboxFile ?? undefined;
  return {
    config: {
      ...base,
      scrape_configs: [...base.scrape_configs, ...extra.config.scrape_configs],
      rule_files: [...base.rule_files, ...settings.ruleFiles.filter((f) => !base.rule_files.includes(f))],
      global: {
        ...base.global,
        ...(blackbox !== undefined ? { blackbox_config_file: blackbox } : {}),
        probe_configs: [...base.global.probe_configs, ...extra.config.global.probe_configs],
      },
    },
    jobs,
    problems,
  };
}

function withoutJobs(cfg: Config, drop: ReadonlySet<string>): Config {
  return drop.size === 0 ? cfg : { ...cfg, scrape_configs: cfg.scrape_configs.filter((c) => !drop.has(c.job_name)) };
}

/**
 * Drops the scrape and probe jobs bound (`vigil_network`) to a network this machine is not on;
 * `facts` null (the network cannot be told) keeps every job.
 */
export function withoutAwayJobs(cfg: Config, facts: NetworkFacts | null): { config: Config; away: Setup['away'] } {
  if (facts === null) return { config: cfg, away: [] };
  const away: Setup['away'] = [];
  const here = <T extends { job_name: string; vigil_network?: Parameters<typeof onNetwork>[0] | undefined }>(c: T): boolean => {
    if (c.vigil_network === undefined || onNetwork(c.vigil_network, facts)) return true;
    away.push({ job: c.job_name, network: describeBinding(c.vigil_network) });
    return false;
  };
  const scrape_configs = cfg.scrape_configs.filter(here);
  const probe_configs = cfg.global.probe_configs.filter(here);
  return away.length === 0 ? { config: cfg, away } : { config: { ...cfg, scrape_configs, global: { ...cfg.global, probe_configs } }, away };
}
