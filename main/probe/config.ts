/**
 * `probe_configs:` — which targets to probe with which module, how often. Parsed from YAML with
 * file:line:field errors, like the module file.
 */
import { z } from 'zod';
import { durationSchema } from './module-schema.js';
import { describeIssues, ModuleConfigError, yamlLineLocator } from './module-config.js';
import type { ProbeModule } from './module-schema.js';

const defaultProbeIntervalMs = 60_000;
const defaultProbeTimeoutMs = 10_000;

/** One `probe_configs` entry; exported so the main config loader can embed it. */
const probeConfigSchema = z.strictObject({
  job_name: z.string().min(1),
  module: z.string().min(1),
  targets: z.array(z.string().min(1)).min(1),
  scrape_interval: durationSchema.optional(),
  scrape_timeout: durationSchema.optional(),
});

const probeConfigFileSchema = z.strictObject({ probe_configs: z.array(probeConfigSchema).default([]) });

export interface ProbeConfig {
  readonly job_name: string;
  readonly module: string;
  readonly targets: readonly string[];
  /** Milliseconds. */
  readonly scrape_interval: number;
  readonly scrape_timeout: number;
}

export function parseProbeConfigs(text: string, file: string, modules: ReadonlyMap<string, ProbeModule>): ProbeConfig[] {
  const { value, errors, lineOf } = yamlLineLocator(text);
  if (errors.length > 0) throw new ModuleConfigError(file, errors.map((e) => ({ line: e.line, path: '', message: `YAML: ${e.message}` })));
  const parsed = probeConfigFileSchema.safeParse(value ?? {});
  if (!parsed.success) throw new ModuleConfigError(file, describeIssues(parsed.error.issues, lineOf));
  const problems: { line: number; path: string; message: string }[] = [];
  const names = new Set<string>();
  const out = parsed.data.probe_configs.map((c, i) => {
    const at = (field: string): { line: number; path: string } => ({ line: lineOf(['probe_configs', i, field]), path: `probe_configs.${i}.${field}` });
    if (names.has(c.job_name)) problems.push({ ...at('job_name'), message: `duplicate job_name "${c.job_name}"` });
    names.add(c.job_name);
    if (!modules.has(c.module)) problems.push({ ...at('module'), message: `unknown module "${c.module}" (known: ${[...modules.keys()].join(', ') || 'none'})` });
    const interval = c.scrape_interval ?? defaultProbeIntervalMs;
    const timeout = c.scrape_timeout ?? Math.min(defaultProbeTimeoutMs, interval);
    if (interval <= 0) problems.push({ ...at('scrape_interval'), message: 'must be greater than 0' });
    if (timeout > interval) problems.push({ ...at('scrape_timeout'), message: `scrape_timeout (${timeout} ms) is greater than scrape_interval (${interval} ms)` });
    return { job_name: c.job_name, module: c.module, targets: c.targets, scrape_interval: interval, scrape_timeout: timeout };
  });
  if (problems.length > 0) throw new ModuleConfigError(file, problems);
  return out;
}
