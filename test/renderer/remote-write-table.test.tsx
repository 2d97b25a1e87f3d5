import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { RemoteWriteTable } from '../../renderer/components/RemoteWriteTable.js';

describe('remote write section of the Status page', () => {
  it('shows each endpoint with its lag, backlog and last error', () => {
    const html = renderToStaticMarkup(
      <RemoteWriteTable
        endpoints={[
          { name: 'central', url: 'https://m.example/api/v1/write', lagSeconds: 95, backlogBatches: 17, pendingSamples: 2000, failedSamples: 3, failedHistograms: 4, failedExemplars: 5, protocol: '2.0', lastError: 'server returned HTTP status 503', lastErrorAtMs: Date.UTC(2026, 0, 2, 3, 4, 5) },
          { name: 'vm', url: 'http://127.0.0.1:8428/api/v1/write', lagSeconds: null, backlogBatches: 0, pendingSamples: 0, failedSamples: 0, failedHistograms: 0, failedExemplars: 0, protocol: '1.0', lastError: null, lastErrorAtMs: 0 },
        ]}
      />,
    );
    expect(html).toContain('central');
    expect(html).toContain('https://m.example/api/v1/write');
    expect(html).toContain('<td>17</td>');
    expect(html).toContain('server returned HTTP status 503 (2026-01-02T03:04:05.000Z)');
    expect(html).toContain('nothing sent yet');
    expect(html).toContain('remote write 2.0');
    expect(html).toContain('remote write 1.0');
    expect(html).toMatch(/<td>4 \/ 5<\/td>/);
    expect(html).toMatch(/1m ?35s/);
  });
});
