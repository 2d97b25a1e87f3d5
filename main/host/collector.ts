/**
 * One host collector: a name as node_exporter's (`--collector.<name>`) and a function that reads
 * the machine and returns metric families. A collector that throws is reported as
 * node_scrape_collector_success{collector}=0; the others are not affected.
 */
import type { GoRegex } from '../../app/dialect/regex.js';
import type { Family } from './family.js';
import type { LinuxPaths } from './linux/sources.js';

export interface HostOptions {
  /** node_exporter's --collector.filesystem.mount-points-exclude / fs-types-exclude. */
  mountPointsExclude: GoRegex;
  fsTypesExclude: GoRegex;
  /** node_exporter's --collector.diskstats.device-exclude. */
  diskstatsDeviceExclude: GoRegex;
  /** node_exporter's --collector.netdev.device-exclude (null: none excluded). */
  netdevDeviceExclude: GoRegex | null;
  /** node_exporter's --collector.powersupply.ignored-supplies. */
  powerSupplyIgnored: GoRegex;
  /** node_exporter's --collector.vmstat.fields. */
  vmstatFields: GoRegex;
  /** Time a statfs() may take before the mount counts as stuck (--collector.filesystem.mount-timeout). */
  mountTimeoutMs: number;
}

export interface CollectContext {
  paths: LinuxPaths;
  options: HostOptions;
  /** Wall clock in ms (tests pass a fixed one). */
  now: () => number;
}

export interface HostCollectorSpec {
  name: string;
  collect(ctx: CollectContext): Promise<Family[]>;
}

/** Raised when a collector has nothing to read on this machine (node_exporter's ErrNoData): reported as failure, logged at debug. */
export class NoDataError extends Error {}
