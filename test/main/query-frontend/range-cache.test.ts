// The range result cache (main/query-frontend/range-cache.ts) must answer exactly what an
// uncached evaluation answers: random queries and step-aligned ranges over a storage that keeps
// growing, with late series (older timestamps than what was cached) and deletions between requests.
import { describe, expect, it } from 'vitest';
import { parseExpr } from '../../../app/promql/parser.js';
import { MetadataStore } from '../../../main/api/metadata-store.js';
import { EngineQueryService } from '../../../main/api/query-service-impl.js';
import { parseServeFlags } from '../../../main/cli/serve.js';
import { PromQLEngine } from '../../../main/promql/engine.js';
import { cacheable, RangeResultCache } from '../../../main/query-frontend/range-cache.js';
import type { WriteWatermarkReader } from '../../../main/tsdb/interface.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';

/** mulberry32: a small seeded generator, so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const queries = [
  'm',
  'rate(c[1m])',
  'sum by (job) (rate(c[2m]))',
  'avg_over_time(m[90s])',
  'max_over_time(m[2m:30s])',
  'm offset 1m',
  'topk(2, m)',
  'count(m) + time() * 0',
  'absent(nothing)',
  'm > 5',
  'sum(m) / count(m)',
];

const minute = 60_000;

function makeServices(storage: MemoryStorage, clock: { now: number }, writes?: WriteWatermarkReader, maxBytes?: number) {
  const engine = new PromQLEngine({ parse: (x) => parseExpr(x), timeoutMs: 5000 });
  const cache = new RangeResultCache(writes ?? storage.writes, { now: () => clock.now, ...(maxBytes !== undefined ? { maxBytes } : {}) });
  const cached = new EngineQueryService(engine, storage, new MetadataStore(), { rangeCache: cache });
  const plain = new EngineQueryService(engine, storage, new MetadataStore());
  return { cache, cached, plain };
}

/**
 * Appends 15 s samples up to `clock.now`, sometimes a whole series that starts in the past (late
 * samples), sometimes clears and reloads the storage (a deletion), and runs random refresh-like
 * and random requests through both services. Returns the first mismatch, if any.
 */
async function run(seed: number, writes?: (s: MemoryStorage) => WriteWatermarkReader) {
  const rand = rng(seed);
  const storage = new MemoryStorage();
  const clock = { now: 60 * minute };
  const { cache, cached, plain } = makeServices(storage, clock, writes?.(storage));
  const loaded: Array<{ labels: Record<string, string>; from: number; step: number; value: (t: number) => number }> = [];
  let lastT = 0;
  const addSeries = (labels: Record<string, string>, from: number, value: (t: number) => number) => {
    const s = { labels, from, step: 15_000, value };
    loaded.push(s);
    for (let t = from; t <= lastT; t += s.step) storage.add(labelsFromRecord(labels), t, value(t));
  };
  const advance = (to: number) => {
    for (const s of loaded) {
      const first = Math.max(s.from, Math.floor(lastT / s.step) * s.step + s.step);
      for (let t = first; t <= to; t += s.step) if (t > lastT) storage.add(labelsFromRecord(s.labels), t, s.value(t));
    }
    lastT = to;
  };
  lastT = clock.now;
  for (let i = 0; i < 4; i++) {
    const k = i;
    addSeries({ __name__: 'm', job: k % 2 ? 'a' : 'b', i: String(k) }, 0, (t) => ((t / 15_000) * (k + 1)) % 11);
    addSeries({ __name__: 'c', job: k % 2 ? 'a' : 'b', i: String(k) }, 0, (t) => Math.floor(t / 15_000) * (k + 2));
  }
  let late = 0;
  for (let round = 0; round < 40; round++) {
    const r = rand();
    if (r < 0.15) {
      // A series that arrives now with samples from 40 minutes ago on: older than cached steps.
      late++;
      addSeries({ __name__: 'm', job: 'late', i: String(late) }, lastT - 40 * minute, (t) => (t / 15_000) % 7);
    } else if (r < 0.2) {
      // Deletion: storage emptied and reloaded without one series.
      storage.clear();
      loaded.splice(Math.floor(rand() * loaded.length), 1);
      const keep = [...loaded];
      loaded.length = 0;
      for (const s of keep) addSeries(s.labels, s.from, s.value);
    }
    clock.now += Math.floor(rand() * 4) * 5_000 + 5_000;
    advance(clock.now);
    const query = queries[Math.floor(rand() * queries.length)]!;
    const step = [15_000, 30_000, 60_000][Math.floor(rand() * 3)]!;
    // Half the requests look like a dashboard refresh (the last 30 min), half are anywhere.
    const span = rand() < 0.5 ? 30 * minute : Math.floor(rand() * 60) * minute + step;
    const endRaw = rand() < 0.5 ? clock.now : clock.now - Math.floor(rand() * 50) * minute;
    const start = Math.floor((endRaw - span) / step) * step;
    const end = Math.floor(endRaw / step) * step;
    const req = { query, start, end, step };
    const a = await cached.queryRange(req);
    const b = await plain.queryRange(req);
    const strip = (x: typeof a) => ({ result: x.result, warnings: x.warnings, infos: x.infos });
    if (JSON.stringify(strip(a)) !== JSON.stringify(strip(b))) return { mismatch: { round, req }, counters: cache.counters };
  }
  return { mismatch: null, counters: cache.counters };
}

describe('range result cache', () => {
  it('answers what uncached evaluation answers, through late series and deletions (5 seeds)', async () => {
    let hits = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = await run(seed);
      expect(r.mismatch, `seed ${seed}`).toBeNull();
      hits += r.counters.stepsFromCache;
    }
    // The check means something only if the cache answered steps.
    expect(hits).toBeGreaterThan(200);
  });

  it('would answer stale steps without the write watermark (the equality check can fail)', async () => {
    const blind = (): WriteWatermarkReader => ({ generation: () => 0, minWrittenSince: () => Infinity });
    const results = await Promise.all([1, 2, 3, 4, 5].map((seed) => run(seed, blind)));
    expect(results.some((r) => r.mismatch !== null)).toBe(true);
  });

  it('a refresh evaluates only the new tail and the freshness window', async () => {
    const storage = new MemoryStorage();
    for (let t = 0; t <= 120 * minute; t += 15_000) storage.add(labelsFromRecord({ __name__: 'm', i: '1' }), t, t / 1000);
    const clock = { now: 120 * minute };
    const { cache, cached } = makeServices(storage, clock);
    await cached.queryRange({ query: 'm', start: 60 * minute, end: 120 * minute, step: minute });
    expect(cache.counters).toMatchObject({ misses: 1, hits: 0 });
    // Held: up to now − 5 min (115). A refresh one minute later evaluates 116..121 only.
    clock.now += minute;
    for (let t = 120 * minute + 15_000; t <= clock.now; t += 15_000) storage.add(labelsFromRecord({ __name__: 'm', i: '1' }), t, t / 1000);
    const before = cache.counters.stepsEvaluated;
    const r = await cached.queryRange({ query: 'm', start: 61 * minute, end: 121 * minute, step: minute });
    expect(cache.counters.hits).toBe(1);
    expect(cache.counters.stepsEvaluated - before).toBe(6);
    expect(r.result.timestamps.length).toBe(61);
    expect(r.result.series[0]!.values.at(-1)).toBe(121 * 60);
  });

  it('bypasses @ and negative offsets, keeps positive offsets', async () => {
    const c = (q: string) => cacheable(parseExpr(q));
    expect(c('rate(m[5m])')).toBe(true);
    expect(c('m offset 5m')).toBe(true);
    expect(c('m offset -5m')).toBe(false);
    expect(c('m @ 100')).toBe(false);
    expect(c('sum(rate(m[5m] @ end()))')).toBe(false);
    expect(c('max_over_time(m[10m:1m] offset -1m)')).toBe(false);
    expect(c('max_over_time(m[10m:1m] @ start())')).toBe(false);
    const storage = new MemoryStorage();
    for (let t = 0; t <= 60 * minute; t += 15_000) storage.add(labelsFromRecord({ __name__: 'm' }), t, t);
    const { cache, cached, plain } = makeServices(storage, { now: 120 * minute });
    const req = { query: 'm @ end()', start: 0, end: 30 * minute, step: minute };
    const a = await cached.queryRange(req);
    expect(cache.counters.bypassed).toBe(1);
    expect(cache.size()).toBe(0);
    expect(a.result).toEqual((await plain.queryRange(req)).result);
  });

  it('a range over the points limit is refused even when its steps are held', async () => {
    const storage = new MemoryStorage();
    for (let t = 0; t <= 60 * minute; t += 15_000) storage.add(labelsFromRecord({ __name__: 'm' }), t, t);
    const engine = new PromQLEngine({ parse: (x) => parseExpr(x), maxPointsPerSeries: 150 });
    const cache = new RangeResultCache(storage.writes, { now: () => 600 * minute });
    const cached = new EngineQueryService(engine, storage, new MetadataStore(), { rangeCache: cache });
    await cached.queryRange({ query: 'm', start: 0, end: 60 * minute, step: minute });
    // 201 steps, over the limit of 150; the 140 not held would be under it.
    await expect(cached.queryRange({ query: 'm', start: 0, end: 200 * minute, step: minute })).rejects.toThrow(/maximum resolution/);
  });

  it('stays within its byte bound, dropping the least recently used extents', async () => {
    const storage = new MemoryStorage();
    for (let i = 0; i < 20; i++) for (let t = 0; t <= 60 * minute; t += 15_000) storage.add(labelsFromRecord({ __name__: 'm', i: String(i) }), t, t);
    const { cache, cached } = makeServices(storage, { now: 600 * minute }, undefined, 100_000);
    await cached.queryRange({ query: 'm', start: 0, end: 60 * minute, step: minute });
    const one = cache.bytes();
    expect(one).toBeGreaterThan(0);
    expect(one).toBeLessThanOrEqual(25_000);
    for (let k = 1; k <= 8; k++) await cached.queryRange({ query: `m * ${k}`, start: 0, end: 60 * minute, step: minute });
    expect(cache.bytes()).toBeLessThanOrEqual(100_000);
    expect(cache.counters.evictions).toBeGreaterThan(0);
    // The first query was the least recently used: it is evaluated again.
    const misses = cache.counters.misses;
    await cached.queryRange({ query: 'm', start: 0, end: 60 * minute, step: minute });
    expect(cache.counters.misses).toBe(misses + 1);
    // The most recent one is still held.
    await cached.queryRange({ query: 'm * 8', start: 0, end: 60 * minute, step: minute });
    expect(cache.counters.misses).toBe(misses + 1);
  });

  it('shrinks to a share of its bound under memory pressure, and grows back', async () => {
    const storage = new MemoryStorage();
    for (let i = 0; i < 20; i++) for (let t = 0; t <= 60 * minute; t += 15_000) storage.add(labelsFromRecord({ __name__: 'm', i: String(i) }), t, t);
    const { cache, cached } = makeServices(storage, { now: 600 * minute }, undefined, 100_000);
    for (let k = 1; k <= 4; k++) await cached.queryRange({ query: `m * ${k}`, start: 0, end: 60 * minute, step: minute });
    const full = cache.bytes();
    expect(full).toBeGreaterThan(25_000);
    cache.sizeTo(0.25);
    expect(cache.bytes()).toBeGreaterThan(0);
    expect(cache.bytes()).toBeLessThanOrEqual(25_000);
    cache.sizeTo(0);
    expect(cache.bytes()).toBe(0);
    await cached.queryRange({ query: 'm', start: 0, end: 60 * minute, step: minute });
    expect(cache.bytes()).toBe(0); // nothing is kept while it is off
    cache.sizeTo(1);
    for (let k = 1; k <= 4; k++) await cached.queryRange({ query: `m * ${k}`, start: 0, end: 60 * minute, step: minute });
    expect(cache.bytes()).toBe(full);
  });

  it('vigil serve --query.range-cache-size: a size, or off', () => {
    expect(parseServeFlags([]).rangeCacheBytes).toBeUndefined();
    expect(parseServeFlags(['--query.range-cache-size', '16MiB']).rangeCacheBytes).toBe(16 * 1024 * 1024);
    expect(parseServeFlags(['--query.range-cache-size', 'off']).rangeCacheBytes).toBe(0);
    expect(() => parseServeFlags(['--query.range-cache-size', 'lots'])).toThrow(/--query.range-cache-size must be a size/);
  });
});
