/**
 * Inflating one scraped W-fleet page (docs/benchmarks.md; gzip level 1, as `vigil workload serve`
 * sends it): the scrape client's path (main/scrape/http.ts gunzipBounded: one synchronous call
 * when the trailer states ≤ 2 MiB) against the thread-pool path every page took before (zlib's
 * async gunzip in 1 MiB chunks, then a right-sized copy). Prints CPU µs per page over all threads
 * (process.cpuUsage), alternating the two paths so both see the same machine load.
 *   node dist/main/workload/bench/inflate-bench.js [--series 2000] [--pages 2000] [--rounds 3]
 */
import { gunzip, gzipSync } from 'node:zlib';
import { buildTarget } from '../fleet.js';
import { PageRenderer } from '../exposition.js';
import { gunzipBounded } from '../../scrape/http.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const num = (k: string, d: number): number => (args.has(k) ? Number(args.get(k)) : d);
const series = num('series', 2000);
const pages = num('pages', 2000);
const rounds = num('rounds', 3);

const families = buildTarget({ seed: 1, target: 0, series });
const page = Buffer.from(new PageRenderer(families, 'prometheus').render());
const gz = gzipSync(page, { level: 1 });

const threadPool = (body: Buffer): Promise<Buffer> =>
  new Promise((resolve, reject) => gunzip(body, { chunkSize: 1024 * 1024 }, (err, out) => (err ? reject(err) : resolve(Buffer.from(out)))));

async function cpuPerPage(inflate: (b: Buffer) => Promise<Buffer>): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < pages; i++) {
    const out = await inflate(gz);
    if (out.length !== page.length) throw new Error(`inflated ${out.length} bytes, expected ${page.length}`);
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / pages;
}

console.log(`page: ${series} series, ${page.length} bytes, ${gz.length} gzipped; ${pages} pages per path per round`);
for (let r = 0; r < rounds; r++) {
  const pool = await cpuPerPage(threadPool);
  const sync = await cpuPerPage((b) => gunzipBounded(b, 0));
  console.log(`round ${r + 1}: thread pool ${pool.toFixed(0)} µs CPU per page, scrape client ${sync.toFixed(0)} µs (${(sync / pool).toFixed(2)}×)`);
}
