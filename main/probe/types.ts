/**
 * The result shapes every prober shares: samples (blackbox_exporter's metric names), a probe log
 * that explains failures, and the collector probers write into while they run.
 */
import type { Logger } from '../util/log.js';
import type { Certificate } from '../../app/api/probes.js';

export type { Certificate };

export interface ProbeSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

type ProbeLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ProbeLogEntry {
  /** Milliseconds since the Unix epoch. */
  readonly ts: number;
  readonly level: ProbeLogLevel;
  /** Which part of the probe wrote it: resolve, connect, tls, http, tcp, dns, icmp, check… */
  readonly phase: string;
  readonly msg: string;
  readonly fields?: Readonly<Record<string, string | number | boolean>>;
}

export interface ProbeResult {
  readonly success: boolean;
  readonly samples: ProbeSample[];
  readonly log: ProbeLogEntry[];
  readonly durationMs: number;
  /** The chain the server presented (leaf first), when the probe got that far over TLS. */
  readonly certificates: Certificate[];
}

export interface ProbeOptions {
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Overrides the module's timeout (seconds), e.g. from Prometheus' scrape timeout header. */
  readonly timeoutSeconds?: number;
  /** The `ping` binary for icmp probes; tests point it at a fake. */
  readonly pingPath?: string;
}

/**
 * Gauges keyed by name and label set, as a Prometheus registry holds them. Registering a gauge
 * without labels gives it the value 0, as client_golang exports an untouched Gauge; a labelled
 * gauge appears only once a child is set (a GaugeVec without children exports nothing).
 */
export class MetricSet {
  private readonly values = new Map<string, { name: string; labels: Record<string, string>; value: number }>();

  private key(name: string, labels: Record<string, string>): string {
    // Most gauges have no labels: skip building the sorted label text for them.
    let any = false;
    for (const _ in labels) {
      any = true;
      break;
    }
    if (!any) return name + '\xff';
    return name + '\xff' + Object.keys(labels).sort().map((k) => `${k}\xfe${labels[k]}`).join('\xfd');
  }

  register(...names: string[]): void {
    for (const n of names) if (!this.values.has(this.key(n, {}))) this.set(n, 0);
  }

  set(name: string, value: number, labels: Record<string, string> = {}): void {
    this.values.set(this.key(name, labels), { name, labels: { ...labels }, value });
  }

  add(name: string, delta: number, labels: Record<string, string> = {}): void {
    const k = this.key(name, labels);
    const cur = this.values.get(k);
    this.values.set(k, { name, labels: { ...labels }, value: (cur?.value ?? 0) + delta });
  }

  get(name: string, labels: Record<string, string> = {}): number | undefined {
    return this.values.get(this.key(name, labels))?.value;
  }

  samples(): ProbeSample[] {
    return [...this.values.values()];
  }
}

/** What a prober receives: where to write metrics and log lines, and when to give up. */
export interface ProbeContext {
  readonly metrics: MetricSet;
  readonly log: (level: ProbeLogLevel, phase: string, msg: string, fields?: Record<string, string | number | boolean>) => void;
  readonly signal: AbortSignal;
  /** Absolute deadline (ms since epoch, from performance-independent Date.now()). */
  readonly deadline: number;
  readonly pingPath: string;
  /** Set by TLS-speaking probers: the presented chain, for the certificate panel. */
  readonly certificates: Certificate[];
}

/** Milliseconds left before the deadline (never negative). */
export function remainingMs(ctx: ProbeContext): number {
  return Math.max(0, ctx.deadline - Date.now());
}
