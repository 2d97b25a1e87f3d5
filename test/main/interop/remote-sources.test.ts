// Remote data sources against Debian's VictoriaMetrics (basic auth on): a source added through the
// contract answers instant and range queries, label names and values and metric names as
// VictoriaMetrics' own API does; the page never gets the password back; a wrong password or a
// removed source is an error naming the source; X-Scope-OrgID and custom headers are sent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../main/engine.js';
import { encodeWriteRequest, snappyCompress } from '../../../main/remote/proto.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { freePort } from './peers.js';
import { Proc } from './remote-peers.js';
import { existsSync } from 'node:fs';

const vmBin = '/usr/bin/victoria-metrics';
const skip = existsSync(vmBin) ? '' : `${vmBin} not installed (Debian package victoria-metrics)`;
const auth = 'Basic ' + Buffer.from('vigil:s3cret').toString('base64');

describe.skipIf(skip !== '')(`remote data sources: VictoriaMetrics through the engine${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let vm: Proc | null = null;
  let engine: Engine | null = null;
  let cleanup = (): void => {};
  // VictoriaMetrics hides the last 30 s from queries (-search.latencyOffset): use older samples.
  const end = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
  const start = end - 30 * 60_000;

  beforeAll(async () => {
    vm = new Proc('victoria-metrics', await freePort(), (dir, port) => ({
      bin: vmBin,
      args: [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dir, 'data')}`, '-retentionPeriod=100y', '-loggerLevel=ERROR', '-httpAuth.username=vigil', '-httpAuth.password=s3cret'],
    }), '/health');
    await vm.start();
    const timeseries = ['a', 'b'].map((host, k) => {
      const samples: { value: number; timestamp: number }[] = [];
      for (let t = start; t <= end; t += 15_000) samples.push({ timestamp: t, value: k * 100 + (t - start) / 15_000 });
      return { labels: [{ name: '__name__', value: 'vm_demo_total' }, { name: 'host', value: host }, { name: 'job', value: 'demo' }], samples };
    });
    const res = await fetch(`${vm.url}/api/v1/write`, { method: 'POST', headers: { Authorization: auth, 'Content-Encoding': 'snappy' }, body: Buffer.from(snappyCompress(encodeWriteRequest({ timeseries }))) });
    expect(res.status).toBe(204);
    await fetch(`${vm.url}/internal/force_flush`, { headers: { Authorization: auth } });
    const t = tempDir('vigil-sources-');
    cleanup = t.cleanup;
    const configFile = join(t.dir, 'vigil.yml');
    writeFileSync(configFile, 'scrape_configs: []\n');
    engine = await Engine.start({ dataDir: join(t.dir, 'data'), configFile, shell: 'test', inProcessStorage: true, logger: silentLogger });
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await vm?.destroy();
    cleanup();
  });

  const direct = async (path: string, params: Record<string, string>) =>
    (await (await fetch(`${vm!.url}${path}?${new URLSearchParams(params).toString()}`, { headers: { Authorization: auth } })).json()) as { data: unknown };

  it('answers queries, labels and metric names as VictoriaMetrics does, and never hands the password back', async () => {
    const api = engine!.api;
    const saved = await api.saveRemoteSource({ name: 'VM', kind: 'victoriametrics', url: vm!.url, auth: { kind: 'basic', username: 'vigil', password: 's3cret' } });
    expect(saved.auth).toEqual({ kind: 'basic', username: 'vigil', hasSecret: true });
    expect(JSON.stringify(await api.remoteSources({}))).not.toContain('s3cret');
    expect(await api.testRemoteSource({ uid: saved.uid })).toEqual({ ok: true, message: 'VM answers queries' });

    // Instant query, against VictoriaMetrics' own answer.
    const q = 'sum by (host) (rate(vm_demo_total[5m]))';
    const ours = await api.query({ query: q, time: end, source: saved.uid });
    const theirs = (await direct('/api/v1/query', { query: q, time: String(end / 1000) })).data as { result: { metric: Record<string, string>; value: [number, string] }[] };
    expect(ours.result.resultType).toBe('vector');
    const samples = ours.result.resultType === 'vector' ? ours.result.samples : [];
    expect(samples.map((s) => [s.labels, s.t, s.v])).toEqual(theirs.result.map((r) => [r.metric, r.value[0] * 1000, Number(r.value[1])]));
    expect(samples).toHaveLength(2);

    // Range query on the contract's columns: every step has its value.
    const range = await api.queryRange({ query: 'vm_demo_total{host="b"}', start, end, step: 60_000, source: saved.uid });
    expect(range.result.timestamps).toHaveLength(31);
    expect(range.result.series).toHaveLength(1);
    expect(range.result.series[0]!.values).toEqual(range.result.timestamps.map((t) => 100 + (t - start) / 15_000));

    // Completion: label names, values (filtered on the engine side) and metric names.
    expect((await api.labelNames({ source: saved.uid })).values).toEqual(expect.arrayContaining(['__name__', 'host', 'job']));
    expect((await api.labelValues({ name: 'host', search: 'b', source: saved.uid })).values).toEqual(['b']);
    expect((await api.metadata({ search: 'vm_demo', source: saved.uid })).metrics.map((m) => m.name)).toEqual(['vm_demo_total']);
    // The same channels without a source (or naming "vigil") answer from this engine, which holds nothing of it.
    expect((await api.labelValues({ name: 'host', source: 'vigil' })).values).toEqual([]);
    expect((await api.query({ query: 'vm_demo_total', time: end })).result).toEqual({ resultType: 'vector', samples: [] });

    // An update without a password keeps it; a wrong one fails naming the source.
    await api.saveRemoteSource({ uid: saved.uid, name: 'VM', kind: 'victoriametrics', url: vm!.url, auth: { kind: 'basic', username: 'vigil' } });
    // (VictoriaMetrics answers a bare number as a one-sample vector.)
    expect((await api.query({ query: '7', time: end, source: saved.uid })).result).toEqual({ resultType: 'vector', samples: [{ labels: {}, t: end, v: 7 }] });
    await api.saveRemoteSource({ uid: saved.uid, name: 'VM', kind: 'victoriametrics', url: vm!.url, auth: { kind: 'basic', username: 'vigil', password: 'wrong' } });
    await expect(api.query({ query: '1', time: end, source: saved.uid })).rejects.toThrow(/source "VM"/);
    expect((await api.testRemoteSource({ uid: saved.uid })).ok).toBe(false);

    // A Grafana dashboard naming the source keeps it on import (any other Prometheus uid becomes Vigil).
    const dash = JSON.stringify({ uid: 'd', title: 'd', schemaVersion: 39, panels: [{ id: 1, type: 'stat', gridPos: { x: 0, y: 0, w: 6, h: 4 }, datasource: { type: 'prometheus', uid: saved.uid }, targets: [{ refId: 'A', expr: 'up' }] }] });
    const imported = await api.importDashboard({ json: dash, dryRun: true });
    expect(imported.dashboard.panels[0]!.datasource).toEqual({ type: 'prometheus', uid: saved.uid });

    expect(await api.deleteRemoteSource({ uid: saved.uid })).toEqual({ deleted: true });
    await expect(api.query({ query: '1', source: saved.uid })).rejects.toThrow(/no remote source with uid/);
  }, 60_000);

  it('sends X-Scope-OrgID, custom headers and a bearer token (a Mimir-like recorder)', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const srv = http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '2'] } }));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const api = engine!.api;
      const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/prometheus`;
      const s = await api.saveRemoteSource({ name: 'Mimir', kind: 'mimir', url, orgId: 'team-a', headers: { 'X-Extra': 'yes' }, auth: { kind: 'bearer', token: 'tok' } });
      const r = await api.query({ query: '2', time: 1000, source: s.uid });
      expect(r.result).toEqual({ resultType: 'scalar', t: 1000, v: 2 });
      expect(seen[0]).toMatchObject({ 'x-scope-orgid': 'team-a', 'x-extra': 'yes', authorization: 'Bearer tok' });
    } finally {
      srv.close();
    }
  });
});
