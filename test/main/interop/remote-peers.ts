// Restartable processes for the remote-write interop test: each keeps its port and data
// directory across restarts (a receiver outage, a SIGKILL of Vigil) and is stopped by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, until } from './peers.js';

export class Proc {
  readonly dir = mkdtempSync(join(tmpdir(), 'vigil-rw-peer-'));
  private child: ChildProcess | null = null;
  private out = '';

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly cmd: (dir: string, port: number) => { bin: string; args: string[] },
    private readonly readyPath: string,
    files: Record<string, string> = {},
  ) {
    for (const [f, body] of Object.entries(files)) writeFileSync(join(this.dir, f), body);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  output(): string {
    return this.out;
  }

  async start(): Promise<void> {
    const { bin, args } = this.cmd(this.dir, this.port);
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (c: Buffer): void => void (this.out = (this.out + c.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await until(async () => ((await fetch(this.url + this.readyPath)).ok ? true : null), `${this.name} at ${this.url}${this.readyPath}`, 30_000, 150).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${this.out}`);
    });
  }

  /** Sends `signal` to exactly this process and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid, signal);
    const t = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, 10_000);
    await exited;
    clearTimeout(t);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const victoriaMetrics = async (): Promise<Proc> =>
  new Proc(
    'victoria-metrics',
    await freePort(),
    (dir, port) => ({
      bin: '/usr/bin/victoria-metrics',
      // Exact duplicates (a round sent again after a crash) collapse into one sample.
      args: [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dir, 'data')}`, '-dedup.minScrapeInterval=1ms', '-retentionPeriod=100y', '-loggerLevel=ERROR'],
    }),
    '/health',
  );

export const prometheusReceiver = async (config = 'global: {}\n'): Promise<Proc> =>
  new Proc(
    'prometheus',
    await freePort(),
    (dir, port) => ({
      bin: '/usr/bin/prometheus',
      args: [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--log.level=warn'],
    }),
    '/-/ready',
    { 'prometheus.yml': config },
  );

export const vigilServe = async (repoRoot: string, config: string, extra: string[] = []): Promise<Proc> =>
  new Proc(
    'vigil',
    await freePort(),
    (dir, port) => ({
      bin: process.execPath,
      args: [join(repoRoot, 'main/bin/vigil.js'), 'serve', '--port', String(port), '--data', join(dir, 'data'), '--config', join(dir, 'vigil.yml'), ...extra],
    }),
    '/-/ready',
    { 'vigil.yml': config },
  );
