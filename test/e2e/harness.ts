// End-to-end harness: starts `vigil serve` on a free port with a temporary data directory and
// drives Debian's Chromium through playwright-core. Every request the page makes is recorded so
// tests can prove nothing left 127.0.0.1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const screenshotDir = join(repoRoot, 'test-results', 'screenshots');
const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function chromiumMissingReason(): string | null {
  if (existsSync(chromiumPath)) return null;
  return `Chromium not found at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export interface ServeHandle {
  url: string;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
  /** Stops the server (SIGTERM) and leaves its data directory for a restart. */
  stopKeepingData(): Promise<void>;
}

/** Runs a `vigil` CLI command to completion; throws with its output on failure. */
function vigil(args: string[]): string {
  const r = spawnSync(process.execPath, [join(repoRoot, 'main/bin/vigil.js'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vigil ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * A data directory with a small W-offline (docs/benchmarks.md) set ending now: `series` series, one sample per 15 s
 * for the last `minutes` minutes (written with `vigil workload dump`, loaded with `vigil import`).
 */
export function dataDirWithWorkload(series = 400, minutes = 60): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const samples = (minutes * 60) / 15;
  const start = Math.floor((Date.now() - minutes * 60_000) / 15_000) * 15_000;
  const file = join(dataDir, 'workload.om');
  vigil(['workload', 'dump', '--out', file, '--series', String(series), '--samples', String(samples), '--start', String(start)]);
  vigil(['import', '--data', dataDir, file]);
  return dataDir;
}

/** A data directory holding what an OpenMetrics text (with timestamps) says, loaded with `vigil import`. */
export function dataDirWithExposition(text: string): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const file = join(dataDir, 'import.om');
  writeFileSync(file, text);
  vigil(['import', '--data', dataDir, file]);
  return dataDir;
}

export async function startServe(extraArgs: string[] = [], existingDataDir?: string): Promise<ServeHandle> {
  const dataDir = existingDataDir ?? mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const child = spawn(process.execPath, [join(repoRoot, 'main/bin/vigil.js'), 'serve', '--port', '0', '--data', dataDir, ...extraArgs], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil serve did not print its URL within 30 s:\n${out}`)), 30_000);
    const onData = () => {
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vigil serve exited with ${code}:\n${out}`));
    });
  });
  async function stopKeepingData(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
  return {
    url,
    dataDir,
    process: child,
    output: () => out,
    stopKeepingData,
    async stop() {
      await stopKeepingData();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BrowserHandle {
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
  requests: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserHandle> {
  const profile = mkdtempSync(join(tmpdir(), 'vigil-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1360, height: 860 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
  context.on('request', (req) => requests.push(req.url()));
  return {
    context,
    page,
    consoleErrors,
    requests,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Requests that went anywhere but the loopback server (data: and blob: URLs are in-page). */
export function foreignRequests(requests: string[]): string[] {
  return requests.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('blob:')) return false;
    try {
      return new URL(u).hostname !== '127.0.0.1';
    } catch {
      return true;
    }
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * For one describe block: `vigil serve` on the data directory `prepare` makes (run before start)
 * and a browser, both stopped afterwards. Read the handles inside tests.
 */
export function serveAndBrowser(prepare: () => string, extraArgs: string[] = []): { serve: ServeHandle; browser: BrowserHandle } {
  const env = {} as { serve: ServeHandle; browser: BrowserHandle };
  beforeAll(async () => {
    env.serve = await startServe(extraArgs, prepare());
    env.browser = await openBrowser();
  }, 120_000);
  afterAll(async () => {
    await env.browser?.close();
    await env.serve?.stop();
  });
  return env;
}

/** Calls a contract channel over `vigil serve`'s HTTP API from the page. */
export async function callChannel<T>(page: Page, channel: string, body: unknown): Promise<T> {
  return page.evaluate(
    async ([c, b]) => {
      const res = await fetch(`/api/vigil/${c}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
      const json = (await res.json()) as unknown;
      if (!res.ok) throw new Error(`${c}: ${JSON.stringify(json)}`);
      return json;
    },
    [channel, body] as const,
  ) as Promise<T>;
}
