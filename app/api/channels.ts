import { z } from 'zod';
import { StatusSchema } from './status.js';
import {
  CancelQueryRequestSchema,
  EstimateRequestSchema,
  EstimateResponseSchema,
  CancelQueryResponseSchema,
  InstantQueryRequestSchema,
  InstantQueryResponseSchema,
  LabelNamesRequestSchema,
  LabelValuesRequestSchema,
  MetadataRequestSchema,
  MetadataResponseSchema,
  RangeQueryRequestSchema,
  RangeQueryResponseSchema,
  StringListResponseSchema,
} from './query.js';
import { LintTargetRequestSchema, LintTargetResponseSchema, TargetsRequestSchema, TargetsResponseSchema } from './targets.js';
import { ProbesRequestSchema, ProbesResponseSchema } from './probes.js';
import {
  AlertActionRequestSchema,
  AlertNoteRequestSchema,
  AlertResponseSchema,
  AlertsRequestSchema,
  AlertsResponseSchema,
  BacktestRequestSchema,
  BacktestResponseSchema,
  CreateSilenceRequestSchema,
  DrillRequestSchema,
  DrillResponseSchema,
  PreviewSilenceRequestSchema,
  PreviewSilenceResponseSchema,
  RulesResponseSchema,
  ReadRuleTextRequestSchema,
  ReadRuleTextResponseSchema,
  SaveRuleTextRequestSchema,
  SaveRuleTextResponseSchema,
  RuleTestsRequestSchema,
  RuleTestsResponseSchema,
  SilenceIdRequestSchema,
  SilenceSchema,
  SilencesResponseSchema,
} from './alerts.js';
import {
  DashboardRequestSchema,
  DashboardResponseSchema,
  DashboardsRequestSchema,
  DashboardsResponseSchema,
  DashboardVersionsResponseSchema,
  DeleteDashboardResponseSchema,
  DiffDashboardVersionsRequestSchema,
  DiffDashboardVersionsResponseSchema,
  ExportDashboardRequestSchema,
  ExportDashboardResponseSchema,
  ImportDashboardRequestSchema,
  ImportDashboardResponseSchema,
  RestoreDashboardVersionRequestSchema,
  SaveDashboardRequestSchema,
  SaveDashboardResponseSchema,
  StarDashboardRequestSchema,
  StarDashboardResponseSchema,
  UidRequestSchema,
} from './dashboards.js';
import { PowerSchema, SetEnergyModeRequestSchema } from './power.js';
import { MemoryStatusSchema, SetMemoryBudgetRequestSchema } from './memory.js';
import { TopologyRequestSchema, TopologyResponseSchema, TopologySettingsSchema } from './topology.js';
import { TsdbStatusRequestSchema, TsdbStatusSchema } from './tsdb-status.js';
import {
  DeleteRemoteSourceResponseSchema,
  RemoteSourceSchema,
  RemoteSourcesResponseSchema,
  RemoteSourceUidRequestSchema,
  SaveRemoteSourceRequestSchema,
  TestRemoteSourceResponseSchema,
} from './remote-sources.js';
import { ImportAppliedSchema, ImportPreviewSchema, ImportRequestSchema } from './onboarding.js';
import { AddWebsiteRequestSchema, RemoveWebsiteRequestSchema, SetSetupTogglesRequestSchema, SetTracingUrlRequestSchema, SetupSchema } from './setup.js';
import { QueryExemplarsRequestSchema, QueryExemplarsResponseSchema } from './exemplars.js';

/**
 * The one declaration of everything the renderer may ask of the engine. Each entry is a named
 * channel with a request and a response schema. The Electron preload exposes exactly these names,
 * `ipcMain` registers exactly these handlers, and the HTTP shell serves exactly these routes; each
 * side validates payloads against the schemas here. Adding a channel changes the snapshot in
 * `test/app/api-surface.snapshot.json`, so it shows up in review.
 */
export const channels = {
  status: {
    doc: 'Build info, engine start time and data directory.',
    request: z.object({}).strict(),
    response: StatusSchema,
  },
  tsdbStatus: {
    doc: "Cardinality explorer: top metric names, label names and label pairs by series (Prometheus' /api/v1/status/tsdb).",
    request: TsdbStatusRequestSchema,
    response: TsdbStatusSchema,
  },
  query: {
    doc: 'Instant PromQL query at one time, with warnings and engine stats.',
    request: InstantQueryRequestSchema,
    response: InstantQueryResponseSchema,
  },
  queryRange: {
    doc: 'Range PromQL query over [start, end] by step (ms), columnar result for graphs.',
    request: RangeQueryRequestSchema,
    response: RangeQueryResponseSchema,
  },
  estimateQuery: {
    doc: 'Series and samples a query would touch (index only), and whether that is over the limit.',
    request: EstimateRequestSchema,
    response: EstimateResponseSchema,
  },
  cancelQuery: {
    doc: 'Cancel a running query by the id its request carried.',
    request: CancelQueryRequestSchema,
    response: CancelQueryResponseSchema,
  },
  queryExemplars: {
    doc: "Scraped exemplars (trace ids beside samples) of the series the query's selectors match, within [start, end] (ms); as /api/v1/query_exemplars.",
    request: QueryExemplarsRequestSchema,
    response: QueryExemplarsResponseSchema,
  },
  labelNames: {
    doc: 'Label names, optionally scoped by series selectors.',
    request: LabelNamesRequestSchema,
    response: StringListResponseSchema,
  },
  labelValues: {
    doc: 'Values of one label, scoped by selectors, filtered and limited on the engine side.',
    request: LabelValuesRequestSchema,
    response: StringListResponseSchema,
  },
  metadata: {
    doc: 'Metric names with type, HELP and unit, filtered and limited on the engine side.',
    request: MetadataRequestSchema,
    response: MetadataResponseSchema,
  },
  targets: {
    doc: 'Scrape targets by pool with health, labels before/after relabeling, last error and relabel steps.',
    request: TargetsRequestSchema,
    response: TargetsResponseSchema,
  },
  lintTarget: {
    doc: "Fetch a target's metrics page and check it with promtool's `check metrics` rules.",
    request: LintTargetRequestSchema,
    response: LintTargetResponseSchema,
  },
  probes: {
    doc: 'Blackbox probes with their last result, recent durations, failure reason and certificate chain.',
    request: ProbesRequestSchema,
    response: ProbesResponseSchema,
  },
  alerts: {
    doc: 'The alert inbox: firing, pending and resolved alerts with history, notes, acks and silences.',
    request: AlertsRequestSchema,
    response: AlertsResponseSchema,
  },
  ackAlert: {
    doc: 'Acknowledge an alert: repeats stop until it changes.',
    request: AlertActionRequestSchema,
    response: AlertResponseSchema,
  },
  unackAlert: {
    doc: 'Withdraw an acknowledgement.',
    request: AlertActionRequestSchema,
    response: AlertResponseSchema,
  },
  addAlertNote: {
    doc: 'Attach a note to an alert.',
    request: AlertNoteRequestSchema,
    response: AlertResponseSchema,
  },
  silences: {
    doc: 'All silences with their state.',
    request: z.object({}).strict(),
    response: SilencesResponseSchema,
  },
  createSilence: {
    doc: 'Silence alerts matching label matchers until a time.',
    request: CreateSilenceRequestSchema,
    response: SilenceSchema,
  },
  expireSilence: {
    doc: 'End a silence now.',
    request: SilenceIdRequestSchema,
    response: SilenceSchema,
  },
  previewSilence: {
    doc: 'The alerts a silence with these matchers would mute.',
    request: PreviewSilenceRequestSchema,
    response: PreviewSilenceResponseSchema,
  },
  rules: {
    doc: 'Rule groups with each rule’s health, last evaluation and alert state.',
    request: z.object({}).strict(),
    response: RulesResponseSchema,
  },
  readRuleText: {
    doc: "Text of a rule file from the config's rule_files, or of a rule unit-test file beside one.",
    request: ReadRuleTextRequestSchema,
    response: ReadRuleTextResponseSchema,
  },
  saveRuleText: {
    doc: 'Validate and save a rule file (then reload the rules) or a rule unit-test file; nothing is written when it has errors.',
    request: SaveRuleTextRequestSchema,
    response: SaveRuleTextResponseSchema,
  },
  runRuleTests: {
    doc: "Run rule unit-test files (promtool's format) and return the report.",
    request: RuleTestsRequestSchema,
    response: RuleTestsResponseSchema,
  },
  backtest: {
    doc: 'Evaluate an alerting rule over stored history: pending/firing intervals and notifications, optionally against the saved rule.',
    request: BacktestRequestSchema,
    response: BacktestResponseSchema,
  },
  fireDrill: {
    doc: 'Run a rule over synthetic samples in a sandbox (nothing stored) and deliver drill-marked notifications.',
    request: DrillRequestSchema,
    response: DrillResponseSchema,
  },
  dashboards: {
    doc: 'Dashboards (stored and provisioned) with tags, starred and folder, filtered by title, tags or starred.',
    request: DashboardsRequestSchema,
    response: DashboardsResponseSchema,
  },
  dashboard: {
    doc: 'One dashboard in Grafana’s JSON model by uid (latest, or a given version) with its metadata.',
    request: DashboardRequestSchema,
    response: DashboardResponseSchema,
  },
  saveDashboard: {
    doc: 'Save a dashboard as a new version; refused for provisioned ones (save as a copy instead).',
    request: SaveDashboardRequestSchema,
    response: SaveDashboardResponseSchema,
  },
  deleteDashboard: {
    doc: 'Delete a stored dashboard with its history; provisioned ones are refused.',
    request: UidRequestSchema,
    response: DeleteDashboardResponseSchema,
  },
  starDashboard: {
    doc: 'Star or unstar a dashboard.',
    request: StarDashboardRequestSchema,
    response: StarDashboardResponseSchema,
  },
  dashboardVersions: {
    doc: 'Version history of a stored dashboard: who, when, message, newest first.',
    request: UidRequestSchema,
    response: DashboardVersionsResponseSchema,
  },
  diffDashboardVersions: {
    doc: 'Changed JSON paths between two versions of a dashboard.',
    request: DiffDashboardVersionsRequestSchema,
    response: DiffDashboardVersionsResponseSchema,
  },
  restoreDashboardVersion: {
    doc: 'Make an old version the latest again (as a new version).',
    request: RestoreDashboardVersionRequestSchema,
    response: SaveDashboardResponseSchema,
  },
  importDashboard: {
    doc: 'Import Grafana dashboard JSON (7 to 12): migrate, report what was mapped/kept/unsupported, and store it unless dryRun.',
    request: ImportDashboardRequestSchema,
    response: ImportDashboardResponseSchema,
  },
  exportDashboard: {
    doc: 'A dashboard as Grafana JSON text, optionally for sharing externally (__inputs, __requires, ${DS_PROMETHEUS}).',
    request: ExportDashboardRequestSchema,
    response: ExportDashboardResponseSchema,
  },
  topology: {
    doc: 'The service graph of mesh traffic at a time (Linkerd, Istio, OpenTelemetry service graph or a custom dialect): nodes, edges, figures, notes.',
    request: TopologyRequestSchema,
    response: TopologyResponseSchema,
  },
  topologySettings: {
    doc: 'The saved topology settings: custom dialect and health thresholds.',
    request: z.object({}).strict(),
    response: TopologySettingsSchema,
  },
  saveTopologySettings: {
    doc: 'Save the topology settings (a custom dialect whose matchers do not parse is refused).',
    request: TopologySettingsSchema,
    response: TopologySettingsSchema,
  },
  power: {
    doc: 'Energy mode, whether rules are held after a wake, recent sleep gaps and the last "while you were away" summary.',
    request: z.object({}).strict(),
    response: PowerSchema,
  },
  setEnergyMode: {
    doc: 'Set energy mode: auto (on while on battery), on or off.',
    request: SetEnergyModeRequestSchema,
    response: PowerSchema,
  },
  memory: {
    doc: 'The memory budget, resident memory and what uses it (head series, open chunks, caches, heap, storage worker), pressure steps and refused queries.',
    request: z.object({}).strict(),
    response: MemoryStatusSchema,
  },
  setMemoryBudget: {
    doc: "Set the memory budget (bytes; null: none); applies at once. The desktop app keeps it for the next start, where it also sets V8's heap limit.",
    request: SetMemoryBudgetRequestSchema,
    response: MemoryStatusSchema,
  },
  remoteSources: {
    doc: 'Remote data sources (Prometheus-compatible query APIs) the engine proxies queries to; secrets are never returned.',
    request: z.object({}).strict(),
    response: RemoteSourcesResponseSchema,
  },
  saveRemoteSource: {
    doc: 'Add a remote data source, or change one by uid (an omitted password or token keeps the stored one).',
    request: SaveRemoteSourceRequestSchema,
    response: RemoteSourceSchema,
  },
  deleteRemoteSource: {
    doc: 'Remove a remote data source.',
    request: RemoteSourceUidRequestSchema,
    response: DeleteRemoteSourceResponseSchema,
  },
  testRemoteSource: {
    doc: 'Ask a remote data source for its build info (or a trivial query) through the engine and say whether it answers.',
    request: RemoteSourceUidRequestSchema,
    response: TestRemoteSourceResponseSchema,
  },
  setup: {
    doc: 'What the first launch runs (Vigil itself, this machine, demo fleet and mesh, websites), from Vigil\'s own settings file.',
    request: z.object({}).strict(),
    response: SetupSchema,
  },
  setSetupToggles: {
    doc: 'Switch Vigil itself, this machine, the demo fleet or the demo mesh on or off; saved, and applied to scraping at once.',
    request: SetSetupTogglesRequestSchema,
    response: SetupSchema,
  },
  addWebsite: {
    doc: 'Probe a website over HTTPS with its certificate chain (saved in Vigil\'s settings, probed at once); a bad address is a bad_request naming it.',
    request: AddWebsiteRequestSchema,
    response: SetupSchema,
  },
  removeWebsite: {
    doc: 'Stop probing a website added with addWebsite.',
    request: RemoveWebsiteRequestSchema,
    response: SetupSchema,
  },
  setTracingUrl: {
    doc: 'Save the tracing UI link opened from an exemplar: an http(s) URL template with ${traceId} (Jaeger, Tempo, Zipkin), or "" for none.',
    request: SetTracingUrlRequestSchema,
    response: SetupSchema,
  },
  previewImport: {
    doc: 'Onboarding import, step 1: validate prometheus.yml, blackbox, rule, promtool test, file_sd and Grafana dashboard files (paths the engine reads, or uploaded contents) and say what would be scraped, loaded and imported. Nothing starts.',
    request: ImportRequestSchema,
    response: ImportPreviewSchema,
  },
  applyImport: {
    doc: 'Onboarding import, step 2: validate again and, only if everything loads and every test passes, run the config, load the rules and store the dashboards.',
    request: ImportRequestSchema,
    response: ImportAppliedSchema,
  },
} as const satisfies Record<string, ChannelSpec>;

export interface ChannelSpec {
  readonly doc: string;
  readonly request: z.ZodType;
  readonly response: z.ZodType;
}

export type ChannelName = keyof typeof channels;
export type RequestOf<K extends ChannelName> = z.input<(typeof channels)[K]['request']>;
export type ResponseOf<K extends ChannelName> = z.output<(typeof channels)[K]['response']>;

/** The API every shell offers the renderer. The engine implements it; clients proxy it. */
export type WorkbenchApi = {
  [K in ChannelName]: (request: RequestOf<K>) => Promise<ResponseOf<K>>;
};

export const channelNames = Object.keys(channels) as ChannelName[];

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}

/** IPC channel string for a contract name; one prefix so main can refuse anything else. */
const ipcChannelPrefix = 'vigil:';
export function ipcChannel(name: ChannelName): string {
  return ipcChannelPrefix + name;
}

/** HTTP route for a contract name in `vigil serve`. */
export const httpApiPrefix = '/api/vigil/';
export function httpRoute(name: ChannelName): string {
  return httpApiPrefix + name;
}
