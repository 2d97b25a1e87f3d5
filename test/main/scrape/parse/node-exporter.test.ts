import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../../../../main/tsdb/labels.js';
import { ScrapeLoop } from '../../../../main/scrape/loop.js';
import { createParser } from '../../../../main/scrape/parse/parser.js';
import { MemoryAppendable, makeTarget } from '../loop-fixtures.js';

const binary = '/usr/bin/prometheus-node-exporter';
const missing = !existsSync(binary);
if (missing) console.warn(`skipping node-exporter parser tests: ${binary} is not installed`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(missing)('a real node-exporter page', () => {
  let child: ChildProcess;
  let url = '';
  let page = Buffer.alloc(0);
  let contentType = '';

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/metrics`;
    child = spawn(binary, [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        const res = await fetch(url, { headers: { Accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
        page = Buffer.from(await res.arrayBuffer());
        contentType = res.headers.get('content-type') ?? '';
        if (res.ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`node-exporter did not answer on ${url}`);
  }, 20_000);

  afterAll(() => {
    if (child.pid !== undefined) process.kill(child.pid);
  });

  it('parses every line, with metadata before its samples', () => {
    const lines = page.toString('utf8').split('\n').filter((l) => l !== '');
    const sampleLines = lines.filter((l) => !l.startsWith('#'));
    const p = createParser(page, contentType);
    const typed = new Map<string, string>();
    let samples = 0;
    const names = new Set<string>();
    for (let k = p.next(); k !== 'eof'; k = p.next()) {
      if (k === 'type') typed.set(p.metricType().name, p.metricType().type);
      if (k !== 'series') continue;
      samples++;
      const labels = p.labels();
      const name = labels.find((l) => l.name === '__name__')!.value;
      names.add(name);
      expect(name).toBe(p.metricName());
      const family = [name, name.replace(/_(bucket|sum|count)$/, '')].find((n) => typed.has(n));
      expect(family, `no # TYPE before ${name}`).toBeDefined();
      expect(Number.isNaN(p.value()) || typeof p.value() === 'number').toBe(true);
      // The raw id is the line up to the value.
      expect(sampleLines[samples - 1]!.startsWith(p.seriesId())).toBe(true);
    }
    expect(samples).toBe(sampleLines.length);
    expect(samples).toBeGreaterThan(100);
    expect(names).toContain('node_exporter_build_info');
  });

  it('scrapes it through the loop (gzip, keep-alive) twice', async () => {
    const db = new MemoryAppendable();
    const loop = new ScrapeLoop(makeTarget({ url, labels: labelsFromRecord({ job: 'node', instance: 'local' }) }), { appendable: db });
    const first = await loop.scrapeOnce();
    const second = await loop.scrapeOnce();
    expect(first.error).toBe('');
    expect(first.counts.total).toBeGreaterThan(100);
    expect(second.counts.seriesAdded).toBeLessThan(first.counts.seriesAdded);
    expect(db.last({ __name__: 'up', job: 'node', instance: 'local' })).toBe(1);
    await loop.stop();
  });
});
