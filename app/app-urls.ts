/**
 * Every in-app address (`#/page?…`) is built and parsed here: links in notifications (the
 * engine's generatorURL, drill links, desktop notification clicks) and links between pages in
 * the renderer, so a page's parameters have one spelling. The Explore view travels in full (in
 * the hash, so both shells can restore it): queries and their on/off state, time range,
 * resolution, tab, display options. A dashboard travels as Grafana spells it: `uid`, `from`/`to`
 * (`now-1h` or epoch ms), `var-name=value` (repeated for several values), `refresh`.
 */
import { formatDuration, tryParseDuration } from './dialect/duration.js';

export interface PanelState {
  query: string;
  enabled: boolean;
  /** Show the exemplars of the query's series on the graph. */
  exemplars?: boolean;
}

export type TimeRange = { kind: 'relative'; durationMs: number } | { kind: 'absolute'; startMs: number; endMs: number };
export type Resolution = { kind: 'auto' } | { kind: 'fixed'; stepMs: number };
export type Tab = 'graph' | 'table' | 'explain';

export interface ExploreView {
  panels: PanelState[];
  range: TimeRange;
  resolution: Resolution;
  tab: Tab;
  stacked: boolean;
  yFromZero: boolean;
  /** Remote data source uid the queries go to; absent: this engine. */
  source?: string | undefined;
}

export const defaultView: ExploreView = {
  panels: [{ query: '', enabled: true }],
  range: { kind: 'relative', durationMs: 3_600_000 },
  resolution: { kind: 'auto' },
  tab: 'graph',
  stacked: false,
  yFromZero: false,
};

export const pageIds = ['overview', 'explore', 'dashboards', 'topology', 'alerts', 'rules', 'targets', 'status'] as const;
export type PageId = (typeof pageIds)[number];

/** A page and its parameters. */
export type AppRoute =
  | { page: 'explore'; view: ExploreView }
  | { page: 'dashboards'; /** the open dashboard; absent: the list */ dashboard?: DashboardView }
  | { page: 'alerts'; /** fingerprint of the alert to focus */ alert?: string; /** id of a fire drill */ drill?: string }
  | {
      page: 'topology';
      /** evaluation time (ms), absent for now */ time?: number;
      /** selected node or edge id */ select?: string;
      /** the remote data source the graph comes from (its uid), absent for this engine */ source?: string;
    }
  | { page: 'overview' }
  | { page: 'rules' }
  | { page: 'targets' }
  | { page: 'status' };

export function encodeView(view: ExploreView): string {
  const p = new URLSearchParams();
  view.panels.forEach((panel, i) => {
    p.set(`q${i}`, panel.query);
    if (!panel.enabled) p.set(`off${i}`, '1');
    if (panel.exemplars === true) p.set(`ex${i}`, '1');
  });
  if (view.range.kind === 'relative') p.set('range', String(view.range.durationMs));
  else {
    p.set('start', String(view.range.startMs));
    p.set('end', String(view.range.endMs));
  }
  if (view.resolution.kind === 'fixed') p.set('step', String(view.resolution.stepMs));
  p.set('tab', view.tab);
  if (view.stacked) p.set('stacked', '1');
  if (view.yFromZero) p.set('zero', '1');
  if (view.source !== undefined && view.source !== '' && view.source !== 'vigil') p.set('source', view.source);
  return p.toString();
}

const positive = (s: string | null): number | null => {
  if (s === null) return null;
  const n = Number(s);
  return Number.isFinite(n) && n > 0 ? n : null;
};

export function decodeView(search: string): ExploreView {
  const p = new URLSearchParams(search);
  const panels: PanelState[] = [];
  for (let i = 0; i < 20 && p.has(`q${i}`); i++) {
    panels.push({ query: p.get(`q${i}`) ?? '', enabled: p.get(`off${i}`) !== '1', ...(p.get(`ex${i}`) === '1' ? { exemplars: true } : {}) });
  }
  const start = Number(p.get('start'));
  const end = Number(p.get('end'));
  const range: TimeRange =
    p.has('start') && p.has('end') && Number.isFinite(start) && Number.isFinite(end) && end > start
      ? { kind: 'absolute', startMs: start, endMs: end }
      : { kind: 'relative', durationMs: positive(p.get('range')) ?? 3_600_000 };
  const step = positive(p.get('step'));
  const tab = p.get('tab');
  return {
    panels: panels.length > 0 ? panels : defaultView.panels,
    range,
    resolution: step === null ? { kind: 'auto' } : { kind: 'fixed', stepMs: step },
    tab: tab === 'table' || tab === 'explain' ? tab : 'graph',
    stacked: p.get('stacked') === '1',
    yFromZero: p.get('zero') === '1',
    ...(p.get('source') ? { source: p.get('source')! } : {}),
  };
}

/** One open dashboard: which, over what time, with which variable values. */
export interface DashboardView {
  uid: string;
  /** Absent: the dashboard's own saved time. */
  range?: TimeRange;
  /** Values by variable name; absent names keep the dashboard's saved selection. */
  vars: Record<string, string[]>;
  /** Auto refresh interval as Grafana writes it (`5s`, `1m`); absent: the saved one. */
  refresh?: string;
  edit?: boolean;
}

function encodeDashboard(d: DashboardView): string {
  const p = new URLSearchParams();
  p.set('uid', d.uid);
  if (d.range?.kind === 'relative') {
    p.set('from', `now-${formatDuration(d.range.durationMs)}`);
    p.set('to', 'now');
  } else if (d.range?.kind === 'absolute') {
    p.set('from', String(d.range.startMs));
    p.set('to', String(d.range.endMs));
  }
  for (const [name, values] of Object.entries(d.vars)) for (const v of values) p.append(`var-${name}`, v);
  if (d.refresh !== undefined) p.set('refresh', d.refresh);
  if (d.edit) p.set('edit', '1');
  return p.toString();
}

/** Grafana's `from`/`to`: `now-6h`…`now`, or epoch milliseconds; anything else is no range. */
export function parseGrafanaRange(from: string | null, to: string | null): TimeRange | undefined {
  if (from === null || to === null) return undefined;
  const rel = /^now-(.+)$/.exec(from);
  if (rel && to === 'now') {
    const ms = tryParseDuration(rel[1]!);
    return ms !== null && ms > 0 ? { kind: 'relative', durationMs: ms } : undefined;
  }
  const start = Number(from);
  const end = Number(to);
  return /^\d+$/.test(from) && /^\d+$/.test(to) && end > start ? { kind: 'absolute', startMs: start, endMs: end } : undefined;
}

function decodeDashboard(search: string): DashboardView | undefined {
  const p = new URLSearchParams(search);
  const uid = p.get('uid');
  if (uid === null || uid === '') return undefined;
  const vars: Record<string, string[]> = {};
  for (const [k, v] of p) if (k.startsWith('var-') && k.length > 4) (vars[k.slice(4)] ??= []).push(v);
  const range = parseGrafanaRange(p.get('from'), p.get('to'));
  const refresh = p.get('refresh');
  return { uid, ...(range ? { range } : {}), vars, ...(refresh !== null ? { refresh } : {}), ...(p.get('edit') === '1' ? { edit: true } : {}) };
}

/**
 * Explore with several queries graphed together (a dashboard panel's visible targets, a topology
 * edge's figures) over the default range, or over `range` when given.
 */
export function exploreQueries(queries: readonly string[], range?: TimeRange): AppRoute {
  const panels = queries.length > 0 ? queries.map((query) => ({ query, enabled: true })) : defaultView.panels;
  return { page: 'explore', view: { ...defaultView, panels, ...(range ? { range } : {}), tab: 'graph' } };
}

/** Explore with one query graphed over the default range, or over `range` when given. */
export function exploreQuery(query: string, range?: TimeRange): AppRoute {
  return { page: 'explore', view: { ...defaultView, panels: [{ query, enabled: true }], ...(range ? { range } : {}), tab: 'graph' } };
}

/** `#/page?params`, the hash a shell navigates to. */
export function appHash(route: AppRoute): string {
  let search = '';
  if (route.page === 'explore') search = encodeView(route.view);
  else if (route.page === 'dashboards') search = route.dashboard ? encodeDashboard(route.dashboard) : '';
  else if (route.page === 'alerts') {
    const p = new URLSearchParams();
    if (route.alert !== undefined) p.set('alert', route.alert);
    if (route.drill !== undefined) p.set('drill', route.drill);
    search = p.toString();
  } else if (route.page === 'topology') {
    const p = new URLSearchParams();
    if (route.time !== undefined) p.set('time', String(route.time));
    if (route.select !== undefined) p.set('select', route.select);
    if (route.source !== undefined) p.set('source', route.source);
    search = p.toString();
  }
  return `#/${route.page}${search === '' ? '' : `?${search}`}`;
}

/** A page as the user left it (navigation links): Explore keeps its current view. */
export function pageHash(page: PageId): string {
  return `#/${page}`;
}

/** An absolute link for someone outside the app (notifications): Vigil's URL plus the hash. */
export function appUrl(externalURL: string, route: AppRoute): string {
  return `${externalURL.replace(/\/?$/, '/')}${appHash(route)}`;
}

/** The page a hash (`#/alerts?alert=…`, or a full URL ending in one) shows; unknown pages are null. */
export function parseAppHash(hash: string): AppRoute | null {
  const h = hash.slice(Math.max(0, hash.indexOf('#'))).replace(/^#\/?/, '');
  const q = h.indexOf('?');
  const page = (q < 0 ? h : h.slice(0, q)).split('/')[0] ?? '';
  const search = q < 0 ? '' : h.slice(q + 1);
  const p = new URLSearchParams(search);
  const opt = (name: string) => p.get(name) ?? undefined;
  switch (page) {
    case 'explore':
      return { page, view: decodeView(search) };
    case 'alerts': {
      const alert = opt('alert');
      const drill = opt('drill');
      return { page, ...(alert !== undefined ? { alert } : {}), ...(drill !== undefined ? { drill } : {}) };
    }
    case 'dashboards': {
      const dashboard = decodeDashboard(search);
      return dashboard ? { page, dashboard } : { page };
    }
    case 'topology': {
      const time = positive(p.get('time'));
      const select = opt('select');
      const source = opt('source');
      return { page, ...(time !== null ? { time } : {}), ...(select !== undefined ? { select } : {}), ...(source !== undefined ? { source } : {}) };
    }
    case 'overview':
    case 'rules':
    case 'targets':
    case 'status':
      return { page };
    default:
      return null;
  }
}

/** The desktop app's URL scheme, registered with the OS: `vigil://alerts?alert=…`, `vigil://explore?q0=…`. */
export const deepLinkScheme = 'vigil';

/** A link that opens a route in the desktop app from anywhere (a chat message, a terminal). */
export function deepLink(route: AppRoute): string {
  return `${deepLinkScheme}://${appHash(route).slice(2)}`;
}

/**
 * The route a `vigil://` link opens (`vigil://page?params`, or `vigil://open/#/page?params`),
 * or null for anything else: a link from outside is checked like any other input.
 */
export function parseDeepLink(link: string): AppRoute | null {
  const prefix = `${deepLinkScheme}://`;
  if (!link.toLowerCase().startsWith(prefix)) return null;
  const rest = link.slice(prefix.length);
  // Some systems add a slash after the "host" (`vigil://alerts/?alert=…`); parseAppHash ignores it.
  return parseAppHash(rest.includes('#') ? rest : `#/${rest}`);
}
