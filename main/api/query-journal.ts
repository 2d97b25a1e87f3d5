import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../util/log.js';

/** A user query that was running when the engine last stopped without finishing it. */
export interface InterruptedQuery {
  readonly query: string;
  readonly startedMs: number;
}

export const queryJournalFile = 'running-queries.json';

/**
 * The user queries running right now, kept on disk, so that a query which brings the engine down
 * (out of memory, a crash) is named at the next start instead of being run again by a view that
 * restores itself. Written by write-then-rename, so a crash at any moment leaves either the old or
 * the new list: at every start and end of a query, or (with `delayMs`, as the engine opens it)
 * only for queries that run longer than that. The writes after open() go through the thread
 * pool (fs/promises), one at a time, the changes made meanwhile coalesced into the next one:
 * a synchronous write and rename on a busy disk held the event loop for up to ~150 ms
 * (docs/query-frontend.md, "Event-loop lag"). Best effort: a journal that cannot be written
 * is logged once and never fails a query. Format: main/api/README.md.
 */
export class QueryJournal {
  private readonly running = new Map<number, InterruptedQuery>();
  private nextToken = 1;
  private writeFailed = false;

  /** Tokens of the queries the file on disk lists. */
  private written = new Set<number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The write in flight, if any; `again` asks it for one more pass with the latest list. */
  private writing: Promise<void> | null = null;
  private again = false;

  private constructor(
    private readonly path: string,
    /** What the previous run left behind: queries it started and never finished. */
    readonly interrupted: readonly InterruptedQuery[],
    private readonly log: Logger | undefined,
    private readonly delayMs: number,
  ) {}

  /**
   * `delayMs`: a query is written only once it has run this long, so the many short queries of
   * a refreshing dashboard never touch the disk (a write and a rename on the main thread each);
   * 0 writes at every start and end.
   */
  static open(dir: string, log?: Logger, opts: { delayMs?: number } = {}): QueryJournal {
    const path = join(dir, queryJournalFile);
    const journal = new QueryJournal(path, readJournal(path, log), log, opts.delayMs ?? 0);
    if (journal.interrupted.length > 0) {
      log?.warn('queries were running when Vigil last stopped unexpectedly; they are not re-run', {
        queries: journal.interrupted.map((q) => q.query).join(' | '),
      });
    }
    journal.writeNow();
    return journal;
  }

  begin(query: string): number {
    const token = this.nextToken++;
    this.running.set(token, { query, startedMs: Date.now() });
    if (this.delayMs <= 0) this.write();
    else if (this.timer === null) {
      // One timer for all: it writes every query running by then (those begun meanwhile too).
      this.timer = setTimeout(() => {
        this.timer = null;
        this.write();
      }, this.delayMs);
      this.timer.unref?.();
    }
    return token;
  }

  end(token: number): void {
    if (!this.running.delete(token)) return;
    // A finished query must not be named at the next start: rewrite at once if it is on disk.
    if (this.delayMs <= 0 || this.written.has(token)) this.write();
  }

  /** Resolves once the file holds the latest list (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private write(): void {
    if (this.writing) {
      this.again = true;
      return;
    }
    this.writing = this.flush().finally(() => (this.writing = null));
  }

  private async flush(): Promise<void> {
    do {
      this.again = false;
      const body = this.snapshot();
      try {
        await writeFile(this.path + '.tmp', body);
        await rename(this.path + '.tmp', this.path);
      } catch (err) {
        this.failed(err);
      }
    } while (this.again);
  }

  /** Synchronous: only at open, before any query runs. */
  private writeNow(): void {
    const body = this.snapshot();
    try {
      writeFileSync(this.path + '.tmp', body);
      renameSync(this.path + '.tmp', this.path);
    } catch (err) {
      this.failed(err);
    }
  }

  private snapshot(): string {
    this.written = new Set(this.running.keys());
    return JSON.stringify({ version: 1, running: [...this.running.values()] });
  }

  private failed(err: unknown): void {
    if (!this.writeFailed) this.log?.warn('cannot record running queries', { file: this.path, error: (err as Error).message });
    this.writeFailed = true;
  }
}

function readJournal(path: string, log?: Logger): InterruptedQuery[] {
  if (!existsSync(path)) return [];
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown; running?: unknown };
    if (parsed.version !== 1 || !Array.isArray(parsed.running)) throw new Error('not a version 1 journal');
    return parsed.running.filter(
      (q): q is InterruptedQuery => typeof q === 'object' && q !== null && typeof q.query === 'string' && typeof q.startedMs === 'number',
    );
  } catch (err) {
    log?.warn('ignoring an unreadable running-queries journal', { file: path, error: (err as Error).message });
    return [];
  }
}
