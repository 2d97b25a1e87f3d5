import { channelNames, type ChannelName, type WorkbenchApi } from '../../app/api/channels.js';
import { ApiError } from '../../app/api/errors.js';

/** The services that answer the contract, each started and stopped with its subsystem. */
export type ServiceName = 'engine' | 'queries' | 'targets' | 'probes' | 'alerting' | 'dashboards' | 'topology' | 'sources' | 'setup';

/**
 * Which service answers each channel. `satisfies` makes a channel added to app/api/channels.ts
 * without an owner here (or a name that is no channel) a compile error.
 */
export const channelOwners = {
  status: 'engine',
  tsdbStatus: 'engine',
  query: 'queries',
  queryRange: 'queries',
  estimateQuery: 'queries',
  cancelQuery: 'queries',
  queryExemplars: 'engine',
  labelNames: 'queries',
  labelValues: 'queries',
  metadata: 'queries',
  targets: 'targets',
  lintTarget: 'targets',
  probes: 'probes',
  alerts: 'alerting',
  ackAlert: 'alerting',
  unackAlert: 'alerting',
  addAlertNote: 'alerting',
  silences: 'alerting',
  createSilence: 'alerting',
  expireSilence: 'alerting',
  previewSilence: 'alerting',
  rules: 'alerting',
  readRuleText: 'alerting',
  saveRuleText: 'alerting',
  runRuleTests: 'alerting',
  backtest: 'alerting',
  fireDrill: 'alerting',
  dashboards: 'dashboards',
  dashboard: 'dashboards',
  saveDashboard: 'dashboards',
  deleteDashboard: 'dashboards',
  starDashboard: 'dashboards',
  dashboardVersions: 'dashboards',
  diffDashboardVersions: 'dashboards',
  restoreDashboardVersion: 'dashboards',
  importDashboard: 'dashboards',
  exportDashboard: 'dashboards',
  topology: 'topology',
  topologySettings: 'topology',
  saveTopologySettings: 'topology',
  power: 'engine',
  setEnergyMode: 'engine',
  memory: 'engine',
  setMemoryBudget: 'engine',
  remoteSources: 'sources',
  saveRemoteSource: 'sources',
  deleteRemoteSource: 'sources',
  testRemoteSource: 'sources',
  setup: 'setup',
  setSetupToggles: 'setup',
  addWebsite: 'setup',
  removeWebsite: 'setup',
  setTracingUrl: 'setup',
  previewImport: 'setup',
  applyImport: 'setup',
} as const satisfies Record<ChannelName, ServiceName>;

type ChannelsOf<S extends ServiceName> = { [K in ChannelName]: (typeof channelOwners)[K] extends S ? K : never }[ChannelName];

/** The part of the contract one service answers. */
type ServiceOf<S extends ServiceName> = Pick<WorkbenchApi, ChannelsOf<S>>;
/** The scrape side (targets page), implemented over the scrape manager. */
export type TargetsService = ServiceOf<'targets'>;
/** The probe side, implemented over the probe scheduler. */
export type ProbesService = ServiceOf<'probes'>;
/** The alerting side, implemented over rules, notifications and the inbox. */
export type AlertingService = ServiceOf<'alerting'>;
/** Dashboards: the store, provisioning, import and export. */
export type DashboardsService = ServiceOf<'dashboards'>;
/** Remote data sources: the store and a check that one answers. */
export type SourcesService = ServiceOf<'sources'>;
/** The query channels (answered locally or proxied to a remote source). */
export type QueriesService = ServiceOf<'queries'>;
/** First-launch settings: toggles and websites (main/setup/). */
export type SetupApi = ServiceOf<'setup'>;

/** Each service, or null while it is not running (not started yet, failed, or stopped). */
export type RunningServices = { readonly [S in ServiceName]: ServiceOf<S> | null };

const serviceTitles: Record<ServiceName, string> = {
  engine: 'the engine',
  queries: 'the query engine',
  targets: 'scraping',
  probes: 'probing',
  alerting: 'alerting',
  dashboards: 'the dashboard store',
  topology: 'the topology view',
  sources: 'the remote source store',
  setup: 'the first-launch settings',
};

/** The one answer of a channel whose service is not running. */
function unavailable(service: ServiceName, channel: ChannelName): ApiError {
  return new ApiError({
    kind: 'unavailable',
    where: channel,
    message: `${channel}: ${serviceTitles[service]} is not running (Vigil is starting or stopping); try again shortly`,
  });
}

type AnyHandler = (request: unknown) => Promise<unknown>;

/**
 * The contract answered by whichever services are running: every channel goes to its owner from
 * `channelOwners`, or fails with `unavailable` when that owner is not running.
 */
export function routeChannels(running: () => RunningServices): WorkbenchApi {
  const api: Partial<Record<ChannelName, AnyHandler>> = {};
  for (const name of channelNames) {
    const owner = channelOwners[name];
    api[name] = async (request) => {
      const service = running()[owner] as Record<ChannelName, AnyHandler> | null;
      if (service === null) throw unavailable(owner, name);
      return service[name].call(service, request);
    };
  }
  return api as WorkbenchApi;
}
