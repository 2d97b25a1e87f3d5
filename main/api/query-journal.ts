import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
 * restores itself. Written on every start and end of a query by write-then-rename, so a crash at
 * any moment leaves either the old or the new list. Best effort: a journal that cannot be written
 * is logged once and never fails a query. Format: main/api/README.md.
 */
export class QueryJournal {
  private readonly running = new Map<number, InterruptedQuery>();
  private nextToken = 1;
  private writeFailed = false;

  private constructor(
    private readonly path: string,
    /** What the previous run left behind: queries it started and never finished. */
    readonly interrupted: readonly InterruptedQuery[],
    private readonly log?: Logger,
  ) {}

  static open(dir: string, log?: Logger): QueryJournal {
    const path = join(dir, queryJournalFile);
    const journal = new QueryJournal(path, readJournal(path, log), log);
    if (journal.interrupted.length > 0) {
      log?.warn('queries were running when Vigil last stopped unexpectedly; they are not re-run', {
        queries: journal.interrupted.map((q) => q.query).join(' | '),
      });
    }
    journal.write();
    return journal;
  }

  begin(query: string): number {
    const token = this.nextToken++;
    this.running.set(token, { query, startedMs: Date.now() });
    this.write();
    return token;
  }

  end(token: number): void {
    if (this.running.delete(token)) this.write();
  }

  private write(): void {
    const body = JSON.stringify({ version: 1, running: [...this.running.values()] });
    try {
      writeFileSync(this.path + '.tmp', body);
      renameSync(this.path + '.tmp', this.path);
    } catch (err) {
      if (!this.writeFailed) this.log?.warn('cannot record running queries', { file: this.path, error: (err as Error).message });
      this.writeFailed = true;
    }
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
