/**
 * "While you were away": what changed across a sleep, from the data itself. The state before is
 * read from storage at the time the machine went to sleep (ALERTS, up, certificate expiry, all
 * written before the gap), the state after from the live engine once fresh data is in.
 */
import type { AwaySummary } from '../../app/api/power.js';
import type { Gap } from './sleep-watch.js';

interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface AwayDeps {
  /** An instant PromQL query at `atMs`. */
  query: (expr: string, atMs: number) => Promise<Sample[]>;
  /** Labels of the alerts firing now. */
  firingNow: () => Array<Record<string, string>>;
  targets: () => Array<{ scrapePool: string; scrapeUrl: string; labels: Record<string, string>; health: string; lastError: string }>;
  seriesCount: () => number;
}

/** Days left on a certificate at which a crossing is reported. */
const certificateDays = [14, 7, 1, 0];
const dayMs = 86_400_000;

const key = (labels: Record<string, string>, drop: readonly string[] = []): string =>
  JSON.stringify(Object.entries(labels).filter(([k]) => !drop.includes(k)).sort(([a], [b]) => (a < b ? -1 : 1)));

export async function awaySummary(deps: AwayDeps, gap: Gap, seriesBefore: number, nowMs: number): Promise<AwaySummary> {
  const before = gap.fromMs;
  const [alertsBefore, upBefore, certsBefore, certsAfter] = await Promise.all([
    deps.query('ALERTS{alertstate="firing"}', before),
    deps.query('up', before),
    deps.query('probe_ssl_earliest_cert_expiry', before),
    deps.query('probe_ssl_earliest_cert_expiry', nowMs),
  ]);
  const wasFiring = new Set(alertsBefore.map((s) => key(s.labels, ['__name__', 'alertstate'])));
  const newlyFiring = deps
    .firingNow()
    .filter((l) => !wasFiring.has(key(l)))
    .map((labels) => ({ labels }));
  const wasUp = new Set(upBefore.filter((s) => s.value === 1).map((s) => key(s.labels, ['__name__'])));
  const targetsDown = deps
    .targets()
    .filter((t) => t.health === 'down')
    .map((t) => ({ scrapePool: t.scrapePool, scrapeUrl: t.scrapeUrl, error: t.lastError, wasUp: wasUp.has(key(t.labels)) }));
  const daysBefore = new Map(certsBefore.map((s) => [key(s.labels), (s.value * 1000 - before) / dayMs]));
  const certificates: AwaySummary['certificates'] = [];
  for (const s of certsAfter) {
    const b = daysBefore.get(key(s.labels));
    if (b === undefined) continue;
    const a = (s.value * 1000 - nowMs) / dayMs;
    const crossed = certificateDays.filter((d) => b > d && a <= d);
    if (crossed.length > 0) certificates.push({ labels: s.labels, daysLeftBefore: b, daysLeftAfter: a, crossedDays: Math.min(...crossed) });
  }
  return { gap, atMs: nowMs, newlyFiring, targetsDown, certificates, series: { before: seriesBefore, after: deps.seriesCount() } };
}
