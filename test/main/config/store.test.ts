import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../main/config/load.js';
import { configYaml, redactConfig, secretMarker } from '../../../main/config/redact.js';
import { parseConfig } from '../../../main/config/load.js';
import { ConfigStore, watchConfig, type ReloadResult } from '../../../main/config/store.js';
import { checkConfigFiles } from '../../../main/cli/check-config.js';
import { defaultConfigText } from '../../../main/config/default-config.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const good = (job: string) => `scrape_configs:\n  - job_name: ${job}\n    static_configs:\n      - targets: ["h:1"]\n`;

describe('ConfigStore', () => {
  it('a bad reload keeps the running config and reports errors', async () => {
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, good('first'));
    const store = new ConfigStore(file);
    expect((await store.reload()).ok).toBe(true);
    writeFileSync(file, 'scrape_configs:\n  - job_name: x\n    scrape_interval: soon\n');
    const r = await store.reload();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(String(r.errors[0])).toBe(`${file}:3: scrape_configs[0].scrape_interval: invalid duration "soon": use a number and a unit (ms, s, m, h, d, w, y), e.g. "15s" or "1m30s"`);
    expect(store.current()?.scrape_configs[0]!.job_name).toBe('first');
    expect(store.errors()).toHaveLength(1);
    writeFileSync(file, good('second'));
    const r2 = await store.reload();
    expect(r2.ok && r2.changed).toBe(true);
    expect(store.current()?.scrape_configs[0]!.job_name).toBe('second');
    expect(store.errors()).toEqual([]);
    store.close();
  });

  it('a missing file is an error naming the file', async () => {
    const r = await loadConfig(join(dir, 'nope.yml'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(String(r.errors[0])).toMatch(/nope\.yml: cannot read the config file: ENOENT/);
  });

  it('uses the embedded default when there is no file', async () => {
    const store = new ConfigStore(null, { defaultText: defaultConfigText('127.0.0.1:1234') });
    const r = await store.reload();
    expect(r.ok && r.config.scrape_configs[0]!.job_name).toBe('vigil');
  });

  it('watchConfig reloads after the file changes (also on rename-replace) and keeps the old config on a bad edit', async () => {
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, good('one'));
    const events: ReloadResult[] = [];
    // Resolves once a reload event has made `pred` true (fs.watch may fire several times per write).
    let check: () => void = () => {};
    const until = (pred: () => boolean) =>
      new Promise<void>((done) => {
        check = () => {
          if (pred()) done();
        };
      });
    const store = await watchConfig(file, (r) => {
      events.push(r);
      check();
    }, 20);
    const job = () => store.current()?.scrape_configs[0]!.job_name;
    expect(job()).toBe('one');

    let waiting = until(() => job() === 'two');
    writeFileSync(file, good('two'));
    await waiting;

    waiting = until(() => events.at(-1)?.ok === false);
    writeFileSync(file, 'scrape_configs: [');
    await waiting;
    expect(job()).toBe('two');

    waiting = until(() => job() === 'three');
    writeFileSync(join(dir, 'tmp.yml'), good('three'));
    renameSync(join(dir, 'tmp.yml'), file);
    await waiting;
    store.close();
  });
});

describe('redactConfig', () => {
  it('replaces secrets and keeps file paths; the input is untouched', async () => {
    const file = join(dir, 'p.yml');
    writeFileSync(
      file,
      `scrape_configs:
  - job_name: a
    basic_auth: {username: u, password: hunter2}
  - job_name: b
    authorization: {credentials_file: /run/token}
    tls_config: {key: "-----BEGIN KEY-----", cert_file: /c.pem}
  - job_name: c
    bearer_token: abc
remote_write:
  - url: https://user:pw@remote.example/api/v1/write
    headers: {X-Api-Key: k}
`,
    );
    const r = await loadConfig(file);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const red = redactConfig(r.config);
    const text = JSON.stringify(red);
    for (const secret of ['hunter2', 'BEGIN KEY', '"abc"', ':pw@', '"k"']) expect(text).not.toContain(secret);
    expect(red.scrape_configs[0]!.basic_auth).toMatchObject({ username: 'u', password: secretMarker });
    expect(red.scrape_configs[1]!.authorization?.credentials_file).toBe('/run/token');
    expect(red.scrape_configs[1]!.tls_config?.cert_file).toBe('/c.pem');
    expect(red.scrape_configs[2]!.authorization?.credentials).toBe(secretMarker);
    expect(red.remote_write[0]!.url).toContain(`user:${secretMarker}@remote.example`);
    expect(r.config.scrape_configs[0]!.basic_auth?.password).toBe('hunter2');
  });
});

describe('configYaml (/api/v1/status/config)', () => {
  it('prints durations as Prometheus does, hides secrets, and loads back to the same config', () => {
    const text = `global:\n  scrape_interval: 90s\nscrape_configs:\n  - job_name: a\n    basic_auth: {username: u, password: pw}\n    body_size_limit: 1KB\n    relabel_configs:\n      - {target_label: x, replacement: y}\n    file_sd_configs: [{files: [/sd/*.json]}]\n`;
    const first = parseConfig(text, '/etc/p.yml');
    if (!first.ok) throw new Error(first.errors.join('\n'));
    const yaml = configYaml(first.config);
    expect(yaml).toContain('scrape_interval: 1m30s');
    expect(yaml).toContain('refresh_interval: 5m');
    expect(yaml).not.toContain('pw');
    const again = parseConfig(yaml, '/etc/p.yml');
    if (!again.ok) throw new Error(again.errors.join('\n'));
    expect(again.config).toEqual(redactConfig(first.config));
  });
});

describe('vigil check config', () => {
  it('prints promtool SUCCESS for a good file and each error for a bad one', async () => {
    const goodFile = join(dir, 'good.yml');
    const badFile = join(dir, 'bad.yml');
    writeFileSync(goodFile, good('a'));
    writeFileSync(badFile, 'scrape_configs:\n  - job_name: a\n    foo: 1\n    scrape_interval: 5x\n');
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await checkConfigFiles([goodFile], io)).toBe(0);
    expect(out).toContain(` SUCCESS: ${goodFile} is valid prometheus config file syntax`);
    expect(await checkConfigFiles([goodFile, badFile], io)).toBe(1);
    expect(err[0]).toBe(`  FAILED: ${badFile}:3: scrape_configs[0].foo: unknown field "foo"; check the spelling and the indentation`);
    expect(err[1]).toContain(`${badFile}:4: scrape_configs[0].scrape_interval: invalid duration "5x"`);
  });

  it('fails when a rule file does not exist', async () => {
    const file = join(dir, 'p.yml');
    writeFileSync(file, 'rule_files: [missing.rules.yml]\n');
    const err: string[] = [];
    expect(await checkConfigFiles([file], { out: () => {}, err: (l) => err.push(l) })).toBe(1);
    expect(err[0]).toContain('missing.rules.yml" does not exist');
  });
});
