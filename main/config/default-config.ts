/**
 * The config Vigil runs with when the user has none: scrape Vigil's own /metrics so the first
 * launch already has data. `{{self}}` is replaced with the serve address (host:port).
 */
const selfPlaceholder = '{{self}}';

const defaultConfigTemplate = `# Vigil's built-in config (Prometheus prometheus.yml format).
global:
  scrape_interval: 15s
  evaluation_interval: 15s

scrape_configs:
  - job_name: vigil
    static_configs:
      - targets: ['${selfPlaceholder}']
`;

/** The default config text for a Vigil serving on `selfAddress` (e.g. "127.0.0.1:9464"). */
export function defaultConfigText(selfAddress: string): string {
  return defaultConfigTemplate.replaceAll(selfPlaceholder, selfAddress);
}
