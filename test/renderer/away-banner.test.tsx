import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { PowerState } from '../../app/api/power.js';
import { AwayNotice } from '../../renderer/components/AwayBanner.js';

const idle: PowerState = { energy: { setting: 'auto', onBattery: null, active: false, factor: 4 }, rulesHeld: false, gaps: [], away: null };
const gap = { fromMs: 1_700_000_000_000, toMs: 1_700_003_720_000, source: 'clock' as const };
const render = (power: PowerState, dismissed = false) => renderToStaticMarkup(<AwayNotice power={power} dismissed={dismissed} onDismiss={() => {}} />);

describe('"while you were away" banner', () => {
  it('is absent before any sleep, and says rules wait while they are held', () => {
    expect(render(idle)).toBe('');
    expect(render({ ...idle, rulesHeld: true })).toContain('alert rules wait until every target has been scraped again');
  });

  it('lists what changed across the sleep, until dismissed', () => {
    const power: PowerState = {
      ...idle,
      gaps: [gap],
      away: {
        gap,
        atMs: gap.toMs + 5000,
        newlyFiring: [{ labels: { alertname: 'TargetDown', instance: 'db:9100', job: 'node' } }],
        targetsDown: [{ scrapePool: 'node', scrapeUrl: 'http://db:9100/metrics', error: 'connection refused', wasUp: true }],
        certificates: [{ labels: { instance: 'https://shop.example' }, daysLeftBefore: 14.2, daysLeftAfter: 13.9, crossedDays: 14 }],
        series: { before: 120, after: 131 },
      },
    };
    const html = render(power);
    expect(html).toContain('While you were away');
    expect(html).toContain('1h2m asleep');
    expect(html).toContain('TargetDown on db:9100');
    expect(html).toContain('http://db:9100/metrics (node, was up: connection refused)');
    expect(html).toContain('https://shop.example now 13 days left');
    expect(html).toContain('120 before, 131 now');
    expect(render(power, true)).toBe('');
    expect(render({ ...power, away: { ...power.away!, newlyFiring: [], targetsDown: [], certificates: [] } })).toContain('nothing changed');
  });
});
