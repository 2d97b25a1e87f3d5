import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'main/bin/vigil.js');
const built = existsSync(join(root, 'dist/main/cli/dashboard.js'));
const vigil = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const fixture = (name: string) => join(root, 'test/fixtures/dashboards', name);

describe.skipIf(!built)(`vigil dashboard import / export / list${built ? '' : ' (skipped: run npm run build first)'}`, () => {
  it('imports a Grafana file, lists it, and exports it back to the same dashboard (plain and external)', () => {
    const t = tempDir();
    try {
      const data = join(t.dir, 'data');
      const imp = vigil('dashboard', 'import', '--data', data, fixture('grafana-5-rows.json'));
      expect(imp.status, imp.stderr).toBe(0);
      expect(imp.stdout).toBe('imported old-rows "Old rows dashboard" as version 1\n');
      expect(imp.stderr).toMatch(/mapped: panels\[\d\] "Uptime": singlestat → stat/);
      expect(vigil('dashboard', 'list', '--data', data).stdout).toMatch(/^old-rows\tv1\tGeneral\tOld rows dashboard$/m);

      const plain = vigil('dashboard', 'export', 'old-rows', '--data', data);
      expect(plain.status, plain.stderr).toBe(0);
      const external = vigil('dashboard', 'export', 'old-rows', '--external', '--data', data);
      expect(JSON.parse(external.stdout)).toMatchObject({ __inputs: [{ name: 'DS_PROMETHEUS' }], schemaVersion: 39 });
      // Round trip through a second data directory: the same dashboard comes back.
      const file = join(t.dir, 'exported.json');
      writeFileSync(file, external.stdout);
      const data2 = join(t.dir, 'data2');
      expect(vigil('dashboard', 'import', '--data', data2, file).status).toBe(0);
      const again = JSON.parse(vigil('dashboard', 'export', 'old-rows', '--data', data2).stdout) as Record<string, unknown>;
      expect(again).toEqual({ ...(JSON.parse(plain.stdout) as Record<string, unknown>), id: null });

      // A second import of the same uid is refused without --overwrite; a bad file names line/column.
      expect(vigil('dashboard', 'import', '--data', data, fixture('grafana-5-rows.json')).stderr).toMatch(/uid old-rows exists/);
      const bad = join(t.dir, 'bad.json');
      writeFileSync(bad, '{\n  "title": "x",\n  "panels": [}\n');
      const b = vigil('dashboard', 'import', '--data', data, bad);
      expect(b.status).toBe(2);
      expect(b.stderr).toMatch(/bad\.json: dashboard JSON: not valid JSON at line 3, column 14/);
      expect(vigil('dashboard', 'export', 'nope', '--data', data).stderr).toMatch(/no dashboard with uid nope/);
    } finally {
      t.cleanup();
    }
  });
});
