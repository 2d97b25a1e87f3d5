/**
 * The `probes` channel of the WorkbenchApi (app/api/probes.ts), built from the scheduler's
 * configured probes and the probe log: last result, recent durations, why it failed, the chain.
 */
import type { ProbeStatus } from '../../app/api/probes.js';
import type { ProbeHistory, ProbeRun } from './history.js';
import type { ProbeLogEntry } from './types.js';

export interface ProbeListing {
  probes(): { job: string; module: string; prober: string; target: string }[];
  readonly history: ProbeHistory;
}

/** The most telling error of a failed run: the first error that is not the generic summary. */
function failureReason(run: ProbeRun): string | null {
  if (run.success) return null;
  const errors = run.log.filter((e) => e.level === 'error');
  const specific = errors.find((e) => e.phase !== 'probe') ?? errors[0];
  if (specific === undefined) return 'probe failed';
  const detail = specific.fields?.['err'] ?? specific.fields?.['status_code'] ?? specific.fields?.['regexp'];
  return detail !== undefined ? `${specific.msg}: ${String(detail)}` : specific.msg;
}

const toApiLog = (e: ProbeLogEntry): ProbeStatus['log'][number] => ({
  atMs: e.ts,
  level: e.level === 'debug' ? 'info' : e.level,
  phase: e.phase,
  message: e.fields ? `${e.msg} ${Object.entries(e.fields).map(([k, v]) => `${k}=${String(v)}`).join(' ')}` : e.msg,
});

export function probeStatuses(listing: ProbeListing): ProbeStatus[] {
  return listing.probes().map((p) => {
    const runs = listing.history.get(p.job, p.module, p.target);
    const last = runs[runs.length - 1];
    return {
      ...p,
      success: last?.success ?? null,
      lastRunMs: last?.time ?? null,
      lastDurationMs: last?.durationMs ?? null,
      recentDurationsMs: runs.map((r) => r.durationMs),
      failure: last ? failureReason(last) : null,
      certificates: [...(last?.certificates ?? [])],
      log: (last?.log ?? []).filter((e) => e.level !== 'debug').map(toApiLog),
    };
  });
}
