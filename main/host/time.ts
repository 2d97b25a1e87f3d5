/**
 * node_exporter's time collector: the wall clock, the zone offset, and on Linux the clock sources
 * from /sys/devices/system/clocksource.
 */
import { family, FamilySet, type Family } from './family.js';
import type { CollectContext } from './collector.js';
import { listOptional, readAttr, sys } from './linux/sources.js';

/** The zone's abbreviation as Go prints it where Intl knows one (UTC, CET, PST), else Intl's "GMT+1" form. */
function zoneName(date: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'UTC';
}

function timeFamilies(nowMs: number, zone: string, offsetSeconds: number): Family[] {
  return [
    family('node_time_seconds', 'System time in seconds since epoch (1970).', 'gauge', [{ value: nowMs / 1000 }]),
    family('node_time_zone_offset_seconds', 'System time zone offset in seconds.', 'gauge', [{ labels: { time_zone: zone }, value: offsetSeconds }]),
  ];
}

async function clocksources(ctx: CollectContext): Promise<Family[]> {
  const base = sys(ctx.paths, 'devices', 'system', 'clocksource');
  const out = new FamilySet();
  for (const entry of ((listOptional(base)) ?? []).sort()) {
    const m = /^clocksource(\d+)$/.exec(entry);
    if (!m) continue;
    const device = m[1]!;
    for (const cs of ((readAttr(`${base}/${entry}/available_clocksource`)) ?? '').split(/\s+/).filter(Boolean)) {
      out.add('node_time_clocksource_available_info', "Available clocksources read from '/sys/devices/system/clocksource'.", 'gauge', 1, { clocksource: cs, device });
    }
    const current = readAttr(`${base}/${entry}/current_clocksource`);
    if (current) out.add('node_time_clocksource_current_info', "Current clocksource read from '/sys/devices/system/clocksource'.", 'gauge', 1, { clocksource: current, device });
  }
  return out.families();
}

export async function collectTime(ctx: CollectContext): Promise<Family[]> {
  const now = ctx.now();
  const d = new Date(now);
  const fams = timeFamilies(now, zoneName(d), -d.getTimezoneOffset() * 60);
  return process.platform === 'linux' ? [...fams, ...(await clocksources(ctx))] : fams;
}
