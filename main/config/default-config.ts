/**
 * The config Vigil runs with when the user has none: scrape Vigil's own /metrics and this
 * machine (the in-process host collector at /host/metrics, job "node") so the first launch
 * already has data, and load the shipped default rules. `{{self}}` is replaced with the serve
 * address (host:port).
 */
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';

const selfPlaceholder = '{{self}}';

/** Vigil's default rules (disk filling, memory pressure, ingestion paused or lagging, certificates expiring); tests beside it. */
export const shippedRulesFile = fileURLToPath(new URL('../rules/shipped/vigil-defaults.rules.yml', import.meta.url));

// YAML accepts JSON strings, so JSON.stringify quotes a path or host name safely.
const defaultConfigTemplate = `# Vigil's built-in config (Prometheus prometheus.yml format).
global:
  scrape_interval: 15s
  evaluation_interval: 15s

rule_files:
  - ${JSON.stringify(shippedRulesFile)}

scrape_configs:
  - job_name: vigil
    static_configs:
      - targets: ['${selfPlaceholder}']
  # This machine, with node_exporter's metric names. The instance is the host name, so its
  # series stay the same when the desktop app's loopback port changes between launches.
  - job_name: node
    metrics_path: /host/metrics
    static_configs:
      - targets: ['${selfPlaceholder}']
        labels:
          instance: {{hostname}}
`;

/** The default config text for a Vigil serving on `selfAddress` (e.g. "127.0.0.1:9464"). */
export function defaultConfigText(selfAddress: string, host = hostname()): string {
  return defaultConfigTemplate.replaceAll(selfPlaceholder, selfAddress).replace('{{hostname}}', JSON.stringify(host));
}
