// npm run bench:histograms — native histogram storage: chunk bytes per histogram sample in Vigil
// and in Prometheus 2.42's blocks for the same data, and Vigil's ingest CPU per histogram.
//   node build/bench/histograms.js [--series 100] [--buckets 24] [--steps 800]
// The data: `series` client-style integer histograms (schema 3, `buckets` populated buckets,
// counts growing by small random steps, a float sum) every 15 s, from a seeded generator.
// Prometheus 2.42 (--enable-feature=native-histograms) takes them through its remote-write
// receiver, one request a step in time order, until its head cuts the 2 h block (a scrape cannot
// carry 15 s steps faster than real time: its own `up` sample at wall time would fall out of
// bounds and roll the scrape back); Vigil appends the same histograms through its appender (log, head, chunks)
// and flushes. Both figures are chunk bytes (Prometheus: the block's chunks/ files; Vigil: the
// chunk blobs) over the samples of the same aligned 2 h window.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import protobuf from 'protobufjs';
import SnappyJS from 'snappyjs';
import { machine, startPrometheus, versionOf, binaries } from './peers.js';
import { repoRoot } from './vigil-system.js';

const { values } = parseArgs({ options: { series: { type: 'string', default: '100' }, buckets: { type: 'string', default: '24' }, steps: { type: 'string', default: '800' } } });
const series = Number(values.series);
const nb = Number(values.buckets);
const steps = Number(values.steps);
const stepMs = 15_000;
const window = 2 * 3600 * 1000;

const { TSDB } = await import(join(repoRoot, 'dist/main/tsdb/db.js'));
const { mulberry32 } = await import(join(repoRoot, 'dist/main/workload/prng.js'));

/** counts[s][step] → { zero, buckets[], sum } for every series, cumulative. */
function generate() {
  const out = [];
  for (let s = 0; s < series; s++) {
    const r = mulberry32(1000 + s);
    const b = new Array(nb).fill(0);
    let zero = 0;
    let sum = 0;
    const rows = [];
    for (let i = 0; i < steps; i++) {
      for (let j = 0; j < nb; j++) {
        // Bell-shaped rates around the middle buckets, ~0–12 observations a bucket a step.
        const w = Math.exp(-(((j - nb / 2) / (nb / 5)) ** 2)) * 12;
        const inc = Math.floor(r() * w);
        b[j] += inc;
        sum += inc * 2 ** ((j + 0.5) / 8);
      }
      if (r() < 0.05) zero++;
      rows.push({ zero, buckets: b.slice(), sum });
    }
    out.push(rows);
  }
  return out;
}

function histogramOf(row) {
  const count = row.zero + row.buckets.reduce((a, x) => a + x, 0);
  return { schema: 3, zeroThreshold: 2.938735877055719e-39, zeroCount: row.zero, count, sum: row.sum, positive: row.buckets.map((c, j) => ({ index: j, count: c })), negative: [], customValues: [], counterResetHint: 'unknown' };
}

const data = generate();
const t0 = Math.floor(Date.now() / window) * window - 4 * window; // an aligned window 6–8 h ago
const winEnd = t0 + window;

console.log(`# Native histogram storage benchmark — ${new Date().toISOString()}`);
console.log(`machine: ${JSON.stringify(machine())}`);
console.log(`workload: ${series} histograms (schema 3, ${nb} buckets, integer counts) × ${steps} steps of 15 s; figures over the aligned 2 h window (480 steps)`);

// ---- Vigil
async function vigil() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-vigil-hist-'));
  const db = await TSDB.open({ dir, worker: false, retentionIntervalMs: 0 });
  const labels = Array.from({ length: series }, (_, s) => [{ name: '__name__', value: 'req_seconds' }, { name: 'series', value: String(s) }]);
  const refs = new Array(series);
  const hs = data.map((rows) => rows.map(histogramOf)); // built before timing
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) {
    const app = db.appender();
    for (let s = 0; s < series; s++) refs[s] = app.appendHistogram(refs[s] ?? labels[s], t0 + i * stepMs, hs[s][i]);
    await app.commit();
  }
  await db.flush();
  const cpu = process.cpuUsage(cpu0);
  await db.close();
  const ro = new Database(join(dir, 'vigil.db'), { readonly: true });
  const row = ro.prepare('SELECT sum(length(data)) AS bytes, sum(count) AS samples, count(*) AS chunks FROM chunks WHERE min_t >= ? AND max_t < ?').get(t0, winEnd);
  const enc = ro.prepare('SELECT encoding, count(*) AS n FROM chunks GROUP BY encoding').all();
  ro.close();
  rmSync(dir, { recursive: true, force: true });
  const cpuUs = (cpu.user + cpu.system) / (steps * series);
  return { bytes: row.bytes, samples: row.samples, chunks: row.chunks, cpuUs, enc };
}

// ---- Prometheus
/**
 * Prometheus' remote write messages with native histograms (prompb/types.proto, the fields
 * Prometheus 2.42 reads), as a protobufjs descriptor: the bench pushes the same histograms into
 * Prometheus' remote-write receiver in time order, one request a step.
 */
const prompbHistograms = {
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: { fields: { labels: { rule: 'repeated', type: 'Label', id: 1 }, histograms: { rule: 'repeated', type: 'Histogram', id: 4 } } },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        BucketSpan: { fields: { offset: { type: 'sint32', id: 1 }, length: { type: 'uint32', id: 2 } } },
        Histogram: {
          oneofs: { count: { oneof: ['count_int', 'count_float'] }, zero_count: { oneof: ['zero_count_int', 'zero_count_float'] } },
          fields: {
            count_int: { type: 'uint64', id: 1 },
            count_float: { type: 'double', id: 2 },
            sum: { type: 'double', id: 3 },
            schema: { type: 'sint32', id: 4 },
            zero_threshold: { type: 'double', id: 5 },
            zero_count_int: { type: 'uint64', id: 6 },
            zero_count_float: { type: 'double', id: 7 },
            negative_spans: { rule: 'repeated', type: 'BucketSpan', id: 8 },
            negative_deltas: { rule: 'repeated', type: 'sint64', id: 9 },
            negative_counts: { rule: 'repeated', type: 'double', id: 10 },
            positive_spans: { rule: 'repeated', type: 'BucketSpan', id: 11 },
            positive_deltas: { rule: 'repeated', type: 'sint64', id: 12 },
            positive_counts: { rule: 'repeated', type: 'double', id: 13 },
            reset_hint: { type: 'int32', id: 14 },
            timestamp: { type: 'int64', id: 15 },
          },
        },
      },
    },
  },
};

async function prometheus() {
  const WriteRequest = protobuf.Root.fromJSON(prompbHistograms).lookupType('prometheus.WriteRequest');
  const p = await startPrometheus({ extraArgs: ['--enable-feature=native-histograms', '--web.enable-remote-write-receiver'] });
  if (p === null) return null;
  try {
    for (let i = 0; i < steps; i++) {
      const req = {
        timeseries: data.map((rows, s) => {
          const r = rows[i];
          return {
            labels: [{ name: '__name__', value: 'req_seconds' }, { name: 'series', value: String(s) }],
            histograms: [{
              count_int: r.zero + r.buckets.reduce((a, x) => a + x, 0),
              sum: r.sum,
              schema: 3,
              zero_threshold: 2.938735877055719e-39,
              zero_count_int: r.zero,
              positive_spans: [{ offset: 0, length: nb }],
              positive_deltas: r.buckets.map((c, j) => c - (j > 0 ? r.buckets[j - 1] : 0)),
              timestamp: t0 + i * stepMs,
            }],
          };
        }),
      };
      const body = SnappyJS.compress(WriteRequest.encode(WriteRequest.fromObject(req)).finish());
      const res = await fetch(`${p.url}/api/v1/write`, { method: 'POST', body, headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' } });
      if (!res.ok) throw new Error(`Prometheus refused step ${i}: HTTP ${res.status} ${await res.text()}`);
    }
    const deadline = Date.now() + 5 * 60_000;
    for (;;) {
      const blocks = readdirSync(p.dataDir).filter((d) => /^[0-9A-Z]{26}$/.test(d));
      for (const b of blocks) {
        const meta = JSON.parse(readFileSync(join(p.dataDir, b, 'meta.json'), 'utf8'));
        if (meta.minTime !== t0) continue;
        const chunksDir = join(p.dataDir, b, 'chunks');
        let bytes = 0;
        for (const f of readdirSync(chunksDir)) bytes += statSync(join(chunksDir, f)).size;
        return { bytes, samples: meta.stats.numSamples, chunks: meta.stats.numChunks, series: meta.stats.numSeries };
      }
      if (Date.now() > deadline) throw new Error(`no Prometheus block for [${t0}, ${winEnd}) after 5 min: ${p.stderr()}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await p.stop();
  }
}

const v = await vigil();
console.log(`Vigil: ${v.samples} samples in ${v.chunks} chunks, ${v.bytes} bytes = ${(v.bytes / v.samples).toFixed(2)} B/histogram sample; encodings ${JSON.stringify(v.enc)}; ingest ${v.cpuUs.toFixed(1)} CPU-µs per histogram (append, log, head, chunk encoding, in one thread)`);
const pr = await prometheus();
if (pr === null) console.log(`Prometheus: skipped (${binaries.prometheus} not installed)`);
else {
  console.log(`Prometheus ${versionOf(binaries.prometheus)}: ${pr.samples} samples of ${pr.series} series in ${pr.chunks} chunks, ${pr.bytes} bytes = ${(pr.bytes / pr.samples).toFixed(2)} B/histogram sample (block chunks/ files)`);
  console.log(`Vigil/Prometheus bytes per histogram sample: ${(v.bytes / v.samples / (pr.bytes / pr.samples)).toFixed(3)}×`);
}
