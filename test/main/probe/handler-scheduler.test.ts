import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { handleProbe, probeTimeoutSeconds } from '../../../main/probe/handler.js';
import { ProbeScheduler } from '../../../main/probe/scheduler.js';
import { ProbeHistory } from '../../../main/probe/history.js';
import { parseModules } from '../../../main/probe/module-config.js';
import { probeStatuses } from '../../../main/probe/status.js';
import { ProbesResponseSchema } from '../../../app/api/probes.js';
import { isStaleNaN, type Appendable, type Appender } from '../../../main/tsdb/interface.js';
import { labelsToRecord, type Labels } from '../../../main/tsdb/labels.js';
import { httpServer, type Closable } from './fixtures-servers.js';

/** In-memory storage: committed samples only. */
class MemoryAppendable implements Appendable {
  readonly committed: { labels: Record<string, string>; t: number; v: number }[] = [];
  appender(): Appender {
    const pending: { labels: Record<string, string>; t: number; v: number }[] = [];
    return {
      append: (series: Labels | number, t: number, v: number) => {
        if (typeof series === 'number') throw new Error('refs not supported');
        pending.push({ labels: labelsToRecord(series), t, v });
        return pending.length;
      },
      commit: async () => {
        this.committed.push(...pending.splice(0));
      },
      rollback: () => void pending.splice(0),
    };
  }
}

const modules = parseModules('modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n  slow:\n    prober: http\n');

describe('/probe handler', () => {
  let server: Closable;
  beforeAll(async () => {
    server = await httpServer();
  });
  afterAll(() => server.close());

  it('answers like blackbox_exporter: 400s, exposition, debug page', async () => {
    const unknown = await handleProbe(new URLSearchParams({ module: 'nope', target: 'x' }), {}, { modules });
    expect([unknown.status, unknown.body]).toEqual([400, 'Unknown module "nope"\n']);
    const noTarget = await handleProbe(new URLSearchParams({ module: 'http_2xx' }), {}, { modules });
    expect([noTarget.status, noTarget.body]).toEqual([400, 'Target parameter is missing\n']);
    const ok = await handleProbe(new URLSearchParams({ module: 'http_2xx', target: `http://127.0.0.1:${server.port}/` }), {}, { modules });
    expect(ok.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(ok.body).toMatch(/^# HELP probe_dns_lookup_time_seconds /);
    expect(ok.body).toMatch(/\nprobe_success 1\n/);
    const history = new ProbeHistory();
    const dbg = await handleProbe(new URLSearchParams({ module: 'http_2xx', target: `http://127.0.0.1:${server.port}/503`, debug: 'true' }), {}, { modules, history });
    expect(dbg.body).toMatch(/^Logs for the probe:\nts=\S+ caller=probe module=http_2xx target=http:\/\/127\.0\.0\.1:\d+\/503 level=info msg="Beginning probe"/);
    expect(dbg.body).toMatch(/level=error msg="Invalid HTTP response status code" status_code=503/);
    expect(dbg.body).toMatch(/\n\n\n\nMetrics that would have been returned:\n# HELP/);
    expect(dbg.body).toMatch(/\n\n\n\nModule configuration:\nprober: http\ntimeout: 2s\n/);
    expect(history.get('/probe', 'http_2xx', `http://127.0.0.1:${server.port}/503`)).toHaveLength(1);
  });

  it('hides secrets on the debug page', async () => {
    const withAuth = parseModules(
      'modules:\n  auth:\n    prober: http\n    timeout: 1s\n    http:\n      basic_auth:\n        username: u\n        password: hunter2\n  tok:\n    prober: http\n    timeout: 1s\n    http:\n      bearer_token: tok123\n',
    );
    const dbg = await handleProbe(new URLSearchParams({ module: 'auth', target: `http://127.0.0.1:${server.port}/`, debug: 'true' }), {}, { modules: withAuth });
    expect(dbg.body).not.toMatch(/hunter2/);
    expect(dbg.body).toMatch(/password: <secret>/);
    const tok = await handleProbe(new URLSearchParams({ module: 'tok', target: `http://127.0.0.1:${server.port}/`, debug: 'true' }), {}, { modules: withAuth });
    expect(tok.body).not.toMatch(/tok123/);
    expect(tok.body).toMatch(/credentials: <secret>/);
    // blackbox validates its HTTP client config as Prometheus does.
    expect(() => parseModules('modules:\n  both:\n    prober: http\n    http:\n      basic_auth: {username: u}\n      bearer_token: t\n')).toThrow(
      'at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured',
    );
  });

  it("derives the timeout from Prometheus' header as blackbox does", () => {
    expect(probeTimeoutSeconds(modules.get('http_2xx')!, '10')).toBe(2);
    expect(probeTimeoutSeconds(modules.get('http_2xx')!, '1')).toBe(0.5);
    expect(probeTimeoutSeconds(modules.get('slow')!, undefined)).toBe(119.5);
    expect(probeTimeoutSeconds(modules.get('slow')!, 'abc')).toBeInstanceOf(Error);
  });
});

describe('ProbeScheduler', () => {
  let server: Closable;
  beforeAll(async () => {
    server = await httpServer();
  });
  afterAll(() => server.close());

  it('appends job/instance/module-labelled samples, keeps a bounded log, and marks stale on stop', async () => {
    const storage = new MemoryAppendable();
    const target = `http://127.0.0.1:${server.port}/`;
    const scheduler = new ProbeScheduler({
      appendable: storage,
      modules,
      configs: [{ job_name: 'web', module: 'http_2xx', targets: [target, 'http://127.0.0.1:1/'], scrape_interval: 60_000, scrape_timeout: 5_000 }],
      history: new ProbeHistory(3),
    });
    for (let i = 0; i < 4; i++) await scheduler.runAll();
    const success = storage.committed.filter((s) => s.labels['__name__'] === 'probe_success');
    expect(success).toHaveLength(8);
    expect(success.find((s) => s.labels['instance'] === target)).toMatchObject({ labels: { job: 'web', module: 'http_2xx', instance: target }, v: 1 });
    expect(success.find((s) => s.labels['instance'] === 'http://127.0.0.1:1/')?.v).toBe(0);
    const runs = scheduler.history.get('web', 'http_2xx', 'http://127.0.0.1:1/');
    expect(runs).toHaveLength(3);
    expect(runs[0]!.log.some((e) => e.level === 'error' && /ECONNREFUSED/.test(JSON.stringify(e.fields)))).toBe(true);
    const statuses = probeStatuses(scheduler);
    expect(ProbesResponseSchema.parse({ probes: statuses }).probes).toHaveLength(2);
    const down = statuses.find((p) => p.target === 'http://127.0.0.1:1/')!;
    expect(down).toMatchObject({ job: 'web', module: 'http_2xx', prober: 'http', success: false });
    expect(down.failure).toMatch(/ECONNREFUSED/);
    expect(down.recentDurationsMs).toHaveLength(3);
    expect(statuses.find((p) => p.target === target)?.failure).toBeNull();
    scheduler.start();
    await scheduler.stop();
    const stale = storage.committed.filter((s) => isStaleNaN(s.v));
    expect(stale.length).toBeGreaterThan(0);
    expect(stale.some((s) => s.labels['__name__'] === 'probe_success' && s.labels['instance'] === target)).toBe(true);
  });

  it('runs probes on its own timers until stopped, and can start again', async () => {
    const storage = new MemoryAppendable();
    const scheduler = new ProbeScheduler({
      appendable: storage,
      modules,
      configs: [{ job_name: 'tick', module: 'http_2xx', targets: [`http://127.0.0.1:${server.port}/`], scrape_interval: 50, scrape_timeout: 50 }],
    });
    const runs = (): number => scheduler.history.get('tick', 'http_2xx', `http://127.0.0.1:${server.port}/`).length;
    const waitFor = async (n: number): Promise<void> => {
      for (let i = 0; i < 200 && runs() < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    scheduler.start();
    await waitFor(2);
    await scheduler.stop();
    const afterStop = runs();
    expect(afterStop).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 120));
    expect(runs()).toBe(afterStop);
    scheduler.start();
    await waitFor(afterStop + 1);
    await scheduler.stop();
    expect(runs()).toBeGreaterThan(afterStop);
  });

  it('refuses a config naming an unknown module', () => {
    expect(() => new ProbeScheduler({ appendable: new MemoryAppendable(), modules, configs: [{ job_name: 'x', module: 'nope', targets: ['a'], scrape_interval: 1000, scrape_timeout: 1000 }] })).toThrow(/unknown module "nope"/);
  });
});
