import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MetadataStore } from '../../../main/api/metadata-store.js';
import { QueryJournal, queryJournalFile } from '../../../main/api/query-journal.js';
import { EngineQueryService } from '../../../main/api/query-service-impl.js';
import type { PromQLEngine } from '../../../main/promql/engine.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import { silentLogger, type Logger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';

const onDisk = (dir: string) => (JSON.parse(readFileSync(join(dir, queryJournalFile), 'utf8')) as { running: Array<{ query: string }> }).running.map((q) => q.query);

describe('the running-queries journal', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it('keeps what was running at a crash for the next start, and forgets it after a clean one', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const first = QueryJournal.open(t.dir);
    expect(first.interrupted).toEqual([]);
    const a = first.begin('sum(rate(a[5m]))');
    first.begin('topk(5, b)');
    await first.settled();
    expect(onDisk(t.dir)).toEqual(['sum(rate(a[5m]))', 'topk(5, b)']);
    first.end(a);
    await first.settled();
    expect(onDisk(t.dir)).toEqual(['topk(5, b)']);
    // The process dies here: no end() for the second query.
    const second = QueryJournal.open(t.dir);
    expect(second.interrupted.map((q) => q.query)).toEqual(['topk(5, b)']);
    expect(second.interrupted[0]!.startedMs).toBeGreaterThan(0);
    expect(onDisk(t.dir)).toEqual([]);
    expect(QueryJournal.open(t.dir).interrupted).toEqual([]);
  });

  it('treats an unreadable journal as empty and says so', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, queryJournalFile), '{"version":1,"running":[{"query":"x"');
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (msg, fields) => warnings.push(`${msg} ${JSON.stringify(fields)}`) };
    expect(QueryJournal.open(t.dir, log).interrupted).toEqual([]);
    expect(warnings.join('\n')).toMatch(/unreadable running-queries journal.*running-queries\.json/);
  });

  it('a journal that cannot be written never fails a query', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (msg) => warnings.push(msg) };
    const journal = QueryJournal.open(join(t.dir, 'missing-dir'), log);
    expect(() => journal.end(journal.begin('up'))).not.toThrow();
    await expect(journal.settled()).resolves.toBeUndefined();
    expect(warnings).toEqual(['cannot record running queries']);
  });

  it('the query service records each query while it runs, errors included', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const journal = QueryJournal.open(t.dir);
    let finish: (() => void) | undefined;
    const engine = {
      options: { lookbackDelta: 300_000, maxSamples: 1e6, maxQueryBytes: 1e9 },
      instantQuery: (_s: unknown, _e: unknown, _t: number) =>
        new Promise((resolve, reject) => {
          finish = () => reject(new Error('boom'));
          void resolve;
        }),
    } as unknown as PromQLEngine;
    const service = new EngineQueryService(engine, new MemoryStorage(), new MetadataStore(), { journal });
    const running = service.query({ query: 'up == 0' });
    await journal.settled();
    expect(onDisk(t.dir)).toEqual(['up == 0']);
    // The pre-run estimate reads the index first; the engine is reached a turn later.
    await vi.waitFor(() => expect(finish).toBeDefined());
    finish!();
    await expect(running).rejects.toThrow('boom');
    await journal.settled();
    expect(onDisk(t.dir)).toEqual([]);
  });

  it('with a delay, writes only the queries still running after it, and rewrites when one of those ends', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const journal = QueryJournal.open(t.dir, undefined, { delayMs: 30 });
    const quick = journal.begin('quick');
    journal.end(quick);
    const slow = journal.begin('slow');
    expect(onDisk(t.dir)).toEqual([]);
    await vi.waitFor(() => expect(onDisk(t.dir)).toEqual(['slow']));
    journal.end(slow);
    await journal.settled();
    expect(onDisk(t.dir)).toEqual([]);
    // A crash while a long query runs still names it at the next start.
    journal.begin('crashes');
    await vi.waitFor(() => expect(onDisk(t.dir)).toEqual(['crashes']));
    await journal.settled();
    expect(QueryJournal.open(t.dir).interrupted.map((q) => q.query)).toEqual(['crashes']);
  });

  it('coalesces the changes made while a write is in flight into one more write with the latest list', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const journal = QueryJournal.open(t.dir);
    const tokens = ['a', 'b', 'c', 'd'].map((q) => journal.begin(q));
    journal.end(tokens[1]!);
    journal.end(tokens[3]!);
    // Nothing was written synchronously: the event loop was not held by the disk.
    expect(onDisk(t.dir)).toEqual([]);
    await journal.settled();
    expect(onDisk(t.dir)).toEqual(['a', 'c']);
  });
});
