/**
 * The service-discovery contract, as in Prometheus' discovery package: a Discoverer runs until
 * its signal aborts and sends target groups. A group is identified by `source`; sending a
 * source again replaces it, and sending it with no targets removes it.
 */

/** One discovered target: at least `__address__`, plus `__meta_*` labels. */
export type TargetLabels = Readonly<Record<string, string>>;

export interface TargetGroup {
  /** Unique within one discoverer, e.g. the file path and index, or the DNS name. */
  readonly source: string;
  readonly targets: readonly TargetLabels[];
  /** Labels common to every target of the group (targets' own labels win). */
  readonly labels: TargetLabels;
}

export interface Discoverer {
  /** Runs until `signal` aborts; calls `send` with changed groups (first call: all groups). */
  run(signal: AbortSignal, send: (groups: readonly TargetGroup[]) => void): Promise<void>;
}

/** A problem a discoverer hit; it keeps its last good groups and retries on its interval. */
export interface DiscoveryErrorEvent {
  readonly mechanism: 'file' | 'dns' | 'http' | 'static';
  readonly message: string;
}

export type OnDiscoveryError = (event: DiscoveryErrorEvent) => void;

/** Sleeps `ms` or until `signal` aborts (resolves either way). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) return done();
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}

/** `net.JoinHostPort`: brackets around IPv6 literals. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
