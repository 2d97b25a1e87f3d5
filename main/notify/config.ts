/**
 * Notification configuration in Alertmanager's shape (route tree, inhibit_rules, receivers),
 * plus Vigil's own receivers (desktop, inbox, alertmanager). Validated with zod; every error
 * names the file, line and field, like `file: 12:7: route.routes[0].group_wait: …`.
 */
import { z } from 'zod';
import { parseDuration } from '../../app/dialect/duration.js';
import { formatMatcher, type CompiledMatcher } from '../../app/dialect/matcher.js';
import { httpConfigSchema } from '../http-client/schema.js';
import { compileMatcher, MatcherError, parseMatchers, type Matcher } from './matchers.js';
import { formatPosition, parseYamlWithPositions, type YamlPath } from '../util/yaml-positions.js';

const duration = z.string().or(z.number().transform(String));
const strMap = z.record(z.string(), z.string());

interface RawRoute {
  receiver?: string | undefined;
  group_by?: string[] | undefined;
  group_wait?: string | undefined;
  group_interval?: string | undefined;
  repeat_interval?: string | undefined;
  matchers?: string[] | undefined;
  match?: Record<string, string> | undefined;
  match_re?: Record<string, string> | undefined;
  continue?: boolean | undefined;
  routes?: RawRoute[] | undefined;
}

const routeSchema: z.ZodType<RawRoute> = z.lazy(() =>
  z
    .object({
      receiver: z.string().optional(),
      group_by: z.array(z.string()).optional(),
      group_wait: duration.optional(),
      group_interval: duration.optional(),
      repeat_interval: duration.optional(),
      matchers: z.array(z.string()).optional(),
      match: strMap.optional(),
      match_re: strMap.optional(),
      continue: z.boolean().optional(),
      routes: z.array(routeSchema).optional(),
    })
    .strict(),
);

const webhookSchema = z
  .object({
    url: z.url(),
    send_resolved: z.boolean().default(true),
    max_alerts: z.number().int().min(0).default(0),
    timeout: duration.optional(),
    http_config: httpConfigSchema.optional(),
  })
  .strict();
const emailSchema = z
  .object({
    to: z.string().min(1),
    from: z.string().optional(),
    smarthost: z.string().optional(),
    hello: z.string().optional(),
    auth_username: z.string().optional(),
    auth_password: z.string().optional(),
    require_tls: z.boolean().optional(),
    send_resolved: z.boolean().default(false),
    headers: strMap.optional(),
    subject: z.string().optional(),
    text: z.string().optional(),
  })
  .strict();
const pagerdutySchema = z
  .object({
    routing_key: z.string().min(1),
    url: z.url().optional(),
    severity: z.string().optional(),
    client: z.string().optional(),
    client_url: z.string().optional(),
    source: z.string().optional(),
    send_resolved: z.boolean().default(true),
    details: strMap.optional(),
    http_config: httpConfigSchema.optional(),
  })
  .strict();
const desktopSchema = z.object({ send_resolved: z.boolean().default(true) }).strict();
const alertmanagerSchema = z.object({ url: z.url(), send_resolved: z.boolean().default(true), http_config: httpConfigSchema.optional() }).strict();

const receiverSchema = z
  .object({
    name: z.string().min(1),
    webhook_configs: z.array(webhookSchema).optional(),
    email_configs: z.array(emailSchema).optional(),
    pagerduty_configs: z.array(pagerdutySchema).optional(),
    desktop_configs: z.array(desktopSchema).optional(),
    alertmanager_configs: z.array(alertmanagerSchema).optional(),
    inbox: z.boolean().optional(),
  })
  .strict();

const inhibitSchema = z
  .object({
    source_matchers: z.array(z.string()).optional(),
    target_matchers: z.array(z.string()).optional(),
    source_match: strMap.optional(),
    source_match_re: strMap.optional(),
    target_match: strMap.optional(),
    target_match_re: strMap.optional(),
    equal: z.array(z.string()).optional(),
  })
  .strict();

const globalSchema = z
  .object({
    resolve_timeout: duration.optional(),
    smtp_from: z.string().optional(),
    smtp_smarthost: z.string().optional(),
    smtp_hello: z.string().optional(),
    smtp_auth_username: z.string().optional(),
    smtp_auth_password: z.string().optional(),
    smtp_require_tls: z.boolean().optional(),
    pagerduty_url: z.url().optional(),
    external_url: z.string().optional(),
  })
  .strict();

const notifyConfigSchema = z
  .object({
    global: globalSchema.optional(),
    route: routeSchema,
    inhibit_rules: z.array(inhibitSchema).optional(),
    receivers: z.array(receiverSchema),
    templates: z.array(z.string()).optional(),
  })
  .strict();

export type RawNotifyConfig = z.infer<typeof notifyConfigSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;
export type EmailConfig = z.infer<typeof emailSchema>;
export type PagerdutyConfig = z.infer<typeof pagerdutySchema>;
export type DesktopConfig = z.infer<typeof desktopSchema>;
export type AlertmanagerTargetConfig = z.infer<typeof alertmanagerSchema>;
type ReceiverConfig = z.infer<typeof receiverSchema>;
export type GlobalConfig = z.infer<typeof globalSchema>;

export interface Route {
  /** Stable identity of the route in the tree (part of every group key). */
  id: string;
  receiver: string;
  /** Label names to group by; 'all' is Alertmanager's `...` (every label). */
  groupBy: string[] | 'all';
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  matchers: CompiledMatcher[];
  continue: boolean;
  routes: Route[];
}

export interface InhibitRule {
  source: CompiledMatcher[];
  target: CompiledMatcher[];
  equal: string[];
}

export interface NotifyConfig {
  global: GlobalConfig & { resolveTimeoutMs: number; externalURL: string };
  route: Route;
  inhibitRules: InhibitRule[];
  receivers: Map<string, ReceiverConfig>;
}

// Alertmanager's defaults.
const routeDefaults = { groupWaitMs: 30_000, groupIntervalMs: 5 * 60_000, repeatIntervalMs: 4 * 3600_000 };

export type NotifyConfigResult = { ok: true; value: NotifyConfig } | { ok: false; errors: string[] };

class Issues {
  readonly list: { path: YamlPath; msg: string }[] = [];
  add(path: YamlPath, msg: string): void {
    this.list.push({ path, msg });
  }
}

function matchersFrom(path: YamlPath, issues: Issues, list?: string[], eq?: Record<string, string>, re?: Record<string, string>): CompiledMatcher[] {
  const ms: Matcher[] = [];
  (list ?? []).forEach((text, i) => {
    try {
      ms.push(...parseMatchers(text));
    } catch (e) {
      issues.add([...path, 'matchers', i], (e as Error).message);
    }
  });
  for (const [name, value] of Object.entries(eq ?? {})) ms.push({ name, op: '=', value });
  for (const [name, value] of Object.entries(re ?? {})) ms.push({ name, op: '=~', value });
  const out: CompiledMatcher[] = [];
  for (const m of ms) {
    try {
      out.push(compileMatcher(m));
    } catch (e) {
      issues.add(path, e instanceof MatcherError ? e.message : String(e));
    }
  }
  return out;
}

function dur(v: string | undefined, fallback: number, path: YamlPath, issues: Issues, positive = true): number {
  if (v === undefined) return fallback;
  try {
    const ms = parseDuration(v);
    if (positive && ms === 0) issues.add(path, 'must be greater than 0');
    return ms;
  } catch (e) {
    issues.add(path, (e as Error).message);
    return fallback;
  }
}

function buildRoute(raw: RawRoute, parent: Route | null, path: YamlPath, index: number, issues: Issues): Route {
  const matchers = matchersFrom(path, issues, raw.matchers, raw.match, raw.match_re);
  let groupBy: Route['groupBy'] = parent?.groupBy ?? [];
  if (raw.group_by !== undefined) {
    if (raw.group_by.includes('...')) {
      if (raw.group_by.length > 1) issues.add([...path, 'group_by'], "cannot have wildcard group_by (`...`) and other labels at the same time");
      groupBy = 'all';
    } else {
      const seen = new Set<string>();
      for (const l of raw.group_by) {
        if (seen.has(l)) issues.add([...path, 'group_by'], `duplicated label ${JSON.stringify(l)} in group_by`);
        seen.add(l);
      }
      groupBy = raw.group_by;
    }
  }
  const key = `{${matchers.map(formatMatcher).join(',')}}`;
  const route: Route = {
    id: parent === null ? key : `${parent.id}/${key}/${index}`,
    receiver: raw.receiver ?? parent?.receiver ?? '',
    groupBy,
    groupWaitMs: dur(raw.group_wait, parent?.groupWaitMs ?? routeDefaults.groupWaitMs, [...path, 'group_wait'], issues, false),
    groupIntervalMs: dur(raw.group_interval, parent?.groupIntervalMs ?? routeDefaults.groupIntervalMs, [...path, 'group_interval'], issues),
    repeatIntervalMs: dur(raw.repeat_interval, parent?.repeatIntervalMs ?? routeDefaults.repeatIntervalMs, [...path, 'repeat_interval'], issues),
    matchers,
    continue: raw.continue ?? false,
    routes: [],
  };
  route.routes = (raw.routes ?? []).map((r, i) => buildRoute(r, route, [...path, 'routes', i], i, issues));
  return route;
}

function checkReceivers(route: Route, names: Set<string>, path: YamlPath, issues: Issues): void {
  if (route.receiver !== '' && !names.has(route.receiver)) issues.add([...path, 'receiver'], `undefined receiver ${JSON.stringify(route.receiver)} used in route`);
  route.routes.forEach((r, i) => checkReceivers(r, names, [...path, 'routes', i], issues));
}

/** Validates an already-parsed object (e.g. the default config); `where` prefixes errors. */
export function buildNotifyConfig(value: unknown, locate: (path: YamlPath) => string = (p) => p.join('.')): NotifyConfigResult {
  const parsed = notifyConfigSchema.safeParse(value);
  const fmt = (path: YamlPath, msg: string): string => `${locate(path)}${path.length > 0 ? ` ${pathString(path)}:` : ''} ${msg}`;
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((iss) => {
        const path = iss.path.filter((p): p is string | number => typeof p !== 'symbol');
        if (iss.code === 'unrecognized_keys') return fmt([...path, iss.keys[0] ?? ''], `field ${iss.keys.join(', ')} not found (check the spelling)`);
        return fmt(path, iss.message);
      }),
    };
  }
  const raw = parsed.data;
  const issues = new Issues();
  if (raw.route.receiver === undefined || raw.route.receiver === '') issues.add(['route'], 'root route must specify a default receiver');
  if ((raw.route.matchers?.length ?? 0) > 0 || Object.keys(raw.route.match ?? {}).length > 0 || Object.keys(raw.route.match_re ?? {}).length > 0) {
    issues.add(['route'], 'root route must not have any matchers');
  }
  const route = buildRoute(raw.route, null, ['route'], 0, issues);
  const receivers = new Map<string, ReceiverConfig>();
  raw.receivers.forEach((r, i) => {
    if (receivers.has(r.name)) issues.add(['receivers', i, 'name'], `notification config name ${JSON.stringify(r.name)} is not unique`);
    receivers.set(r.name, r);
    const g = raw.global ?? {};
    (r.email_configs ?? []).forEach((e, j) => {
      if ((e.smarthost ?? g.smtp_smarthost) === undefined) issues.add(['receivers', i, 'email_configs', j], 'no global SMTP smarthost set');
      if ((e.from ?? g.smtp_from) === undefined) issues.add(['receivers', i, 'email_configs', j], 'no global SMTP from set');
    });
  });
  checkReceivers(route, new Set(receivers.keys()), ['route'], issues);
  const inhibitRules = (raw.inhibit_rules ?? []).map((r, i) => ({
    source: matchersFrom(['inhibit_rules', i, 'source_matchers'], issues, r.source_matchers, r.source_match, r.source_match_re),
    target: matchersFrom(['inhibit_rules', i, 'target_matchers'], issues, r.target_matchers, r.target_match, r.target_match_re),
    equal: r.equal ?? [],
  }));
  const global = raw.global ?? {};
  const resolveTimeoutMs = dur(global.resolve_timeout, 5 * 60_000, ['global', 'resolve_timeout'], issues);
  if (issues.list.length > 0) return { ok: false, errors: issues.list.map((i) => fmt(i.path, i.msg)) };
  return { ok: true, value: { global: { ...global, resolveTimeoutMs, externalURL: global.external_url ?? '' }, route, inhibitRules, receivers } };
}

export function parseNotifyConfig(file: string, text: string): NotifyConfigResult {
  const y = parseYamlWithPositions(text);
  if (y.errors.length > 0) return { ok: false, errors: y.errors.map((e) => `${file}: yaml: ${e}`) };
  return buildNotifyConfig(y.value ?? {}, (path) => `${file}: ${formatPosition(y.positionOf(path))}:`);
}

function pathString(path: YamlPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
