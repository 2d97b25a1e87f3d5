// The onboarding import through the engine's channels: a preview validates every file with
// Vigil's loaders and says what would be scraped (targets after relabeling, file_sd read) and
// which rules, tests and dashboards load; apply runs it only when everything is good, and
// keeps it across a restart; a bad file applies nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../../app/api/errors.js';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { until } from '../interop/peers.js';
import { tempDir } from '../helpers.js';

const rules = `groups:
  - name: imported
    rules:
      - alert: Down
        expr: up == 0
        for: 1m
        labels: {severity: page}
      - record: job:up:sum
        expr: sum by (job) (up)
`;
const passingTests = `rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="a", instance="h:1"}'
        values: '0 0 0 0'
    alert_rule_test:
      - eval_time: 2m
        alertname: Down
        exp_alerts:
          - exp_labels: {job: a, instance: "h:1", severity: page}
`;
const config = `global:
  scrape_interval: 30s
  blackbox_config_file: blackbox.yml
  probe_configs:
    - job_name: web
      module: http_2xx
      targets: ["https://example.invalid/"]
rule_files: [rules.yml]
scrape_configs:
  - job_name: static
    static_configs:
      - targets: ["127.0.0.1:9101", "127.0.0.1:9102"]
    relabel_configs:
      - source_labels: [__address__]
        regex: '.*:9102'
        action: drop
  - job_name: files
    file_sd_configs:
      - files: [targets.json]
`;
const dashboard = JSON.stringify({ title: 'Imported board', uid: 'imported-1', panels: [{ type: 'timeseries', title: 'Up', gridPos: { x: 0, y: 0, w: 12, h: 8 }, targets: [{ expr: 'up', refId: 'A' }] }], schemaVersion: 39 });

function writeSet(dir: string, overrides: Record<string, string> = {}): string[] {
  const files: Record<string, string> = {
    'prometheus.yml': config,
    'rules.yml': rules,
    'rules_test.yml': passingTests,
    'blackbox.yml': 'modules:\n  http_2xx:\n    prober: http\n',
    'targets.json': JSON.stringify([{ targets: ['127.0.0.1:9200'], labels: { team: 'db' } }]),
    'board.json': dashboard,
    ...overrides,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  // targets.json is read through the config's file_sd; it is not given as a file of its own.
  return Object.keys(files).filter((n) => n !== 'targets.json').map((n) => join(dir, n));
}

describe('onboarding import', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function engineIn(dataDir: string): Promise<Engine> {
    const engine = await Engine.start({ dataDir, configFile: null, shell: 'test', logger: silentLogger, inProcessStorage: true });
    cleanups.push(() => engine.stop());
    await engine.startCollection({ selfAddress: '127.0.0.1:9', externalURL: 'http://127.0.0.1:9' });
    return engine;
  }
  const pools = async (e: Engine) => [...new Set((await e.api.targets({})).activeTargets.map((t) => t.scrapePool))].sort().join();

  it('previews what would be scraped, loaded and imported, and starts nothing', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const paths = writeSet(dir);
    const engine = await engineIn(join(dir, 'data'));
    const p = await engine.api.previewImport({ files: paths.map((path) => ({ path })) });
    expect(p.files.map((f) => [f.name.slice(dir.length + 1), f.kind, f.errors])).toEqual([
      ['prometheus.yml', 'config', []],
      ['rules.yml', 'rules', []],
      ['rules_test.yml', 'tests', []],
      ['blackbox.yml', 'blackbox', []],
      ['board.json', 'dashboard', []],
    ]);
    expect(p.ok).toBe(true);
    expect(p.jobs.map((j) => [j.job, j.targets.map((t) => t.url), j.dropped])).toEqual([
      ['static', ['http://127.0.0.1:9101/metrics'], 1],
      ['files', ['http://127.0.0.1:9200/metrics'], 0],
    ]);
    expect(p.jobs[1]!.targets[0]!.labels).toMatchObject({ job: 'files', instance: '127.0.0.1:9200', team: 'db' });
    expect(p.probes).toEqual([{ job: 'web', module: 'http_2xx', targets: ['https://example.invalid/'] }]);
    // Named by the config and given alone: the same file, loaded once each way.
    expect(p.rules.map((r) => [r.groups, r.rules])).toEqual([[1, 2], [1, 2]]);
    expect(p.tests).toEqual([{ file: join(dir, 'rules_test.yml'), ok: true, report: expect.stringContaining('SUCCESS') }]);
    expect(p.dashboards).toEqual([{ file: join(dir, 'board.json'), uid: 'imported-1', title: 'Imported board', panels: 1 }]);

    // Nothing started or stored.
    await until(async () => ((await pools(engine)) === 'node,vigil' ? true : null), 'the built-in jobs, not the previewed ones');
    expect((await engine.api.dashboards({})).dashboards.map((d) => d.uid)).not.toContain('imported-1');
    expect((await engine.api.setup({})).settings.config).toBe(null);
  });

  it('names each bad file with its line, fails a failing test, and then applies nothing', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const paths = writeSet(dir, {
      'prometheus.yml': config.replace('scrape_interval: 30s', 'scrape_interval: 30 seconds'),
      'rules_test.yml': passingTests.replace('severity: page}', 'severity: ticket}'),
      'board.json': '{"title": "x", "panels": [',
    });
    const engine = await engineIn(join(dir, 'data'));
    const p = await engine.api.previewImport({ files: paths.map((path) => ({ path })) });
    expect(p.ok).toBe(false);
    const errorsOf = (name: string) => p.files.find((f) => f.name === join(dir, name))!.errors;
    expect(errorsOf('prometheus.yml').join('\n')).toMatch(new RegExp(`^${join(dir, 'prometheus.yml')}:2: global\\.scrape_interval`));
    expect(errorsOf('rules_test.yml')).toEqual([`${join(dir, 'rules_test.yml')}: promtool tests fail (see the report)`]);
    expect(p.tests[0]!.report).toMatch(/FAILED/);
    expect(errorsOf('board.json')[0]).toMatch(new RegExp(`^${join(dir, 'board.json')}: not valid JSON`));
    expect(errorsOf('rules.yml')).toEqual([]);

    const err = await engine.api.applyImport({ files: paths.map((path) => ({ path })) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(/^nothing was applied: 3 problems/);
    // The built-in jobs (their targets appear once discovery has run: on a loaded machine not
    // yet at this point), not the imported ones.
    await until(async () => ((await pools(engine)) === 'node,vigil' ? true : null), 'the built-in jobs still running');
    expect(existsSync(join(dir, 'data', 'setup.json'))).toBe(false);
  });

  it('applies a good set: the config runs, dashboards are stored, and the next start runs it again', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const paths = writeSet(dir);
    const data = join(dir, 'data');
    let engine = await engineIn(data);
    const r = await engine.api.applyImport({ files: paths.map((path) => ({ path })) });
    expect(r.config).toBe(join(dir, 'prometheus.yml'));
    expect(r.dashboards).toEqual(['imported-1']);
    await until(async () => ((await pools(engine)) === 'files,static' ? true : null), 'the imported jobs replacing the built-in ones');
    expect((await engine.api.probes({})).probes.map((x) => x.job)).toEqual(['web']);
    expect((await engine.api.status({})).configFile).toBe(join(dir, 'prometheus.yml'));
    expect((await engine.api.rules({})).groups.map((g) => g.name)).toContain('imported');
    expect((await engine.api.dashboards({})).dashboards.map((d) => d.uid)).toContain('imported-1');

    await engine.stop();
    engine = await engineIn(data);
    await until(async () => ((await pools(engine)) === 'files,static' ? true : null), 'the imported config after a restart');
    expect((await engine.api.setup({})).configFile).toBe(join(dir, 'prometheus.yml'));

    // The imported file broken since: the built-in config runs and the overview says why.
    await engine.stop();
    writeFileSync(join(dir, 'prometheus.yml'), 'scrape_configs: [oops\n');
    engine = await engineIn(data);
    const s = await engine.api.setup({});
    expect(s.configFile).toBe(null);
    expect(s.problems[0]).toMatch(new RegExp(`^the imported config ${join(dir, 'prometheus.yml')} did not load, so the built-in config runs: invalid config:\n${join(dir, 'prometheus.yml')}:`));
    await until(async () => ((await pools(engine)) === 'node,vigil' ? true : null), 'the built-in jobs');
  }, 30_000);

  it('takes uploaded contents (vigil serve), resolving the config’s references among them, and keeps them when applied', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const data = join(dir, 'data');
    const engine = await engineIn(data);
    const upload = [
      { name: 'prometheus.yml', text: config.replace('[targets.json]', '[]').replace(/ {2}- job_name: files\n.*\n.*\n/, '') },
      { name: 'rules.yml', text: rules },
      { name: 'blackbox.yml', text: 'modules:\n  http_2xx:\n    prober: http\n' },
    ];
    const p = await engine.api.previewImport({ files: upload });
    expect(p.files.map((f) => f.errors)).toEqual([[], [], []]);
    expect(p.jobs.map((j) => j.job)).toEqual(['static']);
    expect(readdirSync(join(data, 'imported'))).toEqual([]);

    const bad = await engine.api.previewImport({ files: [{ name: '../x.yml', text: '' }] }).catch((e: unknown) => e);
    expect((bad as ApiError).message).toBe('"../x.yml" is not a file name');

    const r = await engine.api.applyImport({ files: upload });
    expect(r.config).toMatch(new RegExp(`^${join(data, 'imported')}/[^/]+/prometheus\\.yml$`));
    expect(readFileSync(r.config!, 'utf8')).toBe(upload[0]!.text);
    await until(async () => ((await pools(engine)) === 'static' ? true : null), 'the uploaded config running');
  }, 30_000);
  it('hostile uploads: an oversized dashboard, a YAML alias bomb, binary bytes and deep nesting each get an error naming the file; nothing stored changes', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const data = join(dir, 'data');
    const engine = await engineIn(data);
    // A dashboard already stored, which a failed import must leave as it is.
    await engine.api.applyImport({ files: [{ name: 'board.json', text: dashboard }] });
    const before = await engine.api.dashboard({ uid: 'imported-1' });

    const huge = JSON.stringify({ title: 'Huge', uid: 'imported-1', panels: [{ type: 'text', title: 'x', options: { content: 'x'.repeat(9 * 1024 * 1024) } }] });
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
    const binary = String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const files = [
      { name: 'huge.json', text: huge },
      { name: 'rules.yml', text: bomb },
      { name: 'garbage.yml', text: binary },
      { name: 'deep.json', text: deep },
    ];
    const p = await engine.api.previewImport({ files });
    expect(p.ok).toBe(false);
    const errorsOf = (name: string) => p.files.find((f) => f.name === name)?.errors.join('\n') ?? '(file missing from the preview)';
    expect(errorsOf('huge.json')).toMatch(/^huge\.json: .*limit is 8 MB/);
    expect(errorsOf('rules.yml')).toMatch(/^rules\.yml: not valid YAML: Excessive alias count/);
    expect(errorsOf('garbage.yml')).toMatch(/^garbage\.yml:1: /);
    expect(errorsOf('deep.json')).toMatch(/^deep\.json: /);
    // Uploaded files are named as uploaded, never by the staging folder they were read from.
    expect(JSON.stringify(p)).not.toContain(join(data, 'imported'));

    const err = await engine.api.applyImport({ files }).catch((e: unknown) => e);
    expect((err as ApiError).message).toMatch(/^nothing was applied/);
    expect(await engine.api.dashboard({ uid: 'imported-1' })).toEqual(before);
    // The engine still answers queries after all of it.
    expect((await engine.api.query({ query: '1 + 1' })).result).toBeDefined();
  }, 60_000);
});
