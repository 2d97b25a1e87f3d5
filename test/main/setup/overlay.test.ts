import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/config/load.js';
import type { Config } from '../../../main/config/schema.js';
import { defaultConfigText } from '../../../main/config/default-config.js';
import { overlayConfig } from '../../../main/setup/overlay.js';
import { defaultSetupSettings } from '../../../main/setup/settings.js';

function config(text: string): Config {
  const r = parseConfig(text, 'prometheus.yml');
  if (!r.ok) throw new Error(r.errors.map(String).join('\n'));
  return r.config;
}

const builtIn = config(defaultConfigText('127.0.0.1:9', 'laptop'));
const none = { fleet: null, mesh: null };

describe('the first-launch settings over the running config', () => {
  it('keeps the built-in config as it is with the default settings', () => {
    const r = overlayConfig(builtIn, defaultSetupSettings, true, none);
    expect(r.config.scrape_configs.map((c) => c.job_name)).toEqual(['vigil', 'node']);
    expect(r.jobs).toEqual([{ toggle: 'self', job: 'vigil' }, { toggle: 'host', job: 'node' }]);
    expect(r.config.global.probe_configs).toEqual([]);
    expect(r.problems).toEqual([]);
  });

  it('drops the built-in jobs switched off, but never a job of the user’s own config', () => {
    const off = { ...defaultSetupSettings, self: false, host: false };
    expect(overlayConfig(builtIn, off, true, none).config.scrape_configs).toEqual([]);
    const own = config('scrape_configs:\n  - job_name: node\n    static_configs: [{targets: ["h:9100"]}]\n');
    const r = overlayConfig(own, off, false, none);
    expect(r.config.scrape_configs.map((c) => c.job_name)).toEqual(['node']);
    expect(r.jobs).toEqual([]);
  });

  it('adds the demo jobs while their servers run, with instances that do not depend on the ports', () => {
    const on = { ...defaultSetupSettings, demoFleet: true, demoMesh: true };
    // Switched on but the servers are not (yet) running: nothing to scrape.
    expect(overlayConfig(builtIn, on, true, none).config.scrape_configs.map((c) => c.job_name)).toEqual(['vigil', 'node']);
    const r = overlayConfig(builtIn, on, true, { fleet: ['127.0.0.1:4001', '127.0.0.1:4002'], mesh: '127.0.0.1:4100' });
    expect(r.config.scrape_configs.map((c) => c.job_name)).toEqual(['vigil', 'node', 'demo-fleet', 'demo-mesh']);
    const fleet = r.config.scrape_configs[2]!;
    expect(fleet.scrape_interval).toBe(15_000);
    expect(fleet.static_configs.map((g) => [g.targets, g.labels['instance']])).toEqual([
      [['127.0.0.1:4001'], 'demo-host-01'],
      [['127.0.0.1:4002'], 'demo-host-02'],
    ]);
    expect(r.jobs.map((j) => j.toggle)).toEqual(['self', 'host', 'demoFleet', 'demoMesh']);
    // The loaded config object itself is left alone.
    expect(builtIn.scrape_configs).toHaveLength(2);
  });

  it('adds the websites as one probe job of the built-in module, after the config’s own probes', () => {
    const own = config('global:\n  blackbox_config_file: /x/blackbox.yml\n  probe_configs:\n    - job_name: api\n      module: http_2xx\n      targets: ["https://api.example"]\n');
    const settings = { ...defaultSetupSettings, websites: [{ url: 'https://a.example/', name: 'A' }, { url: 'https://b.example/"quoted"', name: '' }] };
    const r = overlayConfig(own, settings, false, none);
    expect(r.config.global.probe_configs.map((p) => [p.job_name, p.module, p.targets, p.scrape_interval])).toEqual([
      ['api', 'http_2xx', ['https://api.example'], 60_000],
      ['websites', 'vigil_website', ['https://a.example/', 'https://b.example/"quoted"'], 60_000],
    ]);
    expect(r.config.global.blackbox_config_file).toBe('/x/blackbox.yml');
  });

  it('says so, and adds nothing, when the config already uses a job name', () => {
    const own = config('scrape_configs:\n  - job_name: demo-fleet\n    static_configs: [{targets: ["h:1"]}]\n');
    const r = overlayConfig(own, { ...defaultSetupSettings, demoFleet: true }, false, { fleet: ['127.0.0.1:1'], mesh: null });
    expect(r.config.scrape_configs).toHaveLength(1);
    expect(r.problems).toEqual(['the config already has a job named "demo-fleet"; rename it to use the demo-fleet toggle']);
  });
});
