/**
 * Benchmark: probes per second and CPU per probe for 200 HTTPS targets on a local server
 * (root → intermediate → leaf chain, verified), Vigil beside blackbox_exporter 0.23 in the same
 * run. The HTTPS server runs in a child process so neither prober is charged for it.
 *
 *   node dist/main/probe/bench/probe-bench.js [--targets 200] [--rounds 5] [--concurrency 50] [--warmup-rounds 2] [--vigil-only] [--in-process] [--floor] [--json]
 *
 * `--vigil-only` skips blackbox_exporter and the timeout checks (for `node --cpu-prof`).
 * Vigil probes on its worker-thread pool (main/probe/pool.ts), as the app does; `--in-process`
 * runs them on this thread instead, for before/after comparisons. `--floor` also measures what
 * Node itself costs per such HTTPS request with no probe logic (node-floor.ts). `--json` ends the output with
 * one line of JSON holding the figures (build/bench/probe.js reads it for `npm run bench`).
 *
 * Vigil is measured through handleProbe (probe + exposition text), blackbox through its /probe
 * endpoint; blackbox's CPU comes from /proc/<pid>/stat, Vigil's from process.cpuUsage().
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { handleProbe } from '../handler.js';
import { parseModules } from '../module-config.js';
import { probePool } from '../pool.js';
import { nodeFloor } from './node-floor.js';

const blackboxBin = '/usr/bin/prometheus-blackbox-exporter';
const clockTicks = 100; // Linux USER_HZ

function makeChain(dir: string): void {
  const ssl = (...a: string[]): void => void execFileSync('openssl', a, { cwd: dir, stdio: 'ignore' });
  const key = (n: string): void => ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${n}.key`);
  writeFileSync(join(dir, 'ext.cnf'), '[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n[leaf]\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
  key('root');
  ssl('req', '-x509', '-new', '-key', 'root.key', '-subj', '/CN=Bench Root', '-days', '30', '-out', 'root.crt');
  for (const [n, issuer, ext, subj] of [['int', 'root', 'ca', '/CN=Bench Intermediate'], ['leaf', 'int', 'leaf', '/CN=localhost']] as const) {
    key(n);
    ssl('req', '-new', '-key', `${n}.key`, '-subj', subj, '-out', `${n}.csr`);
    ssl('x509', '-req', '-in', `${n}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '20', '-extfile', 'ext.cnf', '-extensions', ext, '-out', `${n}.crt`);
  }
}

const serverScript = `
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
const dir = process.argv[2];
const s = createServer({ key: readFileSync(dir + '/leaf.key'), cert: readFileSync(dir + '/leaf.crt', 'utf8') + readFileSync(dir + '/int.crt', 'utf8') },
  (req, res) => { if (req.url === '/slow') return; res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok\\n'); });
s.on('tlsClientError', () => {});
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function procCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks; // utime, stime
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

interface Figure {
  probesPerSecond: number;
  cpuMsPerProbe: number;
  failures: number;
}

async function measure(total: number, run: () => Promise<number>, cpu: () => number): Promise<Figure> {
  const c0 = cpu();
  const t0 = performance.now();
  const failures = await run();
  const wall = (performance.now() - t0) / 1000;
  return { probesPerSecond: total / wall, cpuMsPerProbe: ((cpu() - c0) * 1000) / total, failures };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { targets: { type: 'string', default: '200' }, rounds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '50' }, 'warmup-rounds': { type: 'string', default: '2' }, 'vigil-only': { type: 'boolean', default: false }, 'in-process': { type: 'boolean', default: false }, floor: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
  const nTargets = Number(values.targets);
  const rounds = Number(values.rounds);
  const concurrency = Number(values.concurrency);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-probe-bench-'));
  const children: ChildProcess[] = [];
  // If this process dies early (Ctrl-C, a closed pipe), take the peers down with it.
  const killChildren = (): void => {
    for (const c of children) if (c.pid !== undefined && c.exitCode === null) c.kill('SIGTERM');
  };
  process.once('exit', () => {
    killChildren();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGPIPE'] as const) process.once(sig, () => process.exit(130));
  try {
    makeChain(dir);
    writeFileSync(join(dir, 'server.mjs'), serverScript);
    const server = spawn(process.execPath, [join(dir, 'server.mjs'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(server);
    const port = await new Promise<number>((resolve) => server.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    const moduleYaml = `modules:\n  https_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n      tls_config:\n        ca_file: ${join(dir, 'root.crt')}\n`;
    writeFileSync(join(dir, 'bb.yml'), moduleYaml);
    const modules = parseModules(moduleYaml, 'bb.yml');
    const threads = values['in-process'] ? undefined : probePool();
    if (!values['in-process'] && threads === undefined) throw new Error('the probe pool worker (pool-worker.js) is not built beside this file: run `npm run build:main`');
    const opts = { modules, ...(threads ? { runner: threads.run } : {}) };
    console.log(`Vigil probes ${threads ? `on a pool of up to ${threads.size} worker threads` : 'on the main thread (--in-process)'}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const figures: Record<string, unknown> = { workload: `${nTargets} HTTPS targets × ${rounds} rounds, concurrency ${concurrency}`, concurrency, vigilThreads: threads?.size ?? 0 };
    const report = (): void => {
      if (values.json) console.log(JSON.stringify({ figures: { ...figures, loadAfter: loadavg()[0] } }));
    };
    const targets = Array.from({ length: nTargets }, (_, i) => `https://127.0.0.1:${port}/t${i}`);
    const work = Array.from({ length: rounds }, () => targets).flat();
    const ok = (body: string): boolean => body.includes('\nprobe_success 1\n');

    // Warm-up, then measure: --warmup-rounds rounds of every target. V8's optimising compiler
    // works for the first ~1,000 probes of each worker thread (11 % of a 2,000-probe profile), a
    // one-off cost of a prober that runs for hours; blackbox_exporter gets the same warm-up.
    const warmup = Array.from({ length: Number(values['warmup-rounds']) }, () => targets).flat();
    await pool(warmup, concurrency, (t) => handleProbe(new URLSearchParams({ module: 'https_2xx', target: t }), {}, opts));
    const runVigil = (): Promise<Figure> =>
      measure(
        work.length,
        async () => {
          let failed = 0;
          await pool(work, concurrency, async (t) => {
            if (!ok((await handleProbe(new URLSearchParams({ module: 'https_2xx', target: t }), {}, opts)).body)) failed++;
          });
          return failed;
        },
        () => {
          const u = process.cpuUsage();
          return (u.user + u.system) / 1e6;
        },
      );
    const show = (who: string, f: Figure): void =>
      console.log(`${who}: ${f.probesPerSecond.toFixed(0)} probes/s, ${f.cpuMsPerProbe.toFixed(3)} CPU-ms/probe, ${f.failures} failed (${work.length} probes, concurrency ${concurrency})`);
    const vigil = await runVigil();
    show('Vigil            ', vigil);
    figures['vigil'] = [vigil];
    if (values.floor) {
      const ca = readFileSync(join(dir, 'root.crt'), 'utf8');
      for (const readChain of [false, true]) {
        const f = await nodeFloor(port, ca, work.length, concurrency, readChain);
        figures[readChain ? 'floorWithChain' : 'floor'] = f;
        console.log(`Node floor${readChain ? ' + chain read' : '          '}: ${f.requestsPerSecond.toFixed(0)} requests/s, ${f.cpuMsPerRequest.toFixed(3)} CPU-ms/request (TLS + GET on this thread, no probe logic)`);
      }
    }
    if (values['vigil-only']) {
      report();
      await threads?.close();
      return;
    }

    // Timeout accuracy: a server that never answers, probed with 1 s and 2 s timeouts.
    for (const timeout of [1, 2]) {
      const durations: number[] = [];
      for (let i = 0; i < 3; i++) {
        const q = new URLSearchParams({ module: 'https_2xx', target: `https://127.0.0.1:${port}/slow` });
        const body = (await handleProbe(q, { scrapeTimeoutSeconds: String(timeout + 0.5) }, opts)).body;
        durations.push(Number(/\nprobe_duration_seconds (\S+)/.exec(body)?.[1]));
      }
      const worst = Math.max(...durations.map((d) => Math.abs(d - timeout) / timeout));
      figures[`timeout${timeout}sWorstDeviation`] = worst;
      console.log(`timeout ${timeout}s: probe_duration_seconds ${durations.map((d) => d.toFixed(3)).join(', ')} (worst deviation ${(worst * 100).toFixed(1)} %)`);
    }

    if (!existsSync(blackboxBin)) {
      console.log(`blackbox_exporter: skipped (${blackboxBin} not installed)`);
      report();
      await threads?.close();
      return;
    }
    const bbPort = await freePort();
    const bb = spawn(blackboxBin, [`--config.file=${join(dir, 'bb.yml')}`, `--web.listen-address=127.0.0.1:${bbPort}`], { stdio: 'ignore' });
    children.push(bb);
    for (let i = 0; i < 100; i++) {
      if (await fetch(`http://127.0.0.1:${bbPort}/-/healthy`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const probeBb = async (t: string): Promise<boolean> => ok(await (await fetch(`http://127.0.0.1:${bbPort}/probe?module=https_2xx&target=${encodeURIComponent(t)}`)).text());
    await pool(warmup, concurrency, probeBb);
    const runBlackbox = (): Promise<Figure> =>
      measure(
        work.length,
        async () => {
          let failed = 0;
          await pool(work, concurrency, async (t) => {
            if (!(await probeBb(t))) failed++;
          });
          return failed;
        },
        () => procCpuSeconds(bb.pid!),
      );
    // Alternate (B, V, B) so load from other processes on a shared machine hits both alike.
    const black1 = await runBlackbox();
    show('blackbox_exporter', black1);
    const vigil2 = await runVigil();
    show('Vigil (again)    ', vigil2);
    const black2 = await runBlackbox();
    show('blackbox (again) ', black2);
    const best = (a: Figure, b: Figure): Figure => (a.cpuMsPerProbe <= b.cpuMsPerProbe ? a : b);
    const v = best(vigil, vigil2);
    const k = best(black1, black2);
    console.log(`ratio Vigil/blackbox (best of each): throughput ${(v.probesPerSecond / k.probesPerSecond).toFixed(2)}x, CPU per probe ${(v.cpuMsPerProbe / k.cpuMsPerProbe).toFixed(2)}x`);
    console.log('(blackbox throughput includes its HTTP round trip from this process; its CPU figure counts only the exporter process)');
    Object.assign(figures, { vigil: [vigil, vigil2], blackbox: [black1, black2], best: { vigil: v, blackbox: k } });
    report();
    await threads?.close();
  } finally {
    killChildren();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
