/**
 * Local storage merged with the `remote_read` endpoints, as Prometheus' fanout storage and merge
 * querier do (storage/fanout.go, storage/merge.go, storage/remote/read.go):
 *
 * * Local storage is the primary: its errors fail the query. Each remote is a secondary: its
 *   failure becomes a warning of the answer and the query goes on with what the others gave.
 * * Series with the same labels are one series; where two of them hold a sample at the same
 *   timestamp the local one wins (then the remotes in config order).
 * * `read_recent: false` (the default) asks a remote only for what is older than the local
 *   start (the oldest sample Vigil holds; now when it holds none): a range entirely after it
 *   does not go remote at all, and a range across it is cut there.
 * * `required_matchers`: a select goes to the remote only when it has an equality matcher for
 *   each of them.
 * * External labels (unless `filter_external_labels: false`): each one the select does not
 *   constrain is added as an equality matcher, and removed from the series that come back.
 * * Label names and values come from local storage only: Prometheus' remote read has no call
 *   for them (its remote querier answers "not implemented").
 */
import type { MatchOp } from '../../app/dialect/matcher.js';
import type { Matcher, NativeHistogram, Querier, Queryable, SampleArrays, SelectHints, SeriesSet, StoredSeries } from '../tsdb/interface.js';
import { compareLabels, labelsKey, normalizeLabels, type Labels } from '../tsdb/labels.js';
import type { PbTimeSeries } from './proto.js';
import type { ReadMatcher, ReadQuery } from './read-client.js';

/** One remote_read endpoint as the fanout uses it. */
export interface ReadRemote {
  readonly name: string;
  read(q: ReadQuery, signal?: AbortSignal): Promise<PbTimeSeries[]>;
  readonly readRecent: boolean;
  readonly requiredMatchers: Readonly<Record<string, string>>;
  /** The external labels to add and filter; empty with filter_external_labels: false. */
  readonly externalLabels: Readonly<Record<string, string>>;
}

const matchTypes: Readonly<Record<MatchOp, number>> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };

export class FanoutStorage implements Queryable {
  private remotes: readonly ReadRemote[] = [];

  constructor(
    private readonly local: Queryable,
    /** The oldest time local storage answers for (ms); read only when a remote has read_recent: false. */
    private readonly localStartMs: () => number,
  ) {}

  /** The remotes of the running config (replaces the previous list; queries already running keep theirs). */
  get hasRemotes(): boolean {
    return this.remotes.length > 0;
  }

  setRemotes(remotes: readonly ReadRemote[]): void {
    this.remotes = remotes;
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    const local = await this.local.querier(mint, maxt);
    if (this.remotes.length === 0) return local;
    let localStart: number | undefined;
    const parts: RemotePart[] = [];
    for (const remote of this.remotes) {
      if (remote.readRecent) {
        parts.push({ remote, maxt });
        continue;
      }
      localStart ??= this.localStartMs();
      if (mint > localStart) continue;
      parts.push({ remote, maxt: Math.min(maxt, localStart) });
    }
    return parts.length === 0 ? local : new FanoutQuerier(local, parts, mint);
  }
}

interface RemotePart {
  readonly remote: ReadRemote;
  /** The end of what is asked of this remote (cut at the local start without read_recent). */
  readonly maxt: number;
}

/** Prometheus' required-matchers check: every required pair appears as an equality matcher. */
function requirementsMet(required: Readonly<Record<string, string>>, matchers: readonly Matcher[]): boolean {
  for (const [name, value] of Object.entries(required)) {
    if (!matchers.some((m) => m.op === '=' && m.name === name && m.value === value)) return false;
  }
  return true;
}

class FanoutQuerier implements Querier {
  constructor(
    private readonly local: Querier,
    private readonly remotes: readonly RemotePart[],
    private readonly mint: number,
  ) {}

  async select(matchers: readonly Matcher[], hints?: SelectHints): Promise<SeriesSet> {
    const remoteHints = hints?.seriesOnly ? undefined : { ...(hints?.step !== undefined ? { stepMs: hints.step } : {}), ...(hints?.func !== undefined ? { func: hints.func } : {}), ...(hints?.range !== undefined ? { rangeMs: hints.range } : {}) };
    const [localSet, ...remoteSets] = await Promise.all([
      this.local.select(matchers, hints),
      ...this.remotes.map((p) => this.selectRemote(p, matchers, remoteHints, hints?.signal)),
    ]);
    const warnings = [...localSet.warnings];
    const sets: (readonly StoredSeries[])[] = [localSet.series];
    for (const r of remoteSets) {
      if (typeof r === 'string') warnings.push(r);
      else sets.push(r);
    }
    hints?.signal?.throwIfAborted();
    const merged = mergeSeriesSets(sets);
    return { series: hints?.limit !== undefined && hints.limit > 0 ? merged.slice(0, hints.limit) : merged, warnings };
  }

  /** The remote's series, or a warning naming it. */
  private async selectRemote(p: RemotePart, matchers: readonly Matcher[], hints: ReadQuery['hints'], signal: AbortSignal | undefined): Promise<StoredSeries[] | string> {
    const r = p.remote;
    if (!requirementsMet(r.requiredMatchers, matchers)) return [];
    const added: string[] = [];
    const wire: ReadMatcher[] = matchers.map((m) => ({ type: matchTypes[m.op], name: m.name, value: m.value }));
    for (const [name, value] of Object.entries(r.externalLabels)) {
      if (matchers.some((m) => m.name === name)) continue;
      wire.push({ type: 0, name, value });
      added.push(name);
    }
    try {
      const got = await r.read({ startMs: this.mint, endMs: p.maxt, matchers: wire, ...(hints !== undefined ? { hints } : {}) }, signal);
      return got.map((ts) => remoteSeries(ts, added, this.mint, p.maxt));
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      return `remote_read ${JSON.stringify(r.name)}: ${(err as Error).message}`;
    }
  }

  labelNames(matchers?: readonly Matcher[]): Promise<string[]> {
    return this.local.labelNames(matchers);
  }

  labelValues(name: string, matchers?: readonly Matcher[]): Promise<string[]> {
    return this.local.labelValues(name, matchers);
  }

  close(): void {
    this.local.close();
  }
}

/** A series from a remote: labels without the added external ones, samples within [mint, maxt] in time order. */
function remoteSeries(ts: PbTimeSeries, dropped: readonly string[], mint: number, maxt: number): StoredSeries {
  const labels = normalizeLabels(ts.labels.filter((l) => !dropped.includes(l.name)));
  const kept = ts.samples.filter((s) => s.timestamp >= mint && s.timestamp <= maxt);
  for (let i = 1; i < kept.length; i++) {
    if (kept[i]!.timestamp < kept[i - 1]!.timestamp) {
      kept.sort((a, b) => a.timestamp - b.timestamp);
      break;
    }
  }
  const t = new Float64Array(kept.length);
  const v = new Float64Array(kept.length);
  for (let i = 0; i < kept.length; i++) {
    t[i] = kept[i]!.timestamp;
    v[i] = kept[i]!.value;
  }
  const arrays: SampleArrays = { t, v };
  return { labels, samples: () => arrays };
}

/**
 * Series of several sets as one sorted set: equal label sets become one series whose samples are
 * the union by timestamp, the earlier set winning a timestamp both hold.
 */
function mergeSeriesSets(sets: readonly (readonly StoredSeries[])[]): StoredSeries[] {
  const byKey = new Map<string, { labels: Labels; parts: StoredSeries[] }>();
  for (const set of sets) {
    for (const s of set) {
      const key = labelsKey(s.labels);
      const have = byKey.get(key);
      if (have === undefined) byKey.set(key, { labels: s.labels, parts: [s] });
      else have.parts.push(s);
    }
  }
  const out: StoredSeries[] = [];
  for (const { labels, parts } of byKey.values()) {
    if (parts.length === 1) out.push(parts[0]!);
    else {
      let merged: SampleArrays | undefined;
      out.push({ labels, samples: () => (merged ??= mergeSamples(parts.map((p) => p.samples()))) });
    }
  }
  return out.sort((a, b) => compareLabels(a.labels, b.labels));
}

/** The union by timestamp of sorted sample arrays; at a shared timestamp the earlier array wins. */
function mergeSamples(parts: readonly SampleArrays[]): SampleArrays {
  const cursor = new Array<number>(parts.length).fill(0);
  const t: number[] = [];
  const from: [number, number][] = [];
  for (;;) {
    let best = -1;
    let bestT = Infinity;
    for (let p = 0; p < parts.length; p++) {
      const i = cursor[p]!;
      if (i < parts[p]!.t.length && parts[p]!.t[i]! < bestT) {
        bestT = parts[p]!.t[i]!;
        best = p;
      }
    }
    if (best < 0) break;
    t.push(bestT);
    from.push([best, cursor[best]!]);
    for (let p = 0; p < parts.length; p++) if (cursor[p]! < parts[p]!.t.length && parts[p]!.t[cursor[p]!] === bestT) cursor[p] = cursor[p]! + 1;
  }
  const tt = Float64Array.from(t);
  // Float64Array to Float64Array copies keep a stale marker's NaN bits.
  const vv = new Float64Array(t.length);
  const anyH = parts.some((p) => p.h !== undefined);
  const hh: (NativeHistogram | undefined)[] | undefined = anyH ? new Array<NativeHistogram | undefined>(t.length) : undefined;
  for (let k = 0; k < from.length; k++) {
    const [p, i] = from[k]!;
    vv[k] = parts[p]!.v[i]!;
    if (hh !== undefined) hh[k] = parts[p]!.h?.[i];
  }
  return hh !== undefined ? { t: tt, v: vv, h: hh } : { t: tt, v: vv };
}
