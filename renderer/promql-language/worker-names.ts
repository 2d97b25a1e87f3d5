/**
 * Every metric name of a source held in a worker (`names-worker.ts`), not on the page's main
 * thread. 200k names handed to the page cost it one long task when they arrive (a structured
 * clone of 200k strings, then the sort check), and with W-fleet scraped the engine is slow
 * enough that they arrived while the user was already typing or running a query. In the worker
 * they are fetched, checked and indexed; each key press posts its search and gets back the
 * ranked page of names (`app/promql/rank-names.ts`, the engine's ranking), at most `limit`.
 */
import { channels } from '../../app/api/channels.js';
import { rankNames } from '../../app/promql/rank-names.js';
import { indexNames, type NameIndex } from './metric-names.js';

type JobBody = { kind: 'load'; url: string; body: string } | { kind: 'rank'; search: string; limit: number };
export type NamesJob = JobBody & { id: number };
export type NamesAnswer = { id: number; ok: true; count?: number; names?: string[] | null } | { id: number; ok: false; error: string };

/** The worker's state: the list of the last successful load. */
export interface NamesState {
  list: { names: string[]; lower: string[] } | null;
}

/** The worker's answer to one job (a failed load keeps the previous list). */
export async function answerNamesJob(state: NamesState, job: NamesJob, fetcher: typeof fetch): Promise<NamesAnswer> {
  if (job.kind === 'rank') return { id: job.id, ok: true, names: state.list === null ? null : rankNames(state.list.names, job.search, job.limit, state.list.lower).names };
  try {
    const res = await fetcher(job.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: job.body });
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) return { id: job.id, ok: false, error: `labelValues from ${job.url}: HTTP ${res.status}` };
    const parsed = channels.labelValues.response.safeParse(json);
    if (!parsed.success) return { id: job.id, ok: false, error: `invalid response from labelValues (${job.url}): ${parsed.error.message}` };
    state.list = indexNames(parsed.data.values);
    return { id: job.id, ok: true, count: state.list.names.length };
  } catch (err) {
    return { id: job.id, ok: false, error: `cannot reach the Vigil engine at ${job.url}: ${(err as Error).message}` };
  }
}

/** What the index needs of a worker (a real one, or the tests' in-process stand-in). */
export interface NamesPort {
  postMessage(job: NamesJob): void;
  onmessage: ((e: MessageEvent<NamesAnswer>) => void) | null;
}

/** A `NameIndex` whose list lives in a worker; reloaded in the background when stale. */
export class WorkerNameIndex implements NameIndex {
  private at: number | null = null;
  private loading = false;
  private nextId = 1;
  private readonly waiting = new Map<number, (a: NamesAnswer) => void>();

  constructor(
    private readonly port: NamesPort,
    /** The `labelValues(__name__)` call: its absolute URL and JSON body. */
    private readonly url: string,
    private readonly body: string,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = () => Date.now(),
  ) {
    port.onmessage = (e) => {
      const done = this.waiting.get(e.data.id);
      this.waiting.delete(e.data.id);
      done?.(e.data);
    };
  }

  private ask(job: JobBody): Promise<NamesAnswer> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.port.postMessage({ ...job, id });
    });
  }

  warm(): void {
    if (this.loading) return;
    if (this.at !== null && this.now() - this.at < this.maxAgeMs) return;
    this.loading = true;
    void this.ask({ kind: 'load', url: this.url, body: this.body }).then((a) => {
      this.loading = false;
      // A failed load: the engine answers searches itself until one succeeds.
      if (a.ok) this.at = this.now();
    });
  }

  async search(search: string, limit: number): Promise<string[] | null> {
    this.warm();
    if (this.at === null) return null;
    const a = await this.ask({ kind: 'rank', search, limit });
    return a.ok ? (a.names ?? null) : null;
  }
}
