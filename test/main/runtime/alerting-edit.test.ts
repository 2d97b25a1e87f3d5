import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../app/api/errors.js';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';

const rules = (name: string) => `groups:\n  - name: g\n    rules:\n      - alert: ${name}\n        expr: vector(1) > 0\n        for: 1m\n`;

describe('editing rule files and rule unit-test files through the alerting service', () => {
  const t = tempDir();
  const rulesFile = join(t.dir, 'rules.yml');
  let engine: Engine;

  beforeAll(async () => {
    writeFileSync(rulesFile, rules('First'));
    writeFileSync(join(t.dir, 'vigil.yml'), 'global:\n  evaluation_interval: 1m\nrule_files: [rules.yml]\nscrape_configs: []\n');
    engine = await Engine.start({ dataDir: join(t.dir, 'data'), configFile: join(t.dir, 'vigil.yml'), shell: 'test', logger: silentLogger, inProcessStorage: true });
    await engine.startCollection({ selfAddress: '127.0.0.1:1', externalURL: 'http://vigil.test/' });
  });
  afterAll(async () => {
    await engine.stop();
    t.cleanup();
  });

  it('reads a configured rule file, refuses anything else', async () => {
    expect((await engine.api.readRuleText({ path: rulesFile, kind: 'rules' })).text).toBe(rules('First'));
    await expect(engine.api.readRuleText({ path: '/etc/passwd', kind: 'rules' })).rejects.toThrow(ApiError);
    await expect(engine.api.readRuleText({ path: '/etc/passwd', kind: 'tests' })).rejects.toThrow(/not a \.yml\/\.yaml file beside/);
  });

  it('does not write a file with errors, and says where they are', async () => {
    const r = await engine.api.saveRuleText({ path: rulesFile, kind: 'rules', text: 'groups:\n  - name: g\n    rules:\n      - alert: Bad\n        expr: rate(up)\n' });
    expect(r.saved).toBe(false);
    expect(r.errors.join('\n')).toMatch(/rules\.yml: 5:\d+: .*expected type range vector/);
    expect(readFileSync(rulesFile, 'utf8')).toBe(rules('First'));
  });

  it('saves a valid file and reloads the rules', async () => {
    const r = await engine.api.saveRuleText({ path: rulesFile, kind: 'rules', text: rules('Second') });
    expect(r).toEqual({ saved: true, errors: [] });
    const names = (await engine.api.rules({})).groups.flatMap((g) => g.rules.map((x) => x.name));
    expect(names).toEqual(['Second']);
  });

  it('saves a unit-test file beside the rules and runs it', async () => {
    const testFile = join(t.dir, 'rules_test.yml');
    const text = `rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series: []\n    alert_rule_test:\n      - eval_time: 2m\n        alertname: Second\n        exp_alerts:\n          - exp_labels: {}\n`;
    expect(await engine.api.saveRuleText({ path: testFile, kind: 'tests', text })).toEqual({ saved: true, errors: [] });
    const run = await engine.api.runRuleTests({ files: [testFile] });
    expect(run.ok, run.report).toBe(true);
    const bad = await engine.api.saveRuleText({ path: testFile, kind: 'tests', text: 'tests: [{interval: "5x"}]\n' });
    expect(bad.saved).toBe(false);
  });
});
