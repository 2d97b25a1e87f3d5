/**
 * Remote read, wired: the storage queries see (local storage merged with the `remote_read`
 * endpoints, main/remote/fanout.ts) and the running config applied on every load and reload.
 * Rules, alerts and backtests keep querying local storage only.
 */
import type { Config } from '../config/schema.js';
import { FanoutStorage } from '../remote/fanout.js';
import { readRemotesOf, type RemoteReadClient } from '../remote/read-client.js';
import type { TSDB } from '../tsdb/db.js';

/** How long the local start (an SQL aggregate over the chunk table) is reused. */
const localStartCacheMs = 10_000;

export class RemoteRead {
  readonly storage: FanoutStorage;
  private clients: Map<string, RemoteReadClient> = new Map();
  private start = { at: -Infinity, value: 0 };

  constructor(
    tsdb: TSDB,
    private readonly userAgent: string,
    now: () => number,
  ) {
    // Prometheus takes its first block's start; Vigil seals chunks continuously, so the oldest
    // sealed chunk is where local data begins (now, when nothing is sealed yet).
    this.storage = new FanoutStorage(tsdb, () => {
      const t = now();
      if (t - this.start.at > localStartCacheMs) this.start = { at: t, value: tsdb.oldestChunkTime() ?? t };
      return this.start.value;
    });
  }

  apply(cfg: Config): void {
    const { remotes, clients } = readRemotesOf(cfg, this.userAgent, this.clients);
    this.clients = clients;
    this.storage.setRemotes(remotes);
  }

  stop(): void {
    this.storage.setRemotes([]);
    for (const c of this.clients.values()) c.close();
    this.clients = new Map();
  }
}
