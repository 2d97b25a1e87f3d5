/**
 * A panel's data: its visible targets interpolated (variables, `$__interval` & co.), run as
 * range or instant queries over the contract, and shaped for drawing — series names from
 * `legendFormat`, classic `_bucket` histograms turned into heatmap cells, reductions for stat
 * and gauge panels. Panels draw what this returns and do no data work themselves.
 */
import type { WorkbenchApi } from '../../app/api/channels.js';
import type { TopologyResponse } from '../../app/api/topology.js';
import { topologyPanelOptions, topologyPanelType, topologyRequest } from '../../app/dashboards/topology-panel.js';
import { fromWire, type InstantResult, type WireHistogram } from '../../app/api/query.js';
import type { Panel, Target } from '../../app/dashboards/model.js';
import type { TimeRange } from '../../app/app-urls.js';
import { datasourceUid, interpolate, queryStep, type ResolvedVariable } from '../../app/dashboards/variables.js';
import { queryRangeColumns } from '../api/client.js';
import type { ColumnValues } from '../api/range-columns.js';
import { queryError, type QueryCache, type QueryError } from '../api/query-cache.js';
import { seriesName } from '../explore/series-data.js';

export interface PanelSeries {
  refId: string;
  name: string;
  labels: Record<string, string>;
  values: ColumnValues;
  /** Native histogram steps (range answers with `histograms`). */
  histograms?: (WireHistogram | null)[];
}

interface InstantRow {
  refId: string;
  name: string;
  labels: Record<string, string>;
  value: number;
  /** The sample is this native histogram (instant answers with `h`). */
  histogram?: WireHistogram;
}

export interface Heatmap {
  /** Bucket upper bounds as written in `le`, ascending. */
  bounds: string[];
  timestamps: Float64Array;
  /** counts[bucket][time]: observations in that bucket (not cumulative). */
  counts: Float64Array[];
}

export interface PanelData {
  timestamps: Float64Array;
  series: PanelSeries[];
  instant: InstantRow[];
  heatmap: Heatmap | null;
  /** Each visible target's query as sent, for "open in Explore". */
  queries: string[];
  errors: Array<{ refId: string; message: string }>;
  warnings: string[];
  /** A topology panel's graph (the `topology` channel's answer). */
  topology?: TopologyResponse;
}

export interface PanelContext {
  fromMs: number;
  toMs: number;
  /** Panel width in px: Grafana's default maxDataPoints. */
  widthPx: number;
  variables: ReadonlyMap<string, ResolvedVariable>;
  scrapeInterval?: string;
}

/** The milliseconds a range covers at `now` (a relative range ends now). */
export function rangeBounds(range: TimeRange, now: number): { fromMs: number; toMs: number } {
  return range.kind === 'absolute' ? { fromMs: range.startMs, toMs: range.endMs } : { fromMs: now - range.durationMs, toMs: now };
}

/** Grafana's legend: `{{label}}` replaced by the series' label (missing: empty), else the series name. */
export function legendName(legendFormat: string | undefined, labels: Readonly<Record<string, string>>, variables: ReadonlyMap<string, ResolvedVariable>): string {
  if (legendFormat === undefined || legendFormat === '' || legendFormat === '__auto') return seriesName(labels);
  const withLabels = legendFormat.replace(/\{\{\s*(.+?)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
  return interpolate(withLabels, { variables }, 'text');
}

/** The targets a panel runs: not hidden, with an expression. */
export function visibleTargets(panel: Panel): Target[] {
  return (panel.targets ?? []).filter((t) => t.hide !== true && typeof t.expr === 'string' && t.expr.trim() !== '');
}

/** A target's query and step, as Grafana would send them for this panel. */
export function planTarget(panel: Panel, target: Target, ctx: PanelContext): { query: string; stepMs: number; instant: boolean; startMs: number; endMs: number } {
  const variables = ctx.variables;
  const minInterval = target.interval || panel.interval ? interpolate(target.interval || panel.interval || '', { variables }, 'text') : undefined;
  const step = queryStep({
    fromMs: ctx.fromMs,
    toMs: ctx.toMs,
    maxDataPoints: panel.maxDataPoints ?? Math.max(100, Math.round(ctx.widthPx)),
    ...(minInterval ? { minInterval } : {}),
    ...(ctx.scrapeInterval ? { scrapeInterval: ctx.scrapeInterval } : {}),
    ...(target.intervalFactor ? { intervalFactor: target.intervalFactor } : {}),
  });
  const query = interpolate(target.expr ?? '', { variables, builtins: step.builtins }, 'promql');
  // Grafana aligns the range to the step so refreshes reuse the same points.
  const startMs = Math.floor(ctx.fromMs / step.stepMs) * step.stepMs;
  const endMs = Math.floor(ctx.toMs / step.stepMs) * step.stepMs;
  const instant = target.instant === true && target.range !== true;
  return { query, stepMs: step.stepMs, instant, startMs, endMs: Math.max(endMs, startMs + step.stepMs) };
}

function instantRows(refId: string, r: InstantResult, legend: (l: Record<string, string>) => string): InstantRow[] {
  switch (r.resultType) {
    case 'vector':
      return r.samples.map((s) => ({ refId, name: legend(s.labels), labels: s.labels, value: fromWire(s.v), ...(s.h ? { histogram: s.h } : {}) }));
    case 'scalar':
      return [{ refId, name: 'scalar', labels: {}, value: fromWire(r.v) }];
    case 'matrix':
      return r.series.map((s) => ({ refId, name: legend(s.labels), labels: s.labels, value: s.v.length > 0 ? fromWire(s.v[s.v.length - 1]!) : NaN }));
    default:
      return [];
  }
}

/**
 * Classic histogram buckets (`le` labels, cumulative) to per-bucket counts over time, as
 * Grafana's "format as heatmap" does: sorted by bound, each bucket minus the one below it.
 */
export function toHeatmap(timestamps: Float64Array, series: readonly PanelSeries[]): Heatmap | null {
  const withLe = series.filter((s) => s.labels['le'] !== undefined);
  if (withLe.length === 0) return null;
  // Buckets of the same bound from several series (no `sum by (le)`) are added up.
  const byBound = new Map<string, Float64Array>();
  for (const s of withLe) {
    const le = s.labels['le']!;
    const acc = byBound.get(le) ?? new Float64Array(timestamps.length);
    for (let i = 0; i < acc.length; i++) {
      const v = s.values[i];
      if (v !== null && v !== undefined && Number.isFinite(v)) acc[i]! += v;
    }
    byBound.set(le, acc);
  }
  const bound = (le: string) => (/^\+?Inf$/i.test(le) ? Infinity : Number(le));
  const bounds = [...byBound.keys()].sort((a, b) => bound(a) - bound(b));
  const cumulative = bounds.map((b) => byBound.get(b)!);
  const counts = cumulative.map((c, k) => {
    const below = cumulative[k - 1];
    const out = new Float64Array(c.length);
    for (let i = 0; i < c.length; i++) out[i] = Math.max(0, c[i]! - (below ? below[i]! : 0));
    return out;
  });
  return { bounds, timestamps, counts };
}


/**
 * Native histograms to a heatmap, as Grafana draws them: one row per bucket (by upper bound, over
 * every series and step), the bucket counts as they are (native buckets are not cumulative).
 * Range answers give a column per step; instant answers one column at the query's time.
 */
export function nativeHeatmap(timestamps: Float64Array, series: readonly PanelSeries[], instant: readonly InstantRow[], timeMs: number): Heatmap | null {
  const columns: Array<{ at: number; h: WireHistogram }> = [];
  let times = timestamps;
  for (const s of series) s.histograms?.forEach((h, i) => h && columns.push({ at: i, h }));
  if (columns.length === 0) {
    times = new Float64Array([timeMs]);
    for (const r of instant) if (r.histogram) columns.push({ at: 0, h: r.histogram });
  }
  if (columns.length === 0) return null;
  const byUpper = new Map<string, Float64Array>();
  for (const { at, h } of columns) {
    for (const [, , upper, count] of h.buckets) {
      const row = byUpper.get(upper) ?? new Float64Array(times.length);
      row[at]! += Number(count);
      byUpper.set(upper, row);
    }
  }
  const bound = (b: string) => Number(b.replace(/Inf$/i, 'Infinity'));
  const bounds = [...byUpper.keys()].sort((a, b) => bound(a) - bound(b));
  return { bounds, timestamps: times, counts: bounds.map((b) => byUpper.get(b)!) };
}

/** Grafana's reducers (`reduceOptions.calcs`) over a series' values. */
export function reduce(values: ColumnValues, calc: string): number | null {
  const xs: number[] = [];
  for (const v of values) if (v !== null && v !== undefined && !Number.isNaN(v)) xs.push(v);
  if (calc === 'last') {
    const v = values[values.length - 1];
    return v === undefined || v === null ? null : v;
  }
  if (calc === 'first') {
    const v = values[0];
    return v === undefined || v === null ? null : v;
  }
  if (calc === 'count') return xs.length;
  if (xs.length === 0) return null;
  switch (calc) {
    case 'firstNotNull':
      return xs[0]!;
    case 'mean':
    case 'avg':
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    case 'max':
      return Math.max(...xs);
    case 'min':
      return Math.min(...xs);
    case 'sum':
      return xs.reduce((a, b) => a + b, 0);
    case 'range':
      return Math.max(...xs) - Math.min(...xs);
    case 'delta':
      return xs[xs.length - 1]! - xs[0]!;
    default:
      return xs[xs.length - 1]!;
  }
}

/** One value per series for stat/gauge/bar gauge: reduced range series, or instant values. */
export function reducedValues(data: PanelData, calc: string): Array<{ name: string; value: number | null; values: ColumnValues | null }> {
  if (data.series.length > 0) return data.series.map((s) => ({ name: s.name, value: reduce(s.values, calc), values: s.values }));
  return data.instant.map((r) => ({ name: r.name, value: r.value, values: null }));
}

const newQueryId = () => `dash-${Math.random().toString(36).slice(2, 10)}`;

/**
 * The remote data source a target queries: its Prometheus datasource reference (the target's own,
 * else the panel's) once variables are substituted (`$ds` from a datasource variable), when it
 * names something other than Vigil's engine (app/dashboards/variables.ts `datasourceUid`).
 */
function targetSource(panel: Panel, target: Target, variables: PanelContext['variables']): { source?: string } {
  const uid = datasourceUid(target.datasource ?? panel.datasource, { variables });
  return uid === undefined ? {} : { source: uid };
}

/**
 * Runs a panel's visible targets through the renderer's query cache (answers shared with any
 * panel or page asking the same, one error shape; a panel asking what another panel's read in
 * flight already asks joins it rather than running it again). One failing target becomes an error for that
 * target; the others still draw. `signal` aborts: this panel's queries are cancelled on the
 * engine and the answer is dropped.
 */
export async function fetchPanelData(queries: QueryCache, panel: Panel, ctx: PanelContext, signal: AbortSignal): Promise<PanelData> {
  if (panel.type === topologyPanelType) return fetchTopology(queries.api, panel, ctx);
  const targets = visibleTargets(panel);
  const out: PanelData = { timestamps: new Float64Array(0), series: [], instant: [], heatmap: null, queries: [], errors: [], warnings: [] };
  const wantsHeatmap = panel.type === 'heatmap' || targets.some((t) => t.format === 'heatmap');
  await Promise.all(
    targets.map(async (t) => {
      const plan = planTarget(panel, t, ctx);
      const source = targetSource(panel, t, ctx.variables);
      out.queries.push(plan.query);
      const queryId = newQueryId();
      const legend = (labels: Record<string, string>) => legendName(t.legendFormat, labels, ctx.variables);
      const failed = (e: QueryError) => out.errors.push({ refId: t.refId, message: `query ${t.refId} (${plan.query}): ${e.detail}` });
      if (plan.instant) {
        const request = { query: plan.query, time: ctx.toMs, queryId, ...source };
        const cancel = () => queries.cancel('query', request);
        signal.addEventListener('abort', cancel, { once: true });
        const { data, error } = await queries.fetch('query', request, undefined, { join: true });
        signal.removeEventListener('abort', cancel);
        if (signal.aborted) return;
        if (error !== null) return void failed(error);
        if (data === undefined) return;
        out.instant.push(...instantRows(t.refId, data.result, legend));
        out.warnings.push(...data.warnings);
        return;
      }
      const request = { query: plan.query, start: plan.startMs, end: plan.endMs, step: plan.stepMs, queryId, ...source };
      const cancel = () => queries.cancel('queryRange', request);
      signal.addEventListener('abort', cancel, { once: true });
      const { data: r, error } = await queries.fetch('queryRange', request, (s) => queryRangeColumns(queries.api, request, s), { join: true });
      signal.removeEventListener('abort', cancel);
      if (signal.aborted) return;
      if (error !== null) return void failed(error);
      if (r === undefined) return;
      if (out.timestamps.length === 0 || r.result.timestamps.length > out.timestamps.length) out.timestamps = r.result.timestamps;
      out.series.push(...r.result.series.map((s) => ({ refId: t.refId, name: legend(s.labels), labels: s.labels, values: s.values, ...(s.histograms ? { histograms: s.histograms } : {}) })));
      // A table of a range query shows each series' last value.
      if (t.format === 'table') out.instant.push(...r.result.series.map((s) => ({ refId: t.refId, name: legend(s.labels), labels: s.labels, value: reduce(s.values, 'lastNotNull') ?? NaN })));
      out.warnings.push(...r.warnings);
    }),
  );
  // Series keep the targets' order (A before B), whatever order the answers came in.
  const order = new Map(targets.map((t, i) => [t.refId, i]));
  out.series.sort((a, b) => order.get(a.refId)! - order.get(b.refId)!);
  if (wantsHeatmap) out.heatmap = toHeatmap(out.timestamps, out.series) ?? nativeHeatmap(out.timestamps, out.series, out.instant, ctx.toMs);
  return out;
}

/** A topology panel's graph at the end of the range; unusable options become warnings. */
async function fetchTopology(client: WorkbenchApi, panel: Panel, ctx: PanelContext): Promise<PanelData> {
  const out: PanelData = { timestamps: new Float64Array(0), series: [], instant: [], heatmap: null, queries: [], errors: [], warnings: [] };
  const { options, problems } = topologyPanelOptions(panel);
  out.warnings.push(...problems);
  try {
    const uid = datasourceUid(panel.datasource, { variables: ctx.variables });
    const graph = await client.topology({ ...topologyRequest(options, ctx.toMs), ...(uid === undefined ? {} : { source: uid }) });
    out.topology = graph;
    out.queries = graph.queries.map((q) => q.query);
    out.warnings.push(...graph.notes);
    if (graph.dialect === null) out.warnings.push('no mesh metrics (Linkerd, Istio, OpenTelemetry service graph or the custom dialect) at this time');
  } catch (err) {
    out.errors.push({ refId: 'topology', message: queryError(err, 'topology graph').message });
  }
  return out;
}
