import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../main/config/load.js';
import type { ScrapeConfig } from '../../../../main/config/schema.js';
import { DiscoveryManager } from '../../../../main/scrape/sd/discovery.js';
import { TargetPools } from '../../../../main/scrape/targets-pools.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-discovery-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function jobs(yaml: string): ScrapeConfig[] {
  const r = parseConfig(yaml, join(dir, 'prometheus.yml'));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return [...r.config.scrape_configs];
}

function until(pools: TargetPools, pred: () => boolean): Promise<void> {
  return new Promise((done) => {
    if (pred()) return done();
    const off = pools.onChange(() => {
      if (pred()) {
        off();
        done();
      }
    });
  });
}

describe('DiscoveryManager + TargetPools', () => {
  it('runs static and file SD per job, keeps unchanged jobs running across apply(), stops removed jobs', async () => {
    writeFileSync(join(dir, 'sd.json'), JSON.stringify([{ targets: ['f:1'], labels: { from: 'file' } }]));
    const v1 = jobs(`scrape_configs:
  - job_name: s
    static_configs: [{targets: ['s:1']}]
  - job_name: f
    file_sd_configs: [{files: [sd.json]}]
`);
    const pools = new TargetPools(v1);
    const mgr = new DiscoveryManager(pools);
    mgr.apply(v1);
    const urls = (job: string) => (pools.targets(job)?.active ?? []).map((t) => t.url);
    await until(pools, () => urls('s').length === 1 && urls('f').length === 1);
    expect(pools.targets('f')!.active[0]!.discoveredLabels.find((l) => l.name === '__meta_filepath')?.value).toBe(join(dir, 'sd.json'));

    // Reload: job s unchanged apart from its interval, job f removed.
    const v2 = jobs(`scrape_configs:
  - job_name: s
    scrape_interval: 5s
    static_configs: [{targets: ['s:1']}]
`);
    pools.setConfigs(v2);
    mgr.apply(v2);
    expect(pools.targets('f')).toBeUndefined();
    expect(pools.targets('s')!.active[0]!.interval).toBe(5_000); // rebuilt from kept groups
    mgr.stop();
    expect(pools.targets('s')!.active).toEqual([]);
  });
});
