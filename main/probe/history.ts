/**
 * The probe log: a ring buffer of the last runs of each probe (job + module + target), so the
 * UI and `/probe?debug=true` can show why a probe failed without re-running it.
 */
import type { Certificate, ProbeLogEntry } from './types.js';

export interface ProbeRun {
  readonly job: string;
  readonly module: string;
  readonly target: string;
  /** Start of the run, ms since the epoch. */
  readonly time: number;
  readonly success: boolean;
  readonly durationMs: number;
  readonly log: readonly ProbeLogEntry[];
  readonly certificates?: readonly Certificate[];
}

export class ProbeHistory {
  private readonly runs = new Map<string, ProbeRun[]>();

  constructor(readonly perProbe = 10) {}

  static key(job: string, module: string, target: string): string {
    return `${job}\xff${module}\xff${target}`;
  }

  record(run: ProbeRun): void {
    const key = ProbeHistory.key(run.job, run.module, run.target);
    const list = this.runs.get(key) ?? [];
    list.push(run);
    if (list.length > this.perProbe) list.splice(0, list.length - this.perProbe);
    this.runs.set(key, list);
  }

  /** Oldest first. */
  get(job: string, module: string, target: string): readonly ProbeRun[] {
    return this.runs.get(ProbeHistory.key(job, module, target)) ?? [];
  }

  /** Drops probes that are no longer configured. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.runs.keys()) if (!keys.has(k)) this.runs.delete(k);
  }

  all(): ProbeRun[] {
    return [...this.runs.values()].flatMap((l) => l);
  }
}

const needsQuote = (v: string): boolean => v === '' || /[\s="\\]/.test(v);
const quote = (v: string): string => (needsQuote(v) ? JSON.stringify(v) : v);

/** One log entry in blackbox_exporter's logfmt layout (`ts=… caller=… module=… target=… level=… msg=…`). */
export function formatLogLine(e: ProbeLogEntry, module: string, target: string): string {
  const parts = [
    `ts=${new Date(e.ts).toISOString()}`,
    `caller=${e.phase}`,
    `module=${quote(module)}`,
    `target=${quote(target)}`,
    `level=${e.level}`,
    `msg=${quote(e.msg)}`,
  ];
  for (const [k, v] of Object.entries(e.fields ?? {})) parts.push(`${k}=${quote(String(v))}`);
  return parts.join(' ');
}
