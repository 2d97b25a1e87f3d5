/**
 * The whole Explore view as URL query parameters (in the hash, so both shells can restore it):
 * queries and their on/off state, time range, resolution, tab, display options.
 */
export interface PanelState {
  query: string;
  enabled: boolean;
}

export type TimeRange = { kind: 'relative'; durationMs: number } | { kind: 'absolute'; startMs: number; endMs: number };
export type Resolution = { kind: 'auto' } | { kind: 'fixed'; stepMs: number };
export type Tab = 'graph' | 'table' | 'explain';

export interface ExploreView {
  panels: PanelState[];
  range: TimeRange;
  resolution: Resolution;
  tab: Tab;
  stacked: boolean;
  yFromZero: boolean;
}

export const defaultView: ExploreView = {
  panels: [{ query: '', enabled: true }],
  range: { kind: 'relative', durationMs: 3_600_000 },
  resolution: { kind: 'auto' },
  tab: 'graph',
  stacked: false,
  yFromZero: false,
};

export function encodeView(view: ExploreView): string {
  const p = new URLSearchParams();
  view.panels.forEach((panel, i) => {
    p.set(`q${i}`, panel.query);
    if (!panel.enabled) p.set(`off${i}`, '1');
  });
  if (view.range.kind === 'relative') p.set('range', String(view.range.durationMs));
  else {
    p.set('start', String(view.range.startMs));
    p.set('end', String(view.range.endMs));
  }
  if (view.resolution.kind === 'fixed') p.set('step', String(view.resolution.stepMs));
  p.set('tab', view.tab);
  if (view.stacked) p.set('stacked', '1');
  if (view.yFromZero) p.set('zero', '1');
  return p.toString();
}

const positive = (s: string | null): number | null => {
  if (s === null) return null;
  const n = Number(s);
  return Number.isFinite(n) && n > 0 ? n : null;
};

export function decodeView(search: string): ExploreView {
  const p = new URLSearchParams(search);
  const panels: PanelState[] = [];
  for (let i = 0; i < 20 && p.has(`q${i}`); i++) panels.push({ query: p.get(`q${i}`) ?? '', enabled: p.get(`off${i}`) !== '1' });
  const start = Number(p.get('start'));
  const end = Number(p.get('end'));
  const range: TimeRange =
    p.has('start') && p.has('end') && Number.isFinite(start) && Number.isFinite(end) && end > start
      ? { kind: 'absolute', startMs: start, endMs: end }
      : { kind: 'relative', durationMs: positive(p.get('range')) ?? 3_600_000 };
  const step = positive(p.get('step'));
  const tab = p.get('tab');
  return {
    panels: panels.length > 0 ? panels : defaultView.panels,
    range,
    resolution: step === null ? { kind: 'auto' } : { kind: 'fixed', stepMs: step },
    tab: tab === 'table' || tab === 'explain' ? tab : 'graph',
    stacked: p.get('stacked') === '1',
    yFromZero: p.get('zero') === '1',
  };
}

/** Start and end in ms for a range at `now`. */
export function resolveRange(range: TimeRange, now: number): { startMs: number; endMs: number } {
  return range.kind === 'absolute' ? { startMs: range.startMs, endMs: range.endMs } : { startMs: now - range.durationMs, endMs: now };
}

/** Prometheus UI's auto step: range / 250 points, at least 1 s, rounded to a whole second. */
export function resolveStep(resolution: Resolution, startMs: number, endMs: number, widthPx = 1000): number {
  if (resolution.kind === 'fixed') return resolution.stepMs;
  const points = Math.max(100, Math.min(1000, Math.floor(widthPx / 4)));
  return Math.max(1000, Math.ceil((endMs - startMs) / points / 1000) * 1000);
}
