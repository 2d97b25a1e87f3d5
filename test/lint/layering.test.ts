import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${filePath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'vigil/layering').map((m) => m.message);
}

// The committed tree itself is checked by `npm run lint` (the first step of `npm test`); these
// cases check that the rule refuses and allows what docs/architecture.md says.
describe('layering lint rule (docs/architecture.md "may import")', () => {
  it.each([
    ['app/x.ts', "import { Engine } from '../main/engine.js';\nexport const e = Engine;\n", /app may not import main\/engine.ts/],
    ['app/x.ts', "import { App } from '../renderer/App.js';\nexport const a = App;\n", /app may not import renderer/],
    ['app/x.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", /Node built-in "node:fs"/],
    ['renderer/x.ts', "import { Engine } from '../main/engine.js';\nexport const e = Engine;\n", /renderer may not import main/],
    ['renderer/x.ts', "import { join } from 'path';\nexport const j = join;\n", /Node built-in "path"/],
    ['renderer/x.ts', "import { t } from '../test/x.js';\nexport const u = t;\n", /renderer may not import test/],
    ['main/engine2.ts', "import { app } from 'electron';\nexport const a = app;\n", /only main\/electron\/ may import "electron"/],
    ['renderer/x.ts', "export const p = import('electron');\n", /only main\/electron\/ may import "electron"/],
    ['main/x.ts', "import { w } from './electron/window.js';\nexport const x = w;\n", /main may not import main\/electron\/window.ts/],
    ['main/tsdb/x.ts', "import { q } from '../promql/engine.js';\nexport const y = q;\n", /main\/tsdb may not import main\/promql/],
  ])('%s: a bad import is refused', async (file, code, expected) => {
    const errors = await layeringErrors(file, code);
    expect(errors.join('\n')).toMatch(expected);
  });

  it.each([
    ['app/x.ts', "import { z } from 'zod';\nimport { channels } from './api/channels.js';\nexport const c = [z, channels];\n"],
    ['renderer/x.ts', "import { channels } from '../app/api/channels.js';\nexport const c = channels;\n"],
    ['main/electron/x.ts', "import { app } from 'electron';\nimport { Engine } from '../engine.js';\nexport const c = [app, Engine];\n"],
    ['main/promql/x.ts', "import type { Querier } from '../tsdb/interface.js';\nexport type Q = Querier;\n"],
  ])('%s: an allowed import passes', async (file, code) => {
    expect(await layeringErrors(file, code)).toEqual([]);
  });
});
