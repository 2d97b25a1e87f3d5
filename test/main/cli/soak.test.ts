/**
 * CI-sized soak (the full one is `npm run soak`): `vigil serve` scraping healthy and hostile
 * targets and answering queries is SIGKILLed three times at random moments; every sample the
 * API had returned before a kill is still there after the restart.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSoak } from '../../../build/soak.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const built = existsSync(join(root, 'dist/main/cli.js'));

describe.skipIf(!built)(`soak: SIGKILL while scraping and querying${built ? '' : ' (skipped: run npm run build:main first)'}`, () => {
  it('loses no acknowledged sample and serves again quickly', { timeout: 60_000 }, async () => {
    const lines: string[] = [];
    const { rounds, summary } = await runSoak({ kills: 3, minRun: 3, maxRun: 5, healthy: 3, scale: 'ci', log: (l) => lines.push(l) });
    expect(rounds).toHaveLength(4);
    // Each restart checked what the previous run acknowledged: a real number of samples.
    for (const r of rounds.slice(1)) expect(r.checked, lines.join('\n')).toBeGreaterThan(3 * 2);
    expect(summary.lost, lines.join('\n')).toBe(0);
    expect(summary.startSecondsMax).toBeLessThan(10);
    expect(summary.peakMax).toBeLessThan(1024 ** 3);
  });
});
