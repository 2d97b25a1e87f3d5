// STREAMED_XOR_CHUNKS remote read: Debian's Prometheus 2.42 and Vigil hold the same series
// (irregular timestamps, a long gap, odd values, a stale marker) and are asked the same streamed
// request. Both answers decode to the same series; every chunk Prometheus sent, re-encoded by
// Vigil's XOR encoder, gives Prometheus' bytes; Vigil's frames respect max_bytes_in_frame.
// (Prometheus 2.42's own remote_read client only asks for SAMPLES, so it cannot be the client
// here; Vigil's client asks for streamed chunks first and reads Prometheus' in remote-read.test.ts.)
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { crc32c } from '@aws-crypto/crc32c';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpServer } from '../../../main/api/http-server.js';
import { registerServeRoutes } from '../../../main/api/serve-routes.js';
import { Engine } from '../../../main/engine.js';
import { decodePromXor, encodePromXor } from '../../../main/remote/prom-xor.js';
import { seriesOfFrames } from '../../../main/remote/read-frames.js';
import { decodeChunkedReadResponse, encodeReadRequest, encodeWriteRequest, snappyCompress, type PbTimeSeries } from '../../../main/remote/proto.js';
import { StaleNaN } from '../../../main/tsdb/interface.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { missingPeers } from './peers.js';
import { prometheusReceiver, type Proc } from './remote-peers.js';

const skip = missingPeers('prometheus');
const frameLimit = 2048;
const streamedType = 'application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse';

/** Deterministic pseudo-random numbers (a test that fails must fail the same way again). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

function makeSeries(now: number): PbTimeSeries[] {
  const r = rng(42);
  const out: PbTimeSeries[] = [];
  const shapes: Array<(i: number) => number> = [
    (i) => i * 3, // a counter
    () => Math.round(r() * 1e6) / 1000, // decimals
    (i) => (i % 50 === 49 ? StaleNaN : i % 7 === 0 ? -0 : i % 11 === 0 ? Infinity : r() * 2 ** (r() * 80 - 40)), // odd values and a stale marker
  ];
  shapes.forEach((value, k) => {
    const samples: { value: number; timestamp: number }[] = [];
    let t = now - 3 * 3600_000;
    for (let i = 0; i < 400; i++) {
      // Mostly 15 s apart with jitter, sometimes minutes, once a gap of hours (the 64-bit case).
      t += i === 200 ? 2 * 3600_000 / 3 : i % 37 === 0 ? 180_000 + Math.floor(r() * 1000) : 15_000 + Math.floor(r() * 40) - 20;
      samples.push({ timestamp: t, value: value(i) });
    }
    out.push({ labels: [{ name: '__name__', value: 'odd' }, { name: 'k', value: String(k) }], samples });
  });
  return out;
}

async function streamed(base: string, queries: { start: number; end: number; matchers: { type: number; name: string; value: string }[] }[]): Promise<{ type: string; body: Uint8Array }> {
  const body = snappyCompress(
    encodeReadRequest({
      queries: queries.map((q) => ({ start_timestamp_ms: q.start, end_timestamp_ms: q.end, matchers: q.matchers })),
      accepted_response_types: [1],
    }),
  );
  const res = await fetch(`${base}/api/v1/read`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Read-Version': '0.1.0' }, body: Buffer.from(body) });
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${base}: ${res.status} ${Buffer.from(bytes).toString()}`);
  return { type: res.headers.get('content-type') ?? '', body: bytes };
}

/** Each frame's message (length and CRC checked by seriesOfFrames too). */
function frames(body: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < body.length) {
    let len = 0;
    let mul = 1;
    for (;;) {
      const b = body[pos++]!;
      len += (b & 127) * mul;
      mul *= 128;
      if (b < 128) break;
    }
    const msg = body.subarray(pos + 4, pos + 4 + len);
    expect(Buffer.from(body.subarray(pos, pos + 4)).readUInt32BE(0)).toBe(crc32c(msg));
    out.push(msg);
    pos += 4 + len;
  }
  return out;
}

/** Samples as [t, value bits] so a stale marker, −0 and NaN payloads compare exactly. */
const bits = (series: PbTimeSeries[]) =>
  series.map((s) => ({ labels: s.labels, samples: s.samples.map((x) => [x.timestamp, Buffer.from(new Float64Array([x.value]).buffer).toString('hex')]) }));

describe.skipIf(skip !== '')(`streamed remote read agrees with Prometheus 2.42${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let prom: Proc | null = null;
  let engine: Engine | null = null;
  let server: HttpServer | null = null;
  let cleanup = (): void => {};
  let vigil = '';
  const now = Date.now();
  const data = makeSeries(now);

  beforeAll(async () => {
    prom = await prometheusReceiver();
    await prom.start();
    const t = tempDir('vigil-read-streamed-');
    cleanup = t.cleanup;
    const configFile = join(t.dir, 'vigil.yml');
    writeFileSync(configFile, 'scrape_configs: []\n');
    engine = await Engine.start({ dataDir: join(t.dir, 'data'), configFile, shell: 'test', inProcessStorage: true, logger: silentLogger });
    server = new HttpServer({ api: engine.api, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    registerServeRoutes(server, engine, { remoteWriteReceiver: true, readMaxBytesInFrame: frameLimit });
    await server.listen();
    await engine.startCollection({ selfAddress: `127.0.0.1:${server.port}`, externalURL: server.url });
    vigil = `http://127.0.0.1:${server.port}`;
    const wire = Buffer.from(snappyCompress(encodeWriteRequest({ timeseries: data })));
    for (const base of [prom.url, vigil]) {
      const res = await fetch(`${base}/api/v1/write`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' }, body: wire });
      expect(res.status, `${base}: ${await res.text()}`).toBe(204);
    }
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await engine?.stop();
    await prom?.destroy();
    cleanup();
  });

  it('both answers decode to the stored series; Prometheus chunks re-encode to the same bytes; frames stay within the limit', async () => {
    const queries = [
      { start: now - 4 * 3600_000, end: now + 3600_000, matchers: [{ type: 0, name: '__name__', value: 'odd' }] },
      { start: now - 4 * 3600_000, end: now + 3600_000, matchers: [{ type: 0, name: '__name__', value: 'odd' }, { type: 2, name: 'k', value: '1|2' }] },
    ];
    const theirs = await streamed(prom!.url, queries);
    const ours = await streamed(vigil, queries);
    expect(theirs.type).toBe(streamedType);
    expect(ours.type).toBe(streamedType);

    const a = seriesOfFrames(theirs.body, 2);
    const b = seriesOfFrames(ours.body, 2);
    expect(a.map((q) => q.length)).toEqual([3, 2]);
    expect(bits(a[0]!)).toEqual(bits(data));
    expect(bits(b[0]!)).toEqual(bits(a[0]!));
    expect(bits(b[1]!)).toEqual(bits(a[1]!));

    // Vigil's encoder writes Prometheus' bytes for every chunk Prometheus cut.
    let chunks = 0;
    for (const msg of frames(theirs.body)) {
      for (const cs of decodeChunkedReadResponse(msg).chunked_series) {
        for (const c of cs.chunks) {
          const { t, v } = decodePromXor(c.data);
          expect(Buffer.from(encodePromXor(t, v, 0, t.length)).toString('hex')).toBe(Buffer.from(c.data).toString('hex'));
          expect([c.min_time_ms, c.max_time_ms]).toEqual([t[0], t[t.length - 1]]);
          chunks++;
        }
      }
    }
    expect(chunks).toBeGreaterThanOrEqual(9);

    // Small frames: one series per frame, a series split over several, each frame over the
    // limit by less than one chunk (Prometheus' rule), query indexes in order.
    const ourFrames = frames(ours.body).map((m) => decodeChunkedReadResponse(m));
    expect(ourFrames.every((f) => f.chunked_series.length === 1)).toBe(true);
    expect(ourFrames.length).toBeGreaterThan(5);
    for (const f of ourFrames) {
      const size = encodeChunkedReadResponseSize(f);
      const biggestChunk = Math.max(...f.chunked_series[0]!.chunks.map((c) => c.data.length));
      expect(size).toBeLessThan(frameLimit + biggestChunk + 64);
    }
    expect(ourFrames.map((f) => f.query_index)).toEqual([...ourFrames.map((f) => f.query_index)].sort());
  }, 60_000);
});

function encodeChunkedReadResponseSize(f: ReturnType<typeof decodeChunkedReadResponse>): number {
  let n = 0;
  for (const cs of f.chunked_series) for (const c of cs.chunks) n += c.data.length + 24;
  for (const cs of f.chunked_series) for (const l of cs.labels) n += l.name.length + l.value.length + 4;
  return n;
}
