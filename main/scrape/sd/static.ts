/** static_configs: one group per entry, sent once. */
import type { StaticConfig } from '../../config/schema-sd.js';
import type { Discoverer, TargetGroup } from './discoverer.js';

export function staticGroups(configs: readonly StaticConfig[]): TargetGroup[] {
  return configs.map((c, i) => ({
    source: String(i),
    targets: c.targets.map((t) => ({ __address__: t })),
    labels: c.labels,
  }));
}

export class StaticDiscoverer implements Discoverer {
  constructor(private readonly configs: readonly StaticConfig[]) {}

  async run(_signal: AbortSignal, send: (groups: readonly TargetGroup[]) => void): Promise<void> {
    send(staticGroups(this.configs));
  }
}
