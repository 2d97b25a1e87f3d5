import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Status } from '../../app/api/status.js';
import { StorageNotice } from '../../renderer/components/StorageBanner.js';

const base: Status = {
  build: { version: '1', revision: 'x', runtime: 'node', platform: 'linux-x64' },
  startTimeMs: 1,
  dataDir: '/d',
  shell: 'serve',
  configFile: null,
  storage: { paused: null, quarantine: null },
  interruptedQueries: [],
  configErrors: [],
};

describe('storage banner', () => {
  it('is absent while storage is healthy', () => {
    expect(renderToStaticMarkup(<StorageNotice storage={base.storage} />)).toBe('');
  });

  it('says ingestion is paused, why, and that queries keep working', () => {
    const html = renderToStaticMarkup(<StorageNotice storage={{ paused: { sinceMs: 0, message: 'database or disk is full' }, quarantine: null }} />);
    expect(html).toContain('role="alert"');
    expect(html).toContain('Ingestion paused');
    expect(html).toContain('database or disk is full');
    expect(html).toContain('queries keep working');
  });

  it('shows the quarantine notice from start-up, with a way to put it away when one is given', () => {
    const storage = { paused: null, quarantine: 'storage file /d/vigil.db is damaged (x).' };
    const html = renderToStaticMarkup(<StorageNotice storage={storage} />);
    expect(html).toContain('Database damaged at start');
    expect(html).toContain('storage file /d/vigil.db is damaged (x).');
    expect(html).not.toContain('Dismiss');
    expect(renderToStaticMarkup(<StorageNotice storage={storage} onDismissQuarantine={() => {}} />)).toContain('Dismiss');
  });
});
