// Local storage merged with remote_read endpoints as Prometheus' fanout/merge querier does:
// dedupe, local wins a shared timestamp, read_recent, required_matchers, external labels, and a
// failing remote as a warning.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/config/load.js';
import { PromQLEngine } from '../../../main/promql/engine.js';
import { parseExpr } from '../../../app/promql/parser.js';
import { FanoutStorage, type ReadRemote } from '../../../main/remote/fanout.js';
import type { PbTimeSeries } from '../../../main/remote/proto.js';
import { readRemotesOf, type ReadQuery } from '../../../main/remote/read-client.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import { labelsFromRecord, labelsToRecord } from '../../../main/tsdb/labels.js';
import { StaleNaN, isStaleNaN, type Matcher } from '../../../main/tsdb/interface.js';

const pb = (labels: Record<string, string>, samples: [number, number][]): PbTimeSeries => ({
  labels: Object.entries(labels).map(([name, value]) => ({ name, value })),
  samples: samples.map(([timestamp, value]) => ({ timestamp, value })),
});

/** A remote holding `series`, answering queries as a Prometheus would (matchers applied, range cut), recording what it was asked. */
function fakeRemote(series: PbTimeSeries[], o: Partial<ReadRemote> = {}): ReadRemote & { asked: ReadQuery[] } {
  const asked: ReadQuery[] = [];
  const ops = [(a: string, b: string) => a === b, (a: string, b: string) => a !== b, (a: string, b: string) => new RegExp(`^(?:${b})$`).test(a), (a: string, b: string) => !new RegExp(`^(?:${b})$`).test(a)];
  return {
    name: 'fake',
    readRecent: true,
    requiredMatchers: {},
    externalLabels: {},
    ...o,
    asked,
    read: (q) => {
      asked.push(q);
      const value = (s: PbTimeSeries, n: string) => s.labels.find((l) => l.name === n)?.value ?? '';
      return Promise.resolve(
        series
          .filter((s) => q.matchers.every((m) => ops[m.type]!(value(s, m.name), m.value)))
          .map((s) => ({ labels: s.labels, samples: s.samples.filter((x) => x.timestamp >= q.startMs && x.timestamp <= q.endMs) })),
      );
    },
  };
}

const eq = (name: string, value: string): Matcher => ({ op: '=', name, value });

async function select(storage: FanoutStorage, mint: number, maxt: number, matchers: Matcher[]) {
  const q = await storage.querier(mint, maxt);
  try {
    const set = await q.select(matchers, { start: mint, end: maxt });
    return { warnings: set.warnings, series: set.series.map((s) => ({ labels: labelsToRecord(s.labels), t: [...s.samples().t], v: [...s.samples().v] })) };
  } finally {
    q.close();
  }
}

describe('FanoutStorage', () => {
  it('merges remote series into local ones: same labels are one series, local wins a shared timestamp, the set stays sorted', async () => {
    const local = new MemoryStorage();
    local.add(labelsFromRecord({ __name__: 'm', i: '1' }), 3000, 31);
    local.add(labelsFromRecord({ __name__: 'm', i: '1' }), 4000, 41);
    local.add(labelsFromRecord({ __name__: 'm', i: '3' }), 4000, 43);
    const remote = fakeRemote([pb({ __name__: 'm', i: '1' }, [[1000, 10], [2000, 20], [3000, 99]]), pb({ __name__: 'm', i: '2' }, [[1000, 12]]), pb({ __name__: 'other' }, [[1000, 1]])]);
    const storage = new FanoutStorage(local, () => 0);
    storage.setRemotes([remote]);
    const got = await select(storage, 0, 5000, [eq('__name__', 'm')]);
    expect(got.warnings).toEqual([]);
    expect(got.series).toEqual([
      { labels: { __name__: 'm', i: '1' }, t: [1000, 2000, 3000, 4000], v: [10, 20, 31, 41] },
      { labels: { __name__: 'm', i: '2' }, t: [1000], v: [12] },
      { labels: { __name__: 'm', i: '3' }, t: [4000], v: [43] },
    ]);
    expect(remote.asked.map((q) => [q.startMs, q.endMs])).toEqual([[0, 5000]]);
  });

  it('read_recent: false asks only for what is older than the local start, and nothing for a range after it', async () => {
    const local = new MemoryStorage();
    const remote = fakeRemote([pb({ __name__: 'm' }, [[1000, 1], [5000, 5], [9000, 9]])], { readRecent: false });
    const storage = new FanoutStorage(local, () => 6000);
    storage.setRemotes([remote]);
    expect((await select(storage, 0, 10_000, [eq('__name__', 'm')])).series).toEqual([{ labels: { __name__: 'm' }, t: [1000, 5000], v: [1, 5] }]);
    expect(remote.asked.map((q) => [q.startMs, q.endMs])).toEqual([[0, 6000]]);
    expect((await select(storage, 7000, 10_000, [eq('__name__', 'm')])).series).toEqual([]);
    expect(remote.asked).toHaveLength(1);
  });

  it('required_matchers: only selects with an equality matcher for each required pair go remote', async () => {
    const remote = fakeRemote([pb({ __name__: 'm', env: 'prod' }, [[1000, 1]])], { requiredMatchers: { env: 'prod' } });
    const storage = new FanoutStorage(new MemoryStorage(), () => 0);
    storage.setRemotes([remote]);
    expect((await select(storage, 0, 2000, [eq('__name__', 'm')])).series).toEqual([]);
    expect((await select(storage, 0, 2000, [eq('__name__', 'm'), { op: '=~', name: 'env', value: 'prod' }])).series).toEqual([]);
    expect(remote.asked).toHaveLength(0);
    expect((await select(storage, 0, 2000, [eq('__name__', 'm'), eq('env', 'prod')])).series).toHaveLength(1);
  });

  it('adds unconstrained external labels as matchers and removes them from the answer', async () => {
    const remote = fakeRemote([pb({ __name__: 'm', site: 'a' }, [[1000, 1]]), pb({ __name__: 'm', site: 'b' }, [[1000, 2]])], { externalLabels: { site: 'a' } });
    const local = new MemoryStorage();
    local.add(labelsFromRecord({ __name__: 'm' }), 2000, 7);
    const storage = new FanoutStorage(local, () => 0);
    storage.setRemotes([remote]);
    expect((await select(storage, 0, 3000, [eq('__name__', 'm')])).series).toEqual([{ labels: { __name__: 'm' }, t: [1000, 2000], v: [1, 7] }]);
    expect(remote.asked[0]!.matchers).toEqual([{ type: 0, name: '__name__', value: 'm' }, { type: 0, name: 'site', value: 'a' }]);
    // A select naming the label itself is sent as it is, and the label stays.
    expect((await select(storage, 0, 3000, [eq('__name__', 'm'), { op: '=~', name: 'site', value: '.+' }])).series.map((s) => s.labels)).toEqual([
      { __name__: 'm', site: 'a' },
      { __name__: 'm', site: 'b' },
    ]);
  });

  it('a failing remote is a warning naming it; local series and other remotes still answer', async () => {
    const local = new MemoryStorage();
    local.add(labelsFromRecord({ __name__: 'm', i: 'local' }), 1000, 1);
    const broken: ReadRemote = { ...fakeRemote([]), name: 'archive', read: () => Promise.reject(new Error('error sending request: connect ECONNREFUSED')) };
    const storage = new FanoutStorage(local, () => 0);
    storage.setRemotes([broken, fakeRemote([pb({ __name__: 'm', i: 'remote' }, [[1000, 2]])])]);
    const got = await select(storage, 0, 2000, [eq('__name__', 'm')]);
    expect(got.series.map((s) => s.labels['i'])).toEqual(['local', 'remote']);
    expect(got.warnings).toEqual(['remote_read "archive": error sending request: connect ECONNREFUSED']);
    // …and PromQL answers with the warning rather than failing.
    const engine = new PromQLEngine({ parse: (q) => parseExpr(q) });
    const r = await engine.instantQuery(storage, 'sum(m)', 1000);
    expect(r.warnings.some((w) => w.includes('archive') && w.includes('ECONNREFUSED'))).toBe(true);
    expect(JSON.stringify(r.result)).toContain('3');
  });

  it('keeps a stale marker from local storage when merging', async () => {
    const local = new MemoryStorage();
    local.add(labelsFromRecord({ __name__: 'm' }), 2000, StaleNaN);
    const storage = new FanoutStorage(local, () => 0);
    storage.setRemotes([fakeRemote([pb({ __name__: 'm' }, [[1000, 1], [2000, 5]])])]);
    const q = await storage.querier(0, 3000);
    const s = (await q.select([eq('__name__', 'm')])).series[0]!.samples();
    expect([...s.t]).toEqual([1000, 2000]);
    expect(isStaleNaN(s.v[1]!)).toBe(true);
  });
});

describe('remote_read config', () => {
  it('reads Prometheus defaults and hands external labels to a remote only with filter_external_labels', () => {
    const loaded = parseConfig(
      'global:\n  external_labels: { site: a }\nremote_read:\n  - url: http://127.0.0.1:9/api/v1/read\n    name: archive\n    required_matchers: { env: prod }\n  - url: http://127.0.0.1:9/x\n    read_recent: true\n    filter_external_labels: false\n    remote_timeout: 5s\n    basic_auth: { username: u, password: p }\n',
      'prometheus.yml',
    );
    if (!loaded.ok) throw new Error(loaded.errors.map(String).join('; '));
    const [a, b] = loaded.config.remote_read;
    expect(a).toMatchObject({ name: 'archive', remote_timeout: 60_000, read_recent: false, filter_external_labels: true, required_matchers: { env: 'prod' } });
    expect(b).toMatchObject({ remote_timeout: 5000, read_recent: true, filter_external_labels: false });
    const { remotes, clients } = readRemotesOf(loaded.config, 'Vigil/test', new Map());
    expect(remotes.map((r) => [r.name, r.readRecent, r.externalLabels, r.requiredMatchers])).toEqual([
      ['archive', false, { site: 'a' }, { env: 'prod' }],
      [expect.stringMatching(/^[0-9a-f]{6}$/), true, {}, {}],
    ]);
    // An unchanged block keeps its client on reload.
    const again = readRemotesOf(loaded.config, 'Vigil/test', clients);
    expect([...again.clients.values()]).toEqual([...clients.values()]);
    for (const c of again.clients.values()) c.close();
  });

  it('refuses a bad block naming the field', () => {
    const loaded = parseConfig('remote_read:\n  - url: not a url\n    read_recent: maybe\n', 'prometheus.yml');
    expect(loaded.ok).toBe(false);
    const text = loaded.ok ? '' : loaded.errors.map(String).join('\n');
    expect(text).toContain('invalid URL');
    expect(text).toContain('read_recent');
  });
});
