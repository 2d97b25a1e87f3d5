// Peer processes for interop tests: each on a free 127.0.0.1 port with its own temp directory,
// its PID recorded, and exactly that PID killed on stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const peerBins = {
  prometheus: '/usr/bin/prometheus',
  nodeExporter: '/usr/bin/prometheus-node-exporter',
  alertmanager: '/usr/bin/prometheus-alertmanager',
} as const;

/** Why a test needing these binaries is skipped, or '' when all are installed. */
export function missingPeers(...names: Array<keyof typeof peerBins>): string {
  const missing = names.map((n) => peerBins[n]).filter((b) => !existsSync(b));
  return missing.length === 0 ? '' : `${missing.join(', ')} not installed (Debian packages prometheus, prometheus-node-exporter, prometheus-alertmanager)`;
}

export async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const addr = s.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Polls `f` until it gives a non-null value; the error names what was awaited. */
export async function until<T>(f: () => Promise<T | null> | T | null, what: string, ms = 15_000, everyMs = 100): Promise<T> {
  const end = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      const v = await f();
      if (v !== null) return v;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface Peer {
  url: string;
  pid: number;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts `bin` with `args(port, dir)` and waits for `readyPath` to answer 200. */
async function startPeer(bin: string, args: (port: number, dir: string) => string[], readyPath: string, files: Record<string, string> = {}): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-peer-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  const port = await freePort();
  const child: ChildProcess = spawn(bin, args(port, dir), { stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  child.stderr?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-8000)));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${bin} did not start`);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(pid, 'SIGTERM');
      const t = setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(async () => ((await fetch(url + readyPath)).ok ? true : null), `${bin} at ${url}${readyPath}`, 20_000, 150);
  } catch (err) {
    await stop();
    throw new Error(`${String(err)}\n${out}`);
  }
  return { url, pid, output: () => out, stop };
}

export function startNodeExporter(extraArgs: readonly string[] = []): Promise<Peer> {
  return startPeer(peerBins.nodeExporter, (port) => [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...extraArgs], '/metrics');
}

export function startPrometheus(config: string, extraArgs: readonly string[] = []): Promise<Peer> {
  return startPeer(
    peerBins.prometheus,
    (port, dir) => [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...extraArgs],
    '/-/ready',
    { 'prometheus.yml': config },
  );
}

export function startAlertmanager(config: string): Promise<Peer> {
  return startPeer(
    peerBins.alertmanager,
    (port, dir) => [`--config.file=${join(dir, 'am.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    '/-/ready',
    { 'am.yml': config },
  );
}
