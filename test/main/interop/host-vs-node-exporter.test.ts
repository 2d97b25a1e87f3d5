// Differential test: Vigil's host collector beside Debian's prometheus-node-exporter on this
// machine, the same collectors on both. Same metric names, HELP, TYPE and label sets; values
// within a tolerance that fits each metric: counters read by Vigil between two node_exporter
// reads (monotonic), gauges close, info metrics equal. No timing assertions.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createParser } from '../../../main/scrape/parse/parser.js';
import { labelsToRecord } from '../../../main/tsdb/labels.js';
import { startMetricsServer } from '../../../main/api/metrics-server.js';
import { MetricsRegistry } from '../../../main/util/metrics.js';
import { defaultHostOptionText, HostCollector, hostOptions } from '../../../main/host/host-collector.js';
import { missingPeers, startNodeExporter, type Peer } from './peers.js';

const skip = process.platform !== 'linux' ? 'Linux only' : missingPeers('nodeExporter');
const collectors = ['cpu', 'meminfo', 'loadavg', 'filesystem', 'diskstats', 'netdev', 'uname', 'stat', 'time', 'os', 'hwmon', 'powersupplyclass', 'vmstat'];
// Debian's package excludes lo from netdev by default; Vigil keeps node_exporter upstream's
// default (none). Both sides are given the same filters explicitly.
const netdevExclude = '^lo$';

interface Family {
  help: string;
  type: string;
  series: Map<string, number>;
}

function parse(text: string): Map<string, Family> {
  const p = createParser(new TextEncoder().encode(text), 'text/plain; version=0.0.4');
  const out = new Map<string, Family>();
  const fam = (name: string): Family => {
    let f = out.get(name);
    if (!f) out.set(name, (f = { help: '', type: 'untyped', series: new Map() }));
    return f;
  };
  for (let k = p.next(); k !== 'eof'; k = p.next()) {
    if (k === 'help') fam(p.help().name).help = p.help().text;
    else if (k === 'type') fam(p.metricType().name).type = p.metricType().type;
    else if (k === 'series') {
      const l = labelsToRecord(p.labels());
      const name = l['__name__']!;
      delete l['__name__'];
      fam(name).series.set(JSON.stringify(Object.entries(l).sort()), p.value());
    }
  }
  // The exporter's own process and build figures are not host metrics.
  for (const n of [...out.keys()]) if (/^(go_|process_|promhttp_|node_exporter_build_info)/.test(n)) out.delete(n);
  return out;
}

/** How far a gauge may move between two reads a few milliseconds apart. */
function gaugeTolerance(name: string, v: number): number {
  if (name.startsWith('node_memory_')) return Math.max(256 * 2 ** 20, Math.abs(v) * 0.05);
  if (/^node_filesystem_(avail|free)_bytes$/.test(name)) return 1 * 2 ** 30;
  if (name === 'node_filesystem_files_free') return 100_000;
  if (/^node_load/.test(name)) return 2;
  if (/^node_procs_/.test(name) || name === 'node_disk_io_now') return 64;
  if (name === 'node_time_seconds' || name === 'node_boot_time_seconds') return 1;
  return 0; // info metrics, sizes, flags, offsets, versions: equal
}

describe.skipIf(skip !== '')(`host collector vs prometheus-node-exporter${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let exporter: Peer | null = null;
  let ours: { address: string; close(): Promise<void> } | null = null;

  beforeAll(async () => {
    exporter = await startNodeExporter([
      '--collector.disable-defaults',
      ...collectors.map((c) => `--collector.${c}`),
      `--collector.filesystem.mount-points-exclude=${defaultHostOptionText.mountPointsExclude}`,
      `--collector.filesystem.fs-types-exclude=${defaultHostOptionText.fsTypesExclude}`,
      `--collector.netdev.device-exclude=${netdevExclude}`,
    ]);
    ours = await startMetricsServer(new MetricsRegistry(), new HostCollector({ options: hostOptions({ netdevDeviceExclude: netdevExclude }) }));
  }, 30_000);

  afterAll(async () => {
    await ours?.close();
    await exporter?.stop();
  });

  it('has the same families, label sets and close values', async () => {
    const get = async (url: string) => {
      const r = await fetch(url);
      expect(r.status).toBe(200);
      return parse(await r.text());
    };
    const a = await get(`${exporter!.url}/metrics`);
    const b = await get(`http://${ours!.address}/host/metrics`);
    const c = await get(`${exporter!.url}/metrics`);

    // Names, then HELP/TYPE, then label sets.
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect(a.size).toBeGreaterThan(40);
    const problems: string[] = [];
    for (const [name, fa] of a) {
      const fb = b.get(name)!;
      const fc = c.get(name) ?? fa;
      if (fb.help !== fa.help) problems.push(`${name}: HELP ${JSON.stringify(fb.help)} ≠ node_exporter's ${JSON.stringify(fa.help)}`);
      if (fb.type !== fa.type) problems.push(`${name}: TYPE ${fb.type} ≠ node_exporter's ${fa.type}`);
      const la = [...fa.series.keys()].sort();
      const lb = [...fb.series.keys()].sort();
      if (JSON.stringify(la) !== JSON.stringify(lb)) {
        problems.push(`${name}: label sets differ: only node_exporter ${la.filter((k) => !fb.series.has(k)).join(' ')}; only Vigil ${lb.filter((k) => !fa.series.has(k)).join(' ')}`);
        continue;
      }
      if (name === 'node_scrape_collector_duration_seconds') continue; // a duration, not a host figure
      for (const key of la) {
        const va = fa.series.get(key)!;
        const vb = fb.series.get(key)!;
        const vc = fc.series.get(key) ?? va;
        const lo = Math.min(va, vc);
        const hi = Math.max(va, vc);
        if (fa.type === 'counter' || name.startsWith('node_vmstat_')) {
          // (node_exporter prints vmstat fields untyped; the default ones are all event counts.)
          // Read between two node_exporter reads of a counter: within them (float rounding aside).
          // The kernel's idle and iowait accounting may step back a tick on tickless kernels (a known
          // /proc/stat quirk node_exporter also warns about): allow 0.1 s there.
          const eps = 1e-9 * Math.abs(hi) + (name.startsWith('node_cpu_') ? 0.1 : 1e-6);
          if (vb < lo - eps || vb > hi + eps) problems.push(`${name}${key}: counter ${vb} not within node_exporter's reads ${va} … ${vc}`);
        } else {
          const tol = gaugeTolerance(name, hi);
          if (vb < lo - tol || vb > hi + tol) problems.push(`${name}${key}: ${vb} not within ${tol} of node_exporter's ${va} … ${vc}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // The comparison covered the collectors that matter, not an empty page.
    for (const n of ['node_cpu_seconds_total', 'node_memory_MemAvailable_bytes', 'node_filesystem_avail_bytes', 'node_disk_read_bytes_total', 'node_network_receive_bytes_total', 'node_uname_info', 'node_os_info', 'node_boot_time_seconds', 'node_load1', 'node_time_seconds']) {
      expect(b.has(n), n).toBe(true);
    }
  });
});
