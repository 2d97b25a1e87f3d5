// Dashboard variables, the topology view and rule backtests on a remote data source, against
// Debian's VictoriaMetrics: the same Linkerd mesh history is imported into VictoriaMetrics and
// into a reference Vigil; a second Vigil that holds nothing itself must answer, through the
// source, what the reference answers from its own storage — and nothing without the source.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestOf } from '../../../app/api/channels.js';
import { resolveVariables, type VariableModel } from '../../../app/dashboards/variables.js';
import { Engine } from '../../../main/engine.js';
import { importFile } from '../../../main/import/import-file.js';
import { silentLogger } from '../../../main/util/log.js';
import { dumpFamilies } from '../../../main/workload/dump.js';
import { meshFamilies, meshModel } from '../../../main/workload/mesh.js';
import { variableSource } from '../../../renderer/dashboards/variable-source.js';
import { tempDir } from '../helpers.js';
import { freePort } from './peers.js';
import { Proc } from './remote-peers.js';

const vmBin = '/usr/bin/victoria-metrics';
const skip = existsSync(vmBin) ? '' : `${vmBin} not installed (Debian package victoria-metrics)`;
const auth = 'Basic ' + Buffer.from('vigil:pw').toString('base64');
const stepMs = 15_000;
const samples = 41;
// VictoriaMetrics hides the last 30 s from queries (-search.latencyOffset): the history ends earlier.
const endMs = Math.floor(Date.now() / 60_000) * 60_000 - 180_000;
const startMs = endMs - (samples - 1) * stepMs;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-12, Math.abs(b));

describe.skipIf(skip !== '')(`pages on a remote source: VictoriaMetrics${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let vm: Proc | null = null;
  let remote: Engine | null = null;
  let reference: Engine | null = null;
  let uid = '';
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    vm = new Proc('victoria-metrics', await freePort(), (dir, port) => ({
      bin: vmBin,
      args: [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dir, 'data')}`, '-retentionPeriod=100y', '-loggerLevel=ERROR', '-httpAuth.username=vigil', '-httpAuth.password=pw'],
    }), '/health');
    await vm.start();
    const t = tempDir('vigil-source-pages-');
    cleanups.push(t.cleanup);
    const file = join(t.dir, 'mesh.prom');
    dumpFamilies({ out: file, format: 'prometheus', samples, stepMs, startMs }, [meshFamilies(meshModel(3), 'linkerd', { startSec: 5000, integer: false })]);
    const res = await fetch(`${vm.url}/api/v1/import/prometheus`, { method: 'POST', headers: { Authorization: auth }, body: readFileSync(file) });
    expect(res.status).toBe(204);
    await fetch(`${vm.url}/internal/force_flush`, { headers: { Authorization: auth } });
    const configFile = join(t.dir, 'vigil.yml');
    writeFileSync(configFile, 'scrape_configs: []\n');
    remote = await Engine.start({ dataDir: join(t.dir, 'remote'), configFile, shell: 'test', inProcessStorage: true, logger: silentLogger });
    await remote.startCollection({ selfAddress: '127.0.0.1:1', externalURL: 'http://127.0.0.1:1' });
    reference = await Engine.start({ dataDir: join(t.dir, 'reference'), configFile, shell: 'test', inProcessStorage: true, logger: silentLogger });
    await reference.startCollection({ selfAddress: '127.0.0.1:1', externalURL: 'http://127.0.0.1:1' });
    expect((await importFile(file, reference.tsdb, { format: 'prometheus' })).rejected).toEqual({});
    uid = (await remote.api.saveRemoteSource({ name: 'VM', kind: 'victoriametrics', url: vm.url, auth: { kind: 'basic', username: 'vigil', password: 'pw' } })).uid;
  }, 90_000);

  afterAll(async () => {
    await remote?.stop();
    await reference?.stop();
    await vm?.destroy();
    for (const c of cleanups) c();
  });

  it('dashboard variables: label_values, metrics and query_result on the source a datasource variable picks', async () => {
    const defs: VariableModel[] = [
      { name: 'ds', type: 'datasource', query: 'prometheus', current: { value: uid } },
      { name: 'dst', type: 'query', query: 'label_values(response_total{direction="inbound"}, deployment)', datasource: { type: 'prometheus', uid: '${ds}' } },
      { name: 'metric', type: 'query', query: 'metrics(^response_.*)', datasource: { type: 'prometheus', uid: '$ds' } },
      { name: 'ns', type: 'query', query: 'query_result(count by (namespace) (response_total))', regex: '/namespace="([^"]+)"/', sort: 1, datasource: { type: 'prometheus', uid: '$ds' } },
    ];
    const range = { fromMs: startMs, toMs: endMs };
    const onSource = await resolveVariables(defs, { ...range, source: variableSource(remote!.api) });
    expect(onSource.get('ds')!.options.map((o) => o.value)).toEqual(['vigil', uid]);
    expect(onSource.get('ds')!.selected).toEqual([uid]);
    // The same dashboard on the reference engine (datasource Vigil) answers from its own storage.
    const local = await resolveVariables(defs, { ...range, source: variableSource(reference!.api), urlValues: { ds: ['vigil'] } });
    for (const name of ['dst', 'metric', 'ns']) {
      expect(onSource.get(name)!.error, name).toBeNull();
      expect(onSource.get(name)!.options.length, name).toBeGreaterThan(1);
      expect(onSource.get(name)!.options, name).toEqual(local.get(name)!.options);
    }
    expect(onSource.get('metric')!.options.map((o) => o.value)).toEqual(['response_latency_ms_bucket', 'response_latency_ms_count', 'response_latency_ms_sum', 'response_total']);
    // Picking Vigil on the engine that holds nothing: no options.
    const back = await resolveVariables(defs, { ...range, source: variableSource(remote!.api), urlValues: { ds: ['vigil'] } });
    expect(back.get('dst')!.options).toEqual([]);
  }, 30_000);

  it('topology: the graph on the source has the reference graph’s nodes, edges and rates', async () => {
    const request: RequestOf<'topology'> = { time: endMs, windowMs: 120_000 };
    const want = await reference!.api.topology(request);
    const got = await remote!.api.topology({ ...request, source: uid });
    expect(want.dialect).toBe('linkerd');
    expect(got.dialect).toBe('linkerd');
    expect(got.available).toEqual(['linkerd']);
    expect(got.nodes.map((n) => n.id).sort()).toEqual(want.nodes.map((n) => n.id).sort());
    expect(got.edges.map((e) => e.id).sort()).toEqual(want.edges.map((e) => e.id).sort());
    expect(got.edges.length).toBeGreaterThan(5);
    for (const e of want.edges) {
      const g = got.edges.find((x) => x.id === e.id)!;
      // VictoriaMetrics' rate does not extrapolate to the window's ends as Prometheus' does.
      expect(rel(g.rps, e.rps), `${e.id} rps ${g.rps} vs ${e.rps}`).toBeLessThan(0.05);
      expect(g.health, e.id).toBe(e.health);
    }
    // Without the source, the engine that holds nothing has no graph.
    expect((await remote!.api.topology(request)).dialect).toBeNull();
  }, 60_000);

  it('backtest: a rule replayed over the source’s history fires where the reference’s does; the local one stays quiet', async () => {
    const rule = { alert: 'Failing', expr: 'sum by (deployment) (rate(response_total{classification="failure",direction="inbound"}[1m])) > 0', forSeconds: 60, keepFiringForSeconds: 0, labels: {}, annotations: {} };
    const span = { rule, startMs: startMs + 120_000, endMs, stepMs: 30_000 };
    const want = await reference!.api.backtest(span);
    const got = await remote!.api.backtest({ ...span, source: uid });
    const shape = (r: typeof want) => r.edited.alerts.map((a) => [a.labels, a.intervals.map((i) => [i.state, i.startMs, i.endMs])]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(want.edited.alerts.length).toBeGreaterThan(0);
    expect(shape(got)).toEqual(shape(want));
    expect((await remote!.api.backtest(span)).edited.alerts).toEqual([]);
    await expect(remote!.api.backtest({ ...span, source: 'nope' })).rejects.toThrow(/no remote source with uid "nope"/);
  }, 60_000);
});
