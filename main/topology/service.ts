/**
 * The `topology` channels: the service graph at a time (dialect detected from the metric names
 * present, or as asked), and its settings — a custom dialect and the health thresholds — saved
 * as `topology.json` in the data directory (format in main/topology/README.md).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestOf, ResponseOf } from '../../app/api/channels.js';
import { ApiError, describeZodError } from '../../app/api/errors.js';
import { defaultThresholds, TopologySettingsSchema, type TopologyDialectName, type TopologySettings } from '../../app/api/topology.js';
import { builtinDialects, customDialect, dialectByName, type Dialect } from '../../app/topology/dialects.js';
import type { QueriesService } from '../api/services.js';
import { buildTopology, type RunQuery } from './build.js';

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
}

export class TopologyService {
  constructor(private readonly o: TopologyServiceOptions) {}

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

  async topology(request: RequestOf<'topology'>): Promise<ResponseOf<'topology'>> {
    const settings = this.settings();
    const time = request.time ?? this.now();
    const windowMs = request.windowMs ?? Math.max(60_000, 4 * this.o.scrapeIntervalMs());
    const thresholds = request.thresholds ?? settings.thresholds;
    const custom = settings.custom === null ? null : customDialect(settings.custom);
    const available = await this.available(time, custom, request.source);
    const name = request.dialect ?? available[0] ?? null;
    const base = { time, windowMs, available, custom: settings.custom, thresholds };
    if (name === null) {
      return { ...base, dialect: null, nodes: [], edges: [], droppedEdges: 0, queries: [], notes: ['no mesh metrics at this time: none of response_total (Linkerd), istio_requests_total (Istio), traces_service_graph_request_total (OpenTelemetry service graph), nor a custom dialect'] };
    }
    const dialect = dialectByName(name, settings.custom);
    if (dialect === null) throw new ApiError({ kind: 'bad_request', where: 'topology', message: 'topology: the custom dialect is not configured; define it in the topology settings first' });
    const graph = await buildTopology({ run: this.runner(name, request.source), dialect, time, windowMs, thresholds, maxEdges: request.maxEdges ?? defaultMaxEdges });
    if (graph.edges.length === 0 && graph.notes.length === 0) graph.notes.push(`no ${name} traffic in the ${windowMs / 1000}s before this time`);
    return { ...base, dialect: name, ...graph };
  }
}
