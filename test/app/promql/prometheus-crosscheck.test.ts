/**
 * Cross-check against the real thing: the Debian Prometheus 2.42 binary's /api/v1/format_query
 * parses every conformance query; whatever it accepts we must accept, and formatExpr must
 * produce its output byte for byte.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from '../../../app/promql/parser.js';
import { formatExpr } from '../../../app/promql/printer.js';
import { bad, badSyntax, newerThan242 } from './bad-queries.js';
import { complianceQueries, scriptQueries, unsupportedReason } from './corpus.js';

const binary = '/usr/bin/prometheus';
const missing = !existsSync(binary);
if (missing) console.warn(`skipping Prometheus cross-check: ${binary} is not installed`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

describe.skipIf(missing)('Prometheus 2.42 format_query cross-check', () => {
  let proc: ChildProcess | undefined;
  let dir = '';
  let base = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-promql-xcheck-'));
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\n');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    proc = spawn(binary, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`${base}/-/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Prometheus did not become ready on ${base}`);
  }, 30_000);

  afterAll(() => {
    if (proc?.pid !== undefined) process.kill(proc.pid, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts what Prometheus accepts and formats it identically', async () => {
    const queries = [...new Set([...scriptQueries(), ...complianceQueries()].map((q) => q.query))].filter((q) => unsupportedReason(q) === null);
    let both = 0;
    let identical = 0;
    const rejectedByUs: string[] = [];
    const different: string[] = [];
    const answers = new Map<string, { status: string; data?: string }>();
    // A few requests in flight at a time: the machine is shared, the answers are independent.
    for (let i = 0; i < queries.length; i += 8) {
      const batch = queries.slice(i, i + 8);
      const bodies = await Promise.all(batch.map(async (q) => (await fetch(`${base}/api/v1/format_query`, { method: 'POST', body: new URLSearchParams({ query: q }) })).json() as Promise<{ status: string; data?: string }>));
      batch.forEach((q, j) => answers.set(q, bodies[j] ?? { status: 'missing' }));
    }
    for (const q of queries) {
      const body = answers.get(q) ?? { status: 'missing' };
      if (body.status !== 'success' || body.data === undefined) continue;
      const ours = parse(q, { enableExperimental: true });
      if (ours.expr === null || ours.errors.length > 0) {
        rejectedByUs.push(`${q} :: ${ours.errors[0]?.message}`);
        continue;
      }
      both++;
      if (formatExpr(ours.expr) === body.data) identical++;
      else different.push(`${q}\n  prometheus: ${body.data}\n  ours:       ${formatExpr(ours.expr)}`);
    }
    console.log(`Prometheus 2.42 accepted ${both + rejectedByUs.length} of ${queries.length} queries; we accept all of those: ${rejectedByUs.length === 0}; formatExpr byte-identical on ${identical} of ${both}`);
    expect(rejectedByUs).toEqual([]);
    expect(different.slice(0, 20)).toEqual([]);
    expect(both).toBeGreaterThan(1500);
  }, 60_000);

  it('rejects bad queries with the same message at the same column', async () => {
    const mismatches: string[] = [];
    for (const q of [...bad.map(([b]) => b), ...badSyntax.map(([b]) => b)]) {
      if (newerThan242.has(q)) continue;
      const res = await fetch(`${base}/api/v1/format_query`, { method: 'POST', body: new URLSearchParams({ query: q }) });
      const body = (await res.json()) as { status: string; error?: string };
      const m = /(\d+):(\d+): parse error: (.*)$/.exec(body.error ?? '');
      if (m === null) {
        mismatches.push(`${q}: Prometheus said ${JSON.stringify(body)}`);
        continue;
      }
      const ours = parse(q).errors[0];
      const col = (ours?.pos.start ?? -1) + 1;
      if (ours?.message !== m[3] || String(col) !== m[2]) mismatches.push(`${q}: Prometheus ${m[2]}: ${m[3]} / ours ${col}: ${ours?.message}`);
    }
    expect(mismatches).toEqual([]);
  });
});
