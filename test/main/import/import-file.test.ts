/**
 * importFile against a reference: the whole file parsed in one go with the exposition parser,
 * every sample appended in file order. Whatever the block size (so families, series and lines
 * split across blocks), the import must hand storage exactly those samples (labels, time, value
 * bits), count rejections with the right line numbers, and stop at a malformed line naming it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importFile, ImportError } from '../../../main/import/import-file.js';
import { createParser } from '../../../main/scrape/parse/parser.js';
import { OutOfOrderError, type Appendable, type Appender, type SeriesRef } from '../../../main/tsdb/interface.js';
import { labelsKey, type Labels } from '../../../main/tsdb/labels.js';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../helpers.js';
import { bundle } from '../tsdb/bundle.js';

interface Recorded {
  key: string;
  t: number;
  bits: string;
}

const bitsOf = (v: number): string => Buffer.from(new Float64Array([v]).buffer).toString('hex');

/** Storage that records committed samples and rejects a time not after the series' last one. */
class RecordingStorage implements Appendable {
  readonly committed: Recorded[] = [];
  readonly keys: string[] = [];
  private readonly refs = new Map<string, SeriesRef>();
  private readonly lastT = new Map<SeriesRef, number>();

  appender(): Appender {
    const pending: Recorded[] = [];
    const pendingT = new Map<SeriesRef, number>();
    return {
      append: (series: Labels | SeriesRef, t: number, v: number): SeriesRef => {
        let ref: SeriesRef;
        if (typeof series === 'number') ref = series;
        else {
          const key = labelsKey(series);
          ref = this.refs.get(key) ?? this.keys.push(key);
          this.refs.set(key, ref);
        }
        const last = pendingT.get(ref) ?? this.lastT.get(ref);
        if (last !== undefined && t <= last) throw new OutOfOrderError(`out of order sample at ${t}`);
        pendingT.set(ref, t);
        pending.push({ key: this.keys[ref - 1]!, t, bits: bitsOf(v) });
        return ref;
      },
      commit: async () => {
        // As the TSDB: the series' newest times are updated when commit is called, and the
        // commit is acknowledged later (when the worker made it durable).
        for (const [ref, t] of pendingT) this.lastT.set(ref, t);
        await new Promise((r) => setTimeout(r, 1));
        this.committed.push(...pending);
      },
      rollback: () => undefined,
    };
  }
}

function reference(text: string, contentType: string, nowMs: number): { samples: Recorded[]; rejectedLines: number[] } {
  const p = createParser(Buffer.from(text, 'latin1'), contentType);
  const samples: Recorded[] = [];
  const rejectedLines: number[] = [];
  const lastT = new Map<string, number>();
  for (let kind = p.next(); kind !== 'eof'; kind = p.next()) {
    if (kind !== 'series') continue;
    const key = labelsKey(p.labels());
    const t = p.timestamp() ?? nowMs;
    const last = lastT.get(key);
    if (last !== undefined && t <= last) {
      rejectedLines.push(p.line());
      continue;
    }
    lastT.set(key, t);
    samples.push({ key, t, bits: bitsOf(p.value()) });
  }
  return { samples, rejectedLines };
}

/** Families of interleaved series, odd label values, NaN/Inf, a sample out of order, a missing timestamp. */
function openMetricsText(): string {
  const lines: string[] = [];
  lines.push('# HELP req_total Requests.', '# TYPE req_total counter');
  for (let i = 0; i < 40; i++) {
    for (const code of ['200', '500']) lines.push(`req_total{code="${code}",path="/a\\"b\\\\c"} ${i * 3 + (code === '500' ? 0.5 : 0)} ${1700000000 + i * 15}`);
  }
  lines.push('req_total{code="200",path="/a\\"b\\\\c"} 1 1700000000'); // out of order: rejected
  lines.push('# TYPE temp gauge', '# UNIT temp celsius');
  for (let i = 0; i < 30; i++) lines.push(`temp{room="r${i % 3}"} ${i % 7 === 0 ? 'NaN' : i % 11 === 0 ? '+Inf' : (i * 0.1).toFixed(1)} ${1700000000 + Math.floor(i / 3) * 15}.${i % 3}`);
  lines.push('# TYPE up gauge', 'up 1', 'up{job="x"} 0 1700000001.5');
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

function prometheusText(): string {
  const lines: string[] = ['# TYPE http_requests_total counter'];
  for (let i = 0; i < 50; i++) {
    for (const h of ['/', '/api']) lines.push(`http_requests_total{handler="${h}",code="200"} ${i * 2} ${1700000000000 + i * 15000}`);
  }
  lines.push('# TYPE lat summary');
  for (let i = 0; i < 20; i++) lines.push(`lat{quantile="0.5"} ${i / 10} ${1700000000000 + i * 15000}`, `lat_sum ${i} ${1700000000000 + i * 15000}`, `lat_count ${i} ${1700000000000 + i * 15000}`);
  return lines.join('\n') + '\n';
}

describe('importFile', () => {
  const nowMs = 1_700_000_500_000;
  const cases = [
    ['openmetrics', openMetricsText(), 'application/openmetrics-text; version=1.0.0'],
    ['prometheus', prometheusText(), 'text/plain; version=0.0.4'],
  ] as const;

  for (const [format, text, contentType] of cases) {
    it.each([64, 97, 1000, 4 << 20])(`${format}: blocks of %i bytes give storage exactly the reference samples`, async (blockBytes) => {
      const t = tempDir('vigil-import-');
      try {
        const file = join(t.dir, `in.${format}`);
        writeFileSync(file, text, 'latin1');
        const store = new RecordingStorage();
        const summary = await importFile(file, store, { nowMs, blockBytes });
        const ref = reference(text, contentType, nowMs);
        expect(summary.format).toBe(format);
        expect(store.committed).toEqual(ref.samples);
        expect(summary.samples).toBe(ref.samples.length);
        expect(summary.series).toBe(new Set(ref.samples.map((s) => s.key)).size);
        const rejected = Object.values(summary.rejected).reduce((a, b) => a + b, 0);
        expect(rejected).toBe(ref.rejectedLines.length);
        expect(summary.examples.map((e) => Number(/^line (\d+):/.exec(e)?.[1]))).toEqual(ref.rejectedLines.slice(0, 5));
      } finally {
        t.cleanup();
      }
    });
  }

  it('fails with the storage error when a commit in flight fails, and does not go on reading', async () => {
    const t = tempDir('vigil-import-');
    try {
      const file = join(t.dir, 'in.prom');
      writeFileSync(file, prometheusText());
      let commits = 0;
      const failing: Appendable = {
        appender: () => ({
          append: () => 1,
          commit: async () => {
            commits++;
            await new Promise((r) => setTimeout(r, 1));
            throw new Error('disk full');
          },
          rollback: () => undefined,
        }),
      };
      await expect(importFile(file, failing, { nowMs, blockBytes: 200 })).rejects.toThrow('disk full');
      expect(commits).toBeLessThanOrEqual(2); // the failing one, and at most the one after it
    } finally {
      t.cleanup();
    }
  });

  it.each([64, 1000, 4 << 20])('stops at a malformed line naming the file and its line (blocks of %i bytes), keeping earlier blocks', async (blockBytes) => {
    const t = tempDir('vigil-import-');
    try {
      const good = prometheusText().split('\n');
      const badLine = 150;
      good.splice(badLine - 1, 0, 'http_requests_total{handler="/"  200');
      const file = join(t.dir, 'bad.prom');
      writeFileSync(file, good.join('\n'));
      const store = new RecordingStorage();
      const err = await importFile(file, store, { nowMs, blockBytes }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ImportError);
      expect((err as Error).message).toContain(`${file}:${badLine}:`);
      // What was committed is a prefix of the reference (whole blocks before the bad one).
      const ref = reference(good.slice(0, badLine - 1).join('\n') + '\n', 'text/plain', nowMs).samples;
      expect(store.committed).toEqual(ref.slice(0, store.committed.length));
    } finally {
      t.cleanup();
    }
  });

  describe('with the parser in a worker thread', () => {
    const tmp = tempDir('vigil-import-worker-');
    let parseWorker: URL;
    beforeAll(async () => {
      await bundle(join(tmp.dir, 'bin'), { 'parse-worker': 'main/import/parse-worker.ts' });
      parseWorker = pathToFileURL(join(tmp.dir, 'bin', 'parse-worker.js'));
    }, 60_000);
    afterAll(() => tmp.cleanup());

    for (const [format, text, contentType] of cases) {
      it(`${format}: gives storage exactly the reference samples`, async () => {
        const file = join(tmp.dir, `in.${format}`);
        writeFileSync(file, text, 'latin1');
        const store = new RecordingStorage();
        const summary = await importFile(file, store, { nowMs, blockBytes: 300, parseWorker });
        const ref = reference(text, contentType, nowMs);
        expect(store.committed).toEqual(ref.samples);
        expect(summary.examples.map((e) => Number(/^line (\d+):/.exec(e)?.[1]))).toEqual(ref.rejectedLines.slice(0, 5));
      });
    }

    it('stops at a malformed line naming it', async () => {
      const good = prometheusText().split('\n');
      good.splice(149, 0, 'http_requests_total{handler="/"  200');
      const file = join(tmp.dir, 'bad.prom');
      writeFileSync(file, good.join('\n'));
      await expect(importFile(file, new RecordingStorage(), { nowMs, blockBytes: 1000, parseWorker })).rejects.toThrow(`${file}:150:`);
    });
  });
});
