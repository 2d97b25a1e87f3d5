// W-fleet for the benchmarks: `vigil workload serve` as a child process, its targets, a scrape
// config for them, and one metric read from a /metrics page.
import { spawn } from 'node:child_process';
import { freePort } from './peers.js';
import { vigilBin } from './vigil-system.js';

/** Sum of a metric's samples on a /metrics page (filtered by their label text), or null. */
export async function metricValue(url, name, labelFilter = () => true) {
  const text = await (await fetch(url)).text();
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (!labelFilter(rest)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    found = true;
  }
  return found ? sum : null;
}

/** `targets` × `seriesPerTarget` W-fleet targets on 127.0.0.1; stop with child.kill(). */
export async function startFleet(targets, seriesPerTarget) {
  const basePort = await freePort();
  const child = spawn(process.execPath, [vigilBin, 'workload', 'serve', '--targets', String(targets), '--series', String(seriesPerTarget), '--base-port', String(basePort)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`workload serve exited ${code}`)));
  });
  const groups = JSON.parse(line);
  return { child, addresses: groups[0].targets };
}

/** A scrape config for the fleet (job `fleet`). */
export function fleetConfig(addresses, interval) {
  return `global:\n  scrape_interval: ${interval}\n  scrape_timeout: ${interval === '1s' ? '1s' : '4s'}\nscrape_configs:\n  - job_name: fleet\n    static_configs:\n      - targets: [${addresses.map((a) => `'${a}'`).join(', ')}]\n`;
}
