// bench:host — CPU per collection of Vigil's in-process host collector beside Debian's
// prometheus-node-exporter, the same collectors and filters on both, each scraped the same number
// of times over HTTP in one run (interleaved). CPU is user + system of each process from /proc.
//   node build/bench/host.js [--scrapes 300]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { machine, median, procStats, startNodeExporter, versionOf, binaries } from './peers.js';
import { defaultHostOptionText } from '../../dist/main/host/host-collector.js';

const { values } = parseArgs({ options: { scrapes: { type: 'string', default: '300' } } });
const scrapes = Number(values.scrapes);
const collectors = ['cpu', 'meminfo', 'loadavg', 'filesystem', 'diskstats', 'netdev', 'uname', 'stat', 'time', 'os', 'hwmon', 'powersupplyclass', 'vmstat'];
const netdevExclude = '^lo$';

const m = machine();
console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, kernel ${m.kernel}, node ${m.node}`);

const exporter = await startNodeExporter({
  extraArgs: [
    '--collector.disable-defaults',
    ...collectors.map((c) => `--collector.${c}`),
    `--collector.filesystem.mount-points-exclude=${defaultHostOptionText.mountPointsExclude}`,
    `--collector.filesystem.fs-types-exclude=${defaultHostOptionText.fsTypesExclude}`,
    `--collector.netdev.device-exclude=${netdevExclude}`,
  ],
});
if (exporter === null) {
  console.log('skipped: prometheus-node-exporter not installed');
  process.exit(0);
}
console.log(`peer: ${versionOf(binaries.nodeExporter)}`);

const child = spawn(process.execPath, [new URL('./host-target.js', import.meta.url).pathname, netdevExclude], { stdio: ['ignore', 'pipe', 'inherit'] });
const address = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
    const line = out.split('\n')[0];
    if (out.includes('\n')) resolve(line.trim());
  });
  child.once('exit', (code) => reject(new Error(`host target exited with ${code}`)));
});

const sides = [
  { name: 'Vigil host collector', pid: child.pid, url: `http://${address}/host/metrics` },
  { name: 'node_exporter 1.5', pid: exporter.pid, url: `${exporter.url}/metrics` },
];
try {
  // Warm up both (JIT, page cache), then measure.
  for (let i = 0; i < 20; i++) for (const s of sides) await (await fetch(s.url)).text();
  for (const s of sides) {
    s.cpu0 = procStats(s.pid).cpuSeconds;
    s.ms = [];
    s.bytes = 0;
  }
  for (let i = 0; i < scrapes; i++) {
    for (const s of sides) {
      const t0 = performance.now();
      const body = await (await fetch(s.url)).text();
      s.ms.push(performance.now() - t0);
      s.bytes = body.length;
    }
  }
  console.log(`\n${scrapes} scrapes each, interleaved, same collectors (${collectors.join(', ')})`);
  console.log('| | CPU ms per collection | scrape latency p50 ms | page bytes | resident MiB |');
  console.log('|---|---|---|---|---|');
  for (const s of sides) {
    const st = procStats(s.pid);
    const cpuMs = ((st.cpuSeconds - s.cpu0) / scrapes) * 1000;
    console.log(`| ${s.name} | ${cpuMs.toFixed(2)} | ${median(s.ms).toFixed(2)} | ${s.bytes} | ${(st.rssBytes / 2 ** 20).toFixed(0)} |`);
  }
  console.log('\nVigil\'s figure is the whole child process (HTTP server included), node_exporter\'s its process (Go runtime included); in the app the collector shares Vigil\'s process, so its real cost is the CPU figure without a second runtime\'s idle.');
} finally {
  child.kill('SIGTERM');
  await exporter.stop();
}
