/**
 * The probe pool (main/probe/pool.ts): probes run on worker threads must give the results the
 * same probes give on the main thread — TLS chain figures, regexp checks and logs included — and
 * timeouts, aborts and a dead worker must each end in a failed result, never a hang or a throw.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { runProbe } from '../../../main/probe/runner.js';
import { ProbePool } from '../../../main/probe/pool.js';
import { moduleFromWire, moduleToWire } from '../../../main/probe/pool-protocol.js';
import type { ProbeResult } from '../../../main/probe/types.js';
import { tempDir } from '../helpers.js';
import { makePki, type Pki } from './fixtures-pki.js';
import { httpsServer, type Closable } from './fixtures-servers.js';
import { logText, moduleFrom, sample } from './helpers.js';

const opensslMissing = spawnSync('openssl', ['version']).status !== 0;

/** Everything of a result but the timings, which differ between any two runs. */
function timeless(r: ProbeResult): unknown {
  return {
    success: r.success,
    samples: r.samples.filter((s) => !/duration|_time_seconds/.test(s.name)).sort((a, b) => (a.name + JSON.stringify(a.labels)).localeCompare(b.name + JSON.stringify(b.labels))),
    log: r.log.map((e) => `${e.level} ${e.phase} ${e.msg}`).filter((l) => !l.includes('Probe succeeded') && !l.includes('Probe failed')),
    certificates: r.certificates,
  };
}

describe('module wire form', () => {
  it('carries compiled regexps across as working regexps', () => {
    const m = moduleFrom('prober: http\nhttp:\n  fail_if_body_matches_regexp: ["err(or)?"]\n  fail_if_header_not_matches:\n    - header: X-Build\n      regexp: "^v1\\\\."');
    const back = moduleFromWire(moduleToWire(m));
    expect(back.http?.fail_if_body_matches_regexp[0]?.test('an error here')).toBe(true);
    expect(back.http?.fail_if_body_matches_regexp[0]?.test('fine')).toBe(false);
    expect(back.http?.fail_if_header_not_matches[0]?.regexp.test('v1.2')).toBe(true);
    expect(back.http?.fail_if_header_not_matches[0]?.regexp.test('xv1.2')).toBe(false);
    expect(moduleToWire(back)).toBe(moduleToWire(m));
  });
});

describe.skipIf(opensslMissing)('probe pool against a local HTTPS server', () => {
  const tmp = tempDir('vigil-probe-pool-');
  let pki: Pki;
  let server: Closable;
  let pool: ProbePool;
  const url = (path = '/'): string => `https://127.0.0.1:${server.port}${path}`;

  beforeAll(async () => {
    pki = makePki(tmp.dir);
    server = await httpsServer(pki, 'leaf', ['int']);
    // vitest runs TypeScript; a worker thread needs JavaScript, so the worker entry is bundled
    // (with a `require` for the CommonJS dependencies inside the ESM bundle).
    await build({
      entryPoints: { 'pool-worker': 'main/probe/pool-worker.ts' },
      outdir: join(tmp.dir, 'bin'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      banner: { js: "import { createRequire as vigilRequire } from 'node:module'; const require = vigilRequire(import.meta.url);" },
      logLevel: 'error',
    });
    pool = new ProbePool(pathToFileURL(join(tmp.dir, 'bin', 'pool-worker.js')), 2);
  }, 60_000);
  afterAll(async () => {
    await pool?.close();
    await server?.close();
    tmp.cleanup();
  });

  it('gives the results of a main-thread probe, on as many threads as the load needs', async () => {
    const m = moduleFrom(`prober: http\ntimeout: 5s\nhttp:\n  fail_if_body_not_matches_regexp: ["^ok"]\n  tls_config:\n    ca_file: ${pki.rootCrt}`);
    const here = await runProbe(m, url());
    const there = await Promise.all(Array.from({ length: 6 }, () => pool.run(m, url())));
    expect(here.success, logText(here)).toBe(true);
    for (const r of there) expect(timeless(r)).toEqual(timeless(here));
    expect(sample(there[0]!, 'probe_ssl_last_chain_expiry_timestamp_seconds')).toBe(sample(here, 'probe_ssl_last_chain_expiry_timestamp_seconds'));
    expect(pool.threads).toBe(2);
  });

  it('reports what its threads hold, and ends idle ones for the memory budget', async () => {
    const m = moduleFrom(`prober: http\ntimeout: 5s\nhttp:\n  tls_config:\n    ca_file: ${pki.rootCrt}`);
    await Promise.all([pool.run(m, url()), pool.run(m, url())]);
    const held = pool.memory();
    expect(held.threads).toBe(pool.threads);
    expect(held.heapBytes).toBeGreaterThan(0);
    expect(await pool.endIdle()).toBe(held.threads);
    expect(pool.memory()).toEqual({ threads: 0, heapBytes: 0, externalBytes: 0 });
    expect((await pool.run(m, url())).success).toBe(true);
  });

  it('fails a body regexp on the worker as on the main thread', async () => {
    const m = moduleFrom(`prober: http\ntimeout: 5s\nhttp:\n  fail_if_body_matches_regexp: ["^ok"]\n  tls_config:\n    ca_file: ${pki.rootCrt}`);
    const r = await pool.run(m, url());
    expect(r.success).toBe(false);
    expect(sample(r, 'probe_failed_due_to_regex')).toBe(1);
    expect(timeless(r)).toEqual(timeless(await runProbe(m, url())));
  });

  it('replays the probe log to the caller\'s logger and honours the timeout and abort signal', async () => {
    const m = moduleFrom(`prober: http\ntimeout: 5s\nhttp:\n  tls_config:\n    ca_file: ${pki.rootCrt}`);
    const heard: string[] = [];
    const log = (msg: string): void => void heard.push(msg);
    const logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
    const timedOut = await pool.run(m, url('/slow'), { timeoutSeconds: 0.3, logger });
    expect(timedOut.success).toBe(false);
    expect(heard).toEqual(timedOut.log.map((e) => e.msg));
    expect(logText(timedOut)).toMatch(/did not finish within 0.3s/);
    const c = new AbortController();
    const pending = pool.run(m, url('/slow'), { signal: c.signal });
    setTimeout(() => c.abort(), 200);
    const aborted = await pending;
    expect(aborted.success).toBe(false);
    expect(aborted.durationMs).toBeLessThan(5000);
  });

  it('runs probes on this thread when its worker cannot start, and says why once', async () => {
    const m = moduleFrom(`prober: http\ntimeout: 5s\nhttp:\n  tls_config:\n    ca_file: ${pki.rootCrt}`);
    const reasons: string[] = [];
    const broken = new ProbePool(pathToFileURL(join(tmp.dir, 'missing-worker.js')), 2, (r) => reasons.push(r));
    const rs = await Promise.all([broken.run(m, url()), broken.run(m, url()), broken.run(m, url())]);
    expect(rs.map((r) => r.success)).toEqual([true, true, true]);
    expect((await broken.run(m, url())).success).toBe(true);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/could not start .*missing-worker/);
    expect(broken.threads).toBe(0);
    await broken.close();
  });

  it('fails the probes of a worker that dies after starting, and runs later probes on a fresh one', async () => {
    // A worker that loads, takes one probe and exits mid-way.
    const dying = join(tmp.dir, 'dying-worker.mjs');
    writeFileSync(dying, "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage({ ready: true, heap: 0, external: 0 });\nparentPort.on('message', () => process.exit(3));\n");
    const m = moduleFrom(`prober: http\ntimeout: 5s\nhttp:\n  tls_config:\n    ca_file: ${pki.rootCrt}`);
    const reasons: string[] = [];
    const mortal = new ProbePool(pathToFileURL(dying), 1, (r) => reasons.push(r));
    const r = await mortal.run(m, url());
    expect(r.success).toBe(false);
    expect(logText(r)).toMatch(/probe worker thread failed: it exited with code 3/);
    expect(sample(r, 'probe_success')).toBe(0);
    expect(reasons).toEqual([]);
    expect(mortal.threads).toBe(0);
    await mortal.close();
    const running = pool.run(m, url('/slow'), { timeoutSeconds: 3 });
    await pool.close();
    const closed = await running;
    expect(logText(closed)).toMatch(/pool was closed/);
    expect((await pool.run(m, url())).success).toBe(true);
    expect(pool.fallbackReason).toBeUndefined();
  });
});
