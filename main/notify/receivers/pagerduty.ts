/** PagerDuty Events API v2: one event per aggregation group, deduplicated by the group key. */
import { createHash } from 'node:crypto';
import { rfc3339 } from '../alert.js';
import type { PagerdutyConfig } from '../config.js';
import { firingAndResolved, postJson, summaryLine, type Integration, type Notification } from '../integration.js';

const defaultPagerdutyUrl = 'https://events.pagerduty.com/v2/enqueue';

export interface PagerdutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: string;
    timestamp: string;
    custom_details: Record<string, unknown>;
  };
  client?: string;
  client_url?: string;
}

const severities = new Set(['critical', 'error', 'warning', 'info']);

function pagerdutyEvent(n: Notification, cfg: PagerdutyConfig): PagerdutyEvent {
  const { firing, resolved } = firingAndResolved(n);
  const action = firing.length > 0 ? 'trigger' : 'resolve';
  const wanted = cfg.severity ?? n.alerts[0]?.labels['severity'] ?? 'error';
  const ev: PagerdutyEvent = {
    routing_key: cfg.routing_key,
    event_action: action,
    dedup_key: createHash('sha256').update(n.groupKey).digest('hex'),
    ...(cfg.client !== undefined ? { client: cfg.client } : {}),
    ...(cfg.client_url !== undefined ? { client_url: cfg.client_url } : {}),
  };
  if (action === 'trigger') {
    ev.payload = {
      summary: summaryLine(n).slice(0, 1024),
      source: cfg.source ?? cfg.client ?? 'Vigil',
      severity: severities.has(wanted) ? wanted : 'error',
      timestamp: rfc3339(n.atMs),
      custom_details: {
        firing: firing.map((a) => a.labels),
        resolved: resolved.map((a) => a.labels),
        num_firing: firing.length,
        num_resolved: resolved.length,
        ...(cfg.details ?? {}),
      },
    };
  }
  return ev;
}

export function pagerdutyIntegration(name: string, cfg: PagerdutyConfig, globalUrl?: string): Integration {
  const url = cfg.url ?? globalUrl ?? defaultPagerdutyUrl;
  return {
    name,
    kind: 'pagerduty',
    sendResolved: cfg.send_resolved,
    send: (n, signal) => postJson(url, pagerdutyEvent(n, cfg), signal, `pagerduty ${name}`, undefined, cfg.http_config),
  };
}
