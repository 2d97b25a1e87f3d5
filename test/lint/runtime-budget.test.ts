import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// main/runtime/ only wires subsystems together; logic belongs in the subsystem that owns it
// (main/notify/, main/rules/, main/api/, …). A file growing past the budget is the sign that
// something other than wiring moved in.
const budget = 250;
const runtimeDir = fileURLToPath(new URL('../../main/runtime/', import.meta.url));

describe('main/runtime/ stays wiring', () => {
  const files = readdirSync(runtimeDir).filter((f) => f.endsWith('.ts'));
  it('has files to check', () => expect(files.length).toBeGreaterThan(0));
  it.each(files)(`%s is at most ${budget} lines`, (f) => {
    const lines = readFileSync(join(runtimeDir, f), 'utf8').split('\n').length;
    expect(lines, `main/runtime/${f} has ${lines} lines; move logic to the subsystem that owns it`).toBeLessThanOrEqual(budget);
  });
});
