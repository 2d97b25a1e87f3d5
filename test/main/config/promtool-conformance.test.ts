/**
 * Accept/reject agreement with Debian's promtool (Prometheus 2.42) on configs that sit on the
 * edges of the schema. Only the verdict is compared (the wording is ours: it adds line, field
 * and advice); Vigil's own additions (probe_configs, dns nameserver) are left out.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/config/load.js';

const hasPromtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;

const job = (body: string) => `scrape_configs:\n  - job_name: j\n${body}`;

const cases: [string, string][] = [
  ['minimal', job('    static_configs: [{targets: ["h:1"]}]\n')],
  ['empty file', ''],
  ['bad duration', job('    scrape_interval: 5x\n')],
  ['unknown field', job('    sample_limt: 5\n')],
  ['timeout > interval', job('    scrape_interval: 5s\n    scrape_timeout: 6s\n')],
  ['timeout = interval', job('    scrape_interval: 5s\n    scrape_timeout: 5s\n')],
  ['duplicate job', 'scrape_configs:\n  - job_name: a\n  - job_name: a\n'],
  ['hashmod without modulus', job('    relabel_configs: [{source_labels: [a], target_label: b, action: hashmod}]\n')],
  ['replace without target', job('    relabel_configs: [{source_labels: [a]}]\n')],
  ['labeldrop with source_labels', job('    relabel_configs: [{source_labels: [a], regex: x, action: labeldrop}]\n')],
  ['keepequal with regex', job('    relabel_configs: [{source_labels: [a], target_label: b, regex: x, action: keepequal}]\n')],
  ['uppercase action name', job('    relabel_configs: [{source_labels: [a], regex: x, action: Keep}]\n')],
  ['target_label template', job('    relabel_configs: [{source_labels: [a], regex: "(.*)", target_label: "${1}_x"}]\n')],
  ['invalid target_label', job('    relabel_configs: [{source_labels: [a], target_label: "a-b"}]\n')],
  ['bad regex', job('    relabel_configs: [{source_labels: [a], regex: "(a", action: keep}]\n')],
  ['lookahead regex', job('    relabel_configs: [{source_labels: [a], regex: "(?=a)", action: keep}]\n')],
  ['bad label name in static labels', job('    static_configs: [{targets: ["h:1"], labels: {"a-b": c}}]\n')],
  ['URL as target', job('    static_configs: [{targets: ["http://h:1"]}]\n')],
  ['bearer and basic auth', job('    bearer_token: x\n    basic_auth: {username: u}\n')],
  ['body_size_limit', job('    body_size_limit: 10MB\n')],
  ['bad body_size_limit', job('    body_size_limit: 10 parsecs\n')],
  ['global timeout > interval', 'global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n'],
  ['dns A without port', job('    dns_sd_configs: [{names: [a.example], type: A}]\n')],
  ['file sd with .txt', job('    file_sd_configs: [{files: [a.txt]}]\n')],
  ['http sd ftp url', job('    http_sd_configs: [{url: "ftp://x/"}]\n')],
  ['remote_write', 'remote_write:\n  - url: http://localhost:9/api/v1/write\n    queue_config: {max_shards: 2}\n'],
  ['alertmanagers', 'alerting:\n  alertmanagers:\n    - static_configs: [{targets: ["h:9093"]}]\n      timeout: 5s\n'],
  ['duplicate key', 'global: {}\nglobal: {}\n'],
  ['authorization basic', job('    authorization: {type: Basic, credentials: x}\n')],
];

// Deliberate difference: Prometheus accepts any scheme and fails every scrape at run time; we
// refuse it at load time, where the error can name the line.
const vigilStricter: [string, string][] = [['bad scheme', job('    scheme: ftp\n')]];

let dir = '';
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasPromtool)('verdicts agree with promtool check config (skipped: promtool not installed)', () => {
  it.each(cases)('%s', (_name, text) => {
    if (dir === '') dir = mkdtempSync(join(tmpdir(), 'vigil-promtool-'));
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, text);
    const promtool = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
    const ours = parseConfig(text, file);
    const detail = `promtool: ${promtool.stdout}${promtool.stderr}\nvigil: ${ours.ok ? 'ok' : ours.errors.join('\n')}`;
    expect(ours.ok, detail).toBe(promtool.status === 0);
  });

  it.each(vigilStricter)('%s: promtool accepts, Vigil refuses', (_name, text) => {
    if (dir === '') dir = mkdtempSync(join(tmpdir(), 'vigil-promtool-'));
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, text);
    expect(spawnSync('promtool', ['check', 'config', file]).status).toBe(0);
    expect(parseConfig(text, file).ok).toBe(false);
  });
});
