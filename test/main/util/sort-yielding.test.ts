import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortYielding } from '../../../main/util/sort-yielding.js';

describe('sortYielding', () => {
  it('sorts exactly as a stable Array.prototype.sort, for any length and run size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), async (keys, run) => {
        // Items carry their position so stability is visible.
        const items = keys.map((key, at) => ({ key, at }));
        const expected = [...items].sort((a, b) => a.key - b.key);
        let pauses = 0;
        const got = await sortYielding([...items], (a, b) => a.key - b.key, async () => void pauses++, run);
        expect(got).toEqual(expected);
        if (items.length > run) expect(pauses).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
