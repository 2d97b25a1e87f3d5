import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { Status } from '../../app/api/status.js';
import { StorageBanner } from '../../renderer/components/StorageBanner.js';
import { useStatusStore } from '../../renderer/store/status.js';

const base: Status = {
  build: { version: '1', revision: 'x', runtime: 'node', platform: 'linux-x64' },
  startTimeMs: 1,
  dataDir: '/d',
  shell: 'serve',
  configFile: null,
  storage: { paused: null, quarantine: null },
};

afterEach(() => useStatusStore.setState({ status: null }));

describe('storage banner', () => {
  it('is absent while storage is healthy', () => {
    useStatusStore.setState({ status: base });
    expect(renderToStaticMarkup(<StorageBanner />)).toBe('');
  });

  it('says ingestion is paused, why, and that queries keep working', () => {
    useStatusStore.setState({ status: { ...base, storage: { paused: { sinceMs: 0, message: 'database or disk is full' }, quarantine: null } } });
    const html = renderToStaticMarkup(<StorageBanner />);
    expect(html).toContain('role="alert"');
    expect(html).toContain('Ingestion paused');
    expect(html).toContain('database or disk is full');
    expect(html).toContain('queries keep working');
  });

  it('shows the quarantine notice from start-up', () => {
    useStatusStore.setState({ status: { ...base, storage: { paused: null, quarantine: 'The database was damaged (x).' } } });
    expect(renderToStaticMarkup(<StorageBanner />)).toContain('The database was damaged (x).');
  });
});
