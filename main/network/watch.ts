/**
 * Notices network changes: checks the source on an interval, and takes a new network as current
 * only after it was seen on `stableChecks` checks in a row, so a network flapping every few
 * seconds does not pause and resume target groups (nor page) on every flap. Records
 * `vigil_network_changes_total` and `vigil_network_info`.
 */
import { callbackCollector, type MetricsRegistry } from '../util/metrics.js';
import type { Logger } from '../util/log.js';
import type { NetworkFacts, NetworkSource } from './facts.js';

export interface NetworkWatchOptions {
  source: NetworkSource;
  logger: Logger;
  /** default 10 s */
  checkEveryMs?: number;
  /** Checks a new network must be seen on before it counts; default 3. */
  stableChecks?: number;
}

const key = (f: NetworkFacts) => JSON.stringify([f.gateway, f.interfaces, f.dnsSuffixes]);

export class NetworkWatch {
  private currentFacts: NetworkFacts | null = null;
  private candidate: { key: string; seen: number } | null = null;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> = Promise.resolve();
  private changes = 0;
  private readonly listeners = new Set<(f: NetworkFacts) => void>();

  constructor(private readonly o: NetworkWatchOptions) {}

  /** Reads the network once (taken as current at once) and starts checking. */
  async start(): Promise<void> {
    this.currentFacts = await this.o.source().catch((err: unknown) => {
      this.o.logger.error(`cannot tell the network: ${String(err)}`);
      return null;
    });
    this.timer = setInterval(() => void this.check(), this.o.checkEveryMs ?? 10_000);
    this.timer.unref();
  }

  current(): NetworkFacts | null {
    return this.currentFacts;
  }

  onChange(listener: (f: NetworkFacts) => void): void {
    this.listeners.add(listener);
  }

  /** One check (the interval calls it; tests call it directly). */
  check(): Promise<void> {
    this.checking = this.checking.then(() => this.doCheck());
    return this.checking;
  }

  private async doCheck(): Promise<void> {
    let facts: NetworkFacts;
    try {
      facts = await this.o.source();
    } catch (err) {
      this.o.logger.warn(`cannot tell the network: ${String(err)}`);
      return;
    }
    const k = key(facts);
    if (this.currentFacts !== null && k === key(this.currentFacts)) {
      this.candidate = null;
      return;
    }
    this.candidate = this.candidate?.key === k ? { key: k, seen: this.candidate.seen + 1 } : { key: k, seen: 1 };
    if (this.candidate.seen < (this.o.stableChecks ?? 3)) return;
    this.candidate = null;
    this.currentFacts = facts;
    this.changes++;
    this.o.logger.info('network changed', { gateway: facts.gateway, interfaces: facts.interfaces.join(','), dnsSuffixes: facts.dnsSuffixes.join(',') });
    for (const l of this.listeners) l(facts);
  }

  register(registry: MetricsRegistry): void {
    registry.register(callbackCollector('vigil_network_changes_total', 'Network changes noticed (a new gateway, interface set or DNS suffix, stable for a few checks).', 'counter', () => this.changes));
    registry.register(
      callbackCollector('vigil_network_info', 'The network this machine is on now.', 'gauge', () => {
        const f = this.currentFacts;
        return f === null ? [] : [{ name: 'vigil_network_info', labels: { gateway: f.gateway ?? '', interfaces: f.interfaces.join(','), dns_suffix: f.dnsSuffixes[0] ?? '' }, value: 1 }];
      }),
    );
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
