/**
 * The `topology` channels: the service graph at a time (dialect detected from the metric names
 * present, or as asked), and its settings — a custom dialect and the health thresholds — saved
 * as `topology.json` in the data directory (format in main/topology/README.md).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestOf, ResponseOf } from '../../app/api/channels.js';
import { ApiError, describeZodError } from '../../app/api/errors.js';
import { freezeAnswer } from '../../app/api/validate.js';
import { defaultThresholds, TopologySettingsSchema, type TopologyDialectName, type TopologySettings } from '../../app/api/topology.js';
import { builtinDialects, customDialect, dialectByName, type Dialect } from '../../app/topology/dialects.js';
import type { QueriesService } from '../api/services.js';
import { buildTopology, type RunQuery } from './build.js';
import { LiveGraphs } from './live-graphs.js';

const settingsFileName = 'topology.json';
const defaultSettings: TopologySettings = { custom: null, thresholds: defaultThresholds };
const defaultMaxEdges = 2000;

export interface TopologyServiceOptions {
  /** Runs the graph's queries: on this engine, or on the remote source a request names. */
  queries: Pick<QueriesService, 'query'>;
  dataDir: string;
  /** The scrape interval of the running config (ms); the default window is max(1m, 4×). */
  scrapeIntervalMs: () => number;
  now?: () => number;
  /** How long a graph at "now" is kept up to date after it was last asked for (ms); 0: never kept. */
  keepLiveMs?: number;
}

type TopologyAnswer = ResponseOf<'topology'>;

/** Two minutes: a page polling every 15 s keeps its graph live; a closed page stops it soon. */
const defaultKeepLiveMs = 120_000;

export class TopologyService {
  private readonly live: LiveGraphs<TopologyAnswer>;

  constructor(private readonly o: TopologyServiceOptions) {
    this.live = new LiveGraphs({ periodMs: () => Math.max(1000, o.scrapeIntervalMs()), keepWarmMs: o.keepLiveMs ?? defaultKeepLiveMs, maxEntries: 8, now: () => this.now() });
  }

  /** Stops keeping graphs up to date. */
  close(): void {
    this.live.close();
  }

  private get file(): string {
    return join(this.o.dataDir, settingsFileName);
  }

  /** The saved settings; a missing file is the defaults, a broken one an error naming it. */
  private settings(): TopologySettings {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return defaultSettings;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ApiError({ kind: 'bad_request', where: this.file, message: `${this.file}: not JSON (${(err as Error).message}); fix or delete the file` });
    }
    const parsed = TopologySettingsSchema.safeParse(raw);
    if (!parsed.success) throw new ApiError({ kind: 'bad_request', where: this.file, message: `${this.file}: ${describeZodError(parsed.error)}; fix or delete the file` });
    return parsed.data;
  }

  async topologySettings(): Promise<ResponseOf<'topologySettings'>> {
    return this.settings();
  }

  async saveTopologySettings(request: RequestOf<'saveTopologySettings'>): Promise<ResponseOf<'saveTopologySettings'>> {
    const settings = TopologySettingsSchema.parse(request);
    if (settings.custom !== null) {
      // A custom dialect whose matchers (series or failed requests) do not parse is refused before it is saved.
      const part = customDialect(settings.custom).parts[0]!;
      const failures = part.failures?.kind === 'match' ? part.failures.match : [];
      const selector = (ms: readonly string[]) => `${part.requests}${ms.length ? `{${ms.join(',')}}` : ''}`;
      await this.runner('custom')(`count(${selector(part.match)})`, this.now());
      if (failures.length > 0) await this.runner('custom')(`count(${selector([...part.match, ...failures])})`, this.now());
    }
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(settings, null, 2) + '\n');
    renameSync(tmp, this.file);
    this.live.clear();
    return settings;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Runs a query, turning its errors into ones that name the topology and the query. */
  private runner(dialect: TopologyDialectName | 'detect', source?: string): RunQuery {
    return async (query, time) => {
      try {
        const a = await this.o.queries.query({ query, time, ...(source !== undefined ? { source } : {}) });
        const samples = a.result.resultType === 'vector' ? a.result.samples : [];
        return { samples, ms: a.stats.totalMs };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const kind = err instanceof ApiError ? err.kind : 'internal';
        throw new ApiError({ kind, where: 'topology', message: `topology (${dialect}): ${message} — in ${query}` });
      }
    };
  }

  /** Dialects whose marker metric has series at `time`. */
  private async available(time: number, custom: Dialect | null, source: string | undefined): Promise<TopologyDialectName[]> {
    const all = custom === null ? builtinDialects : [...builtinDialects, custom];
    const names = all.map((d) => d.marker).join('|');
    const { samples } = await this.runner('detect', source)(`group by (__name__) ({__name__=~"${names}"})`, time);
    const present = new Set(samples.map((s) => s.labels['__name__']));
    return all.filter((d) => present.has(d.marker)).map((d) => d.name);
  }

  /**
   * The graph at `request.time`; without a time, the graph at "now" the engine keeps up to date
   * while it is watched (`cached`; its `time` says when it was evaluated), see live-graphs.ts.
   */
  async topology(request: RequestOf<'topology'>): Promise<TopologyAnswer> {
    const settings = this.settings();
    const windowMs = request.windowMs ?? Math.max(60_000, 4 * this.o.scrapeIntervalMs());
    const thresholds = request.thresholds ?? settings.thresholds;
    const evaluate = (time: number) => this.evaluate(request, settings, time, windowMs, thresholds);
    if (request.time !== undefined || (this.o.keepLiveMs ?? defaultKeepLiveMs) <= 0) return evaluate(request.time ?? this.now());
    const key = JSON.stringify([request.dialect ?? null, windowMs, thresholds, request.maxEdges ?? null, request.source ?? null, settings]);
    // The kept answer is frozen: handed out many times, it is checked on its way out once.
    const r = await this.live.get(key, async () => {
      const time = this.now();
      return { value: freezeAnswer({ ...(await evaluate(time)), cached: true }), time };
    });
    return r.cached ? r.value : { ...r.value, cached: false };
  }

  private async evaluate(request: RequestOf<'topology'>, settings: TopologySettings, time: number, windowMs: number, thresholds: TopologySettings['thresholds']): Promise<TopologyAnswer> {
    const started = performance.now();
    const custom = settings.custom === null ? null : customDialect(settings.custom);
    const available = await this.available(time, custom, request.source);
    const name = request.dialect ?? available[0] ?? null;
    const base = { time, windowMs, available, custom: settings.custom, thresholds, cached: false };
    if (name === null) {
      return { ...base, dialect: null, nodes: [], edges: [], droppedEdges: 0, queries: [], notes: ['no mesh metrics at this time: none of response_total (Linkerd), istio_requests_total (Istio), traces_service_graph_request_total (OpenTelemetry service graph), nor a custom dialect'], evalMs: performance.now() - started };
    }
    const dialect = dialectByName(name, settings.custom);
    if (dialect === null) throw new ApiError({ kind: 'bad_request', where: 'topology', message: 'topology: the custom dialect is not configured; define it in the topology settings first' });
    const graph = await buildTopology({ run: this.runner(name, request.source), dialect, time, windowMs, thresholds, maxEdges: request.maxEdges ?? defaultMaxEdges });
    if (graph.edges.length === 0 && graph.notes.length === 0) graph.notes.push(`no ${name} traffic in the ${windowMs / 1000}s before this time`);
    return { ...base, dialect: name, ...graph, evalMs: performance.now() - started };
  }
}
