import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScrapeCache } from '../../../main/scrape/cache.js';
import { hashBytes, KeySlots, viewOf } from '../../../main/scrape/cache-keys.js';
import { collectGarbage } from '../../../main/util/gc-hint.js';

const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** A page as the parser sees it: one buffer, each key's byte range in it. */
function page(keys: string[]): { buf: Uint8Array; ranges: [number, number][] } {
  let text = '';
  const ranges: [number, number][] = [];
  for (const k of keys) {
    ranges.push([text.length, text.length + k.length]);
    text += k + ' 1\n';
  }
  return { buf: enc(text), ranges };
}

describe('KeySlots', () => {
  it('tells keys apart by their bytes even when every hash collides', () => {
    const slots = new KeySlots();
    const keys = Array.from({ length: 300 }, (_, i) => `m{i="${i}"}`);
    const got = keys.map((k) => {
      const b = enc(k);
      const v = viewOf(b);
      expect(slots.find(v, 0, b.length, 7)).toBe(-1);
      return slots.insert(v, 0, b.length, 7);
    });
    expect(new Set(got).size).toBe(keys.length);
    keys.forEach((k, i) => {
      const b = enc(k);
      expect(slots.find(viewOf(b), 0, b.length, 7)).toBe(got[i]);
    });
    // A prefix or an extension of a key is another key.
    const b = enc('m{i="1"}x');
    expect(slots.find(viewOf(b), 0, b.length, 7)).toBe(-1);
    expect(slots.find(viewOf(b), 0, b.length - 2, 7)).toBe(-1);
  });

  it('survives insert/remove churn through arena compaction and rehashing', () => {
    const slots = new KeySlots();
    const live = new Map<string, number>();
    let n = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 200; i++) {
        const k = `series_${n++}{job="x",instance="host-${n % 97}:9100"}`;
        const b = enc(k);
        const v = viewOf(b);
        live.set(k, slots.insert(v, 0, b.length, hashBytes(v, 0, b.length)));
      }
      // Remove two thirds of what is there.
      let j = 0;
      for (const [k, slot] of live) {
        if (j++ % 3 !== 0) {
          slots.remove(slot);
          live.delete(k);
        }
      }
      for (const [k, slot] of live) {
        const b = enc(k);
        const v = viewOf(b);
        expect(slots.find(v, 0, b.length, hashBytes(v, 0, b.length))).toBe(slot);
      }
      expect(slots.size).toBe(live.size);
    }
  });

  it('hashes keys at any offset of a page the same', () => {
    const k = enc('http_requests_total{code="200",method="GET"}');
    const padded = new Uint8Array(k.length + 13);
    padded.set(k, 5);
    expect(hashBytes(viewOf(padded), 5, 5 + k.length)).toBe(hashBytes(viewOf(k), 0, k.length));
  });
});

describe('ScrapeCache against a Map oracle', () => {
  it('finds what it was given, forgets what two scrapes did not see, and rolls back failed scrapes', () => {
    const universe = Array.from({ length: 40 }, (_, i) => `m${i % 7}{a="${i}"${i % 3 === 0 ? ',b="x"' : ''}}`);
    const scrape = fc.record({
      keys: fc.uniqueArray(fc.integer({ min: 0, max: universe.length - 1 }), { maxLength: 30 }),
      fail: fc.boolean(),
      dropEvery: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(scrape, { minLength: 1, maxLength: 12 }), (scrapes) => {
        const cache = new ScrapeCache();
        // key → [ref, last successful-or-running iteration seen]
        const oracle = new Map<string, { ref: number; dropped: boolean; lastIter: number }>();
        let iter = 0;
        let nextRef = 1;
        for (const s of scrapes) {
          const keys = s.keys.map((i) => universe[i]!);
          const { buf, ranges } = page(keys);
          const added: string[] = [];
          keys.forEach((k, i) => {
            const slot = cache.lookup(buf, ranges[i]![0], ranges[i]![1]);
            const want = oracle.get(k);
            if (want === undefined) {
              expect(slot).toBe(-1);
              const dropped = s.dropEvery > 0 && i % s.dropEvery === 0;
              const ref = dropped ? 0 : nextRef++;
              if (dropped) cache.addDropped();
              else cache.add(ref);
              oracle.set(k, { ref, dropped, lastIter: iter });
              added.push(k);
            } else {
              expect(slot).toBeGreaterThanOrEqual(0);
              expect(cache.isDropped(slot)).toBe(want.dropped);
              if (!want.dropped) expect(cache.refOf(slot)).toBe(want.ref);
              want.lastIter = iter;
            }
          });
          if (s.fail) {
            cache.abort();
            for (const k of added) oracle.delete(k);
          } else {
            for (const [k, e] of oracle) if (e.lastIter < iter - 1) oracle.delete(k);
          }
          cache.iterDone(!s.fail);
          iter++;
          expect(cache.size).toBe(oracle.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('names the refs the previous scrape had and this one did not, once each', () => {
    const cache = new ScrapeCache();
    for (const r of [1, 2, 3, 3, 4]) cache.trackStaleness(r);
    cache.iterDone(true);
    for (const r of [2, 4, 5]) cache.trackStaleness(r);
    expect(cache.vanished().sort()).toEqual([1, 3]);
    // A failed scrape: everything of the last good one is gone.
    cache.abort();
    expect(cache.vanished().sort()).toEqual([1, 2, 3, 4]);
  });

  it('holds no scraped page between scrapes (its buffer can be collected), and still finds its keys', async () => {
    const cache = new ScrapeCache();
    const scrape = (ok: boolean): WeakRef<Uint8Array> => {
      const p = page(['a{x="1"}', 'b{x="2"}']);
      p.ranges.forEach(([s, e], i) => {
        if (cache.lookup(p.buf, s, e) < 0) cache.add(i + 1);
      });
      if (ok) cache.iterDone(true);
      else {
        cache.abort();
        cache.iterDone(false);
      }
      return new WeakRef(p.buf);
    };
    const collected = async (ref: WeakRef<Uint8Array>): Promise<boolean> => {
      await new Promise((r) => setImmediate(r)); // a WeakRef target stays alive until the job ends
      expect(collectGarbage()).toBe(true);
      return ref.deref() === undefined;
    };
    expect(await collected(scrape(true))).toBe(true);
    expect(await collected(scrape(false))).toBe(true);
    const again = page(['a{x="1"}', 'b{x="2"}']);
    expect(again.ranges.map(([s, e]) => cache.refOf(cache.lookup(again.buf, s, e)))).toEqual([1, 2]);
  });

  it('uses the previous line order but still finds moved, new and repeated keys', () => {
    const cache = new ScrapeCache();
    const first = page(['a{x="1"}', 'b{x="2"}', 'c{x="3"}']);
    first.ranges.forEach(([s, e], i) => {
      expect(cache.lookup(first.buf, s, e)).toBe(-1);
      cache.add(i + 1);
    });
    cache.iterDone(true);
    const second = page(['c{x="3"}', 'new{}', 'a{x="1"}', 'b{x="2"}']);
    const refs = second.ranges.map(([s, e]) => {
      const slot = cache.lookup(second.buf, s, e);
      return slot < 0 ? -1 : cache.refOf(slot);
    });
    expect(refs).toEqual([3, -1, 1, 2]);
  });

  it('after clear() mid-scrape finds nothing and rolls back only what came after', () => {
    const cache = new ScrapeCache();
    const p = page(['a{}', 'b{}']);
    cache.lookup(p.buf, ...p.ranges[0]!);
    cache.add(1);
    cache.iterDone(true);
    cache.lookup(p.buf, ...p.ranges[0]!);
    cache.clear();
    expect(cache.lookup(p.buf, ...p.ranges[1]!)).toBe(-1);
    cache.add(2);
    cache.abort();
    expect(cache.size).toBe(0);
  });
});
