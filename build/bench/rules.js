// npm run bench:rules — 1,000 rules (recording and alerting, 10 groups of 100) over 100k series
// (W-fleet (docs/benchmarks.md) mix, the last 10 minutes at 15 s imported with `vigil import`), evaluated by
// `vigil serve` every 15 s. Prints the evaluation time of one full interval (all groups) against
// the 15 s budget and the main thread's event-loop lag p99 while they run. No peer measured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { machine } from './peers.js';
import { startVigilServe, vigilBin } from './vigil-system.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-rules-'));
const data = join(dir, 'data');
const step = 15_000;
const samples = 40;
const start = Math.floor((Date.now() - samples * step) / step) * step;
const dump = join(dir, 'fleet.om');
for (const args of [
  ['workload', 'dump', '--out', dump, '--series', '100000', '--samples', String(samples), '--start', String(start)],
  ['import', '--data', data, dump],
]) {
  const r = spawnSync(process.execPath, [vigilBin, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`vigil ${args[0]}: ${r.stderr}`);
}

// 1,000 rules: per target (50 of them) 20 rules of five shapes.
const shapes = [
  (i) => ({ record: `instance:http_requests:rate1m_${i}`, expr: `sum by (handler) (rate(http_requests_total{instance="host-${i % 50}:9100"}[1m]))` }),
  (i) => ({ alert: `HighErrorRate${i}`, expr: `sum(rate(http_requests_total{instance="host-${i % 50}:9100",code=~"5.."}[1m])) / sum(rate(http_requests_total{instance="host-${i % 50}:9100"}[1m])) > 0.5`, for: '1m', labels: { severity: 'warning' }, annotations: { summary: 'errors on {{ $labels.instance }}: {{ $value | humanizePercentage }}' } }),
  (i) => ({ record: `instance:latency:p99_${i}`, expr: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{instance="host-${i % 50}:9100"}[1m])))` }),
  (i) => ({ alert: `QueueDeep${i}`, expr: `max(queue_depth{instance="host-${i % 50}:9100"}) > 900`, for: '2m', labels: { severity: 'critical' }, annotations: { summary: 'queue {{ $value }}' } }),
  (i) => ({ record: `mesh:success:ratio_${i}`, expr: `sum by (deployment) (rate(response_total{instance="host-${i % 50}:9100",classification="success"}[1m])) / sum by (deployment) (rate(response_total{instance="host-${i % 50}:9100"}[1m]))` }),
];
const yaml = (v, indent = '') =>
  Object.entries(v)
    .map(([k, x]) => (typeof x === 'object' ? `${indent}${k}:\n${yaml(x, indent + '  ')}` : `${indent}${k}: ${JSON.stringify(x)}`))
    .join('\n');
let text = 'groups:\n';
for (let g = 0; g < 10; g++) {
  text += `  - name: bench-${g}\n    interval: 15s\n    rules:\n`;
  for (let r = 0; r < 100; r++) {
    const i = g * 100 + r;
    const rule = shapes[i % shapes.length](i);
    text += '      - ' + yaml(rule, '        ').trimStart() + '\n';
  }
}
writeFileSync(join(dir, 'rules.yml'), text);
writeFileSync(join(dir, 'vigil.yml'), `global:\n  evaluation_interval: 15s\n  scrape_interval: 15s\nrule_files: [rules.yml]\nscrape_configs: []\n`);

const serve = await startVigilServe(data, ['--config', join(dir, 'vigil.yml')]);
try {
  // Let every group evaluate at least twice.
  await new Promise((r) => setTimeout(r, 40_000));
  const rules = await (await fetch(`${serve.url}/api/v1/rules`)).json();
  const groups = rules.data.groups;
  const total = groups.reduce((n, g) => n + g.evaluationTime, 0);
  const ruleCount = groups.reduce((n, g) => n + g.rules.length, 0);
  const errors = groups.flatMap((g) => g.rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`));
  const metrics = await (await fetch(`${serve.url}/metrics`)).text();
  const lag = Number(/vigil_event_loop_lag_seconds\{quantile="0.99"\} (\S+)/.exec(metrics)?.[1] ?? NaN);
  const lagMax = Number(/vigil_event_loop_lag_seconds\{quantile="1"\} (\S+)/.exec(metrics)?.[1] ?? NaN);
  console.log(`# Vigil rules benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${JSON.stringify(machine())}`);
  console.log('\n| figure | Vigil | target |');
  console.log('|---|---|---|');
  console.log(`| rules evaluated (10 groups) | ${ruleCount} (${errors.length} unhealthy) | 1,000 |`);
  console.log(`| evaluation time of one interval, all groups, s | ${total.toFixed(2)} | < 15 |`);
  console.log(`| slowest group, s | ${Math.max(...groups.map((g) => g.evaluationTime)).toFixed(2)} | — |`);
  console.log(`| event-loop lag p99 since start, ms | ${(lag * 1000).toFixed(1)} (max ${(lagMax * 1000).toFixed(0)}) | < 100 |`);
  if (errors.length > 0) console.log(`\nfirst unhealthy rules:\n${errors.slice(0, 5).join('\n')}`);
} finally {
  await serve.stop();
  rmSync(dir, { recursive: true, force: true });
}
