// Peer systems for side-by-side benchmarks: start Prometheus 2.42, VictoriaMetrics 1.79,
// node-exporter or blackbox_exporter on free 127.0.0.1 ports with temporary data directories,
// record each PID, and kill exactly those PIDs on stop or exit. A missing binary gives null so a
// benchmark can print "skipped: <peer> not installed".
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem, tmpdir, release } from 'node:os';
import { join } from 'node:path';

export const binaries = {
  prometheus: '/usr/bin/prometheus',
  promtool: '/usr/bin/promtool',
  victoriaMetrics: '/usr/bin/victoria-metrics',
  nodeExporter: '/usr/bin/prometheus-node-exporter',
  blackbox: '/usr/bin/prometheus-blackbox-exporter',
};

const running = new Set();
function killAll() {
  for (const child of running) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  running.clear();
}
process.once('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { killAll(); process.exit(130); });

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function installed(name) {
  return existsSync(binaries[name]);
}

async function waitReady(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let lastErr = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      lastErr = `HTTP ${res.status}`;
    } catch (err) {
      lastErr = String(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${lastErr}`);
}

function launch(bin, args, name) {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr = (stderr + c).slice(-4000); });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return {
    name,
    pid: child.pid,
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(child.pid, 'SIGTERM');
      const t = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Prometheus with a config file body; `dataDir` optional (e.g. backfilled blocks). */
export async function startPrometheus({ config = 'global: {}\n', dataDir, extraArgs = [] } = {}) {
  if (!installed('prometheus')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'bench-prom-'));
  const cfg = join(dir, 'prometheus.yml');
  writeFileSync(cfg, config);
  const port = await freePort();
  const data = dataDir ?? join(dir, 'data');
  const p = launch(binaries.prometheus, [
    `--config.file=${cfg}`,
    `--storage.tsdb.path=${data}`,
    `--storage.tsdb.retention.time=100y`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
    ...extraArgs,
  ], 'prometheus');
  await waitReady(`http://127.0.0.1:${port}/-/ready`);
  return { ...p, url: `http://127.0.0.1:${port}`, dataDir: data, async stop() { await p.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

export async function startVictoriaMetrics({ extraArgs = [] } = {}) {
  if (!installed('victoriaMetrics')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'bench-vm-'));
  const port = await freePort();
  const p = launch(binaries.victoriaMetrics, [
    `-storageDataPath=${dir}`,
    `-httpListenAddr=127.0.0.1:${port}`,
    '-retentionPeriod=100y',
    '-loggerLevel=ERROR',
    ...extraArgs,
  ], 'victoria-metrics');
  await waitReady(`http://127.0.0.1:${port}/health`);
  return {
    ...p,
    url: `http://127.0.0.1:${port}`,
    dataDir: dir,
    async stop() {
      await p.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    /** Stops the process (it flushes on SIGTERM) but keeps the data for measuring. */
    async stopKeepData() {
      await p.stop();
    },
    removeData() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** node_exporter on a free port with `extraArgs` (collector flags); null when not installed. */
export async function startNodeExporter({ extraArgs = [] } = {}) {
  if (!installed('nodeExporter')) return null;
  const port = await freePort();
  const p = launch(binaries.nodeExporter, [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...extraArgs], 'node-exporter');
  await waitReady(`http://127.0.0.1:${port}/metrics`);
  return { ...p, url: `http://127.0.0.1:${port}` };
}

/** CPU seconds (user + system) and resident bytes of a PID, from /proc. */
export function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = 100; // USER_HZ on Linux
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / ticks;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuSeconds, rssBytes: rssKb * 1024 };
}

export function duBytes(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const entry of readdirSync(path)) total += duBytes(join(path, entry));
  return total;
}

export function machine() {
  let node = process.version;
  let kernel = release();
  const cpu = cpus()[0]?.model ?? 'unknown';
  return { cpu, cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), kernel, node };
}

export function versionOf(bin) {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0];
  } catch (err) {
    return String(err.stderr ?? '').split('\n')[0] || 'unknown';
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A table printer: rows of [figure, vigil, prometheus, vm] with ratios. */
export function printTable(title, rows, columns = ['Vigil', 'Prometheus 2.42', 'VictoriaMetrics 1.79'], ratios = ['Vigil/Prom', 'Vigil/VM']) {
  const fmt = (v) => (v === null || v === undefined ? 'skipped' : typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)) : String(v));
  const header = ['figure', ...columns, ...ratios];
  const lines = rows.map(([name, ...vals]) => {
    const [v, p, m] = vals;
    const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b !== 0 ? (a / b).toFixed(2) + '×' : '—');
    return [name, ...vals.map(fmt), ratio(v, p), ratio(v, m)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const row = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  console.log(`\n### ${title}\n`);
  console.log(row(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const l of lines) console.log(row(l));
}
