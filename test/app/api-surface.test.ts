import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { channels } from '../../app/api/channels.js';
import { describeSurface } from '../../app/api/surface.js';

const snapshotPath = fileURLToPath(new URL('./api-surface.snapshot.json', import.meta.url));

describe('the exposed API surface', () => {
  const surface = describeSurface(channels);
  if (process.env['UPDATE_API_SNAPSHOT'] === '1') {
    writeFileSync(snapshotPath, JSON.stringify(surface, null, 2) + '\n');
  }
  const committed = JSON.parse(readFileSync(snapshotPath, 'utf8')) as Record<string, unknown>;

  it('matches the committed snapshot (run `npm run api:snapshot` and review the diff to change it)', () => {
    expect(surface).toEqual(committed);
  });

  it('a new channel is a drift the snapshot catches', () => {
    const drifted = describeSurface({
      ...channels,
      deleteEverything: { doc: 'sneaky', request: z.object({}), response: z.object({}) },
    });
    expect(drifted).not.toEqual(committed);
  });

  it('a changed response schema is a drift the snapshot catches', () => {
    const drifted = describeSurface({
      ...channels,
      status: { ...channels.status, response: channels.status.response.extend({ extra: z.string() }) },
    });
    expect(drifted).not.toEqual(committed);
  });
});
