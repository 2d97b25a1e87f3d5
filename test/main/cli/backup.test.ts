import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'main/bin/vigil.js');
const built = existsSync(join(root, 'dist/main/cli.js'));
const vigil = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe.skipIf(!built)(`vigil backup / restore${built ? '' : ' (skipped: run npm run build first)'}`, () => {
  it('round-trips imported samples through a backup file, and refuses to overwrite', () => {
    const t = tempDir();
    try {
      const src = join(t.dir, 'src');
      const page = join(t.dir, 'p.prom');
      writeFileSync(page, 'up{job="a"} 1 1700000000000\nup{job="a"} 0 1700000015000\n');
      expect(vigil('import', '--data', src, '--format', 'prometheus', page).status).toBe(0);
      const file = join(t.dir, 'backup.db');
      const b = vigil('backup', '--data', src, file);
      expect(b.status, b.stderr).toBe(0);
      expect(vigil('backup', '--data', src, file).stderr).toMatch(/exists/);
      const dst = join(t.dir, 'dst');
      const r = vigil('restore', '--data', dst, file);
      expect(r.status, r.stderr).toBe(0);
      expect(vigil('restore', '--data', dst, file).stderr).toMatch(/already exists/);
      // The restored directory answers the samples: dump them through a query in a served engine.
      const q = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `import { TSDB } from ${JSON.stringify(join(root, 'dist/main/tsdb/db.js'))};
const db = await TSDB.open({ dir: ${JSON.stringify(join(dst, 'tsdb'))}, worker: false });
const q = await db.querier(0, 2e12); const s = await q.select([{ op: '=', name: '__name__', value: 'up' }]);
console.log(JSON.stringify(Array.from(s.series[0].samples().v))); await db.close();`],
        { encoding: 'utf8' },
      );
      expect(q.stdout.trim()).toBe('[1,0]');
    } finally {
      t.cleanup();
    }
  });
});
