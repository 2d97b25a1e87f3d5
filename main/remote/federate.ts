/**
 * `/federate` as Prometheus serves it (web/federate.go): for every series matching any `match[]`
 * selector, its newest sample within the lookback window (5 min) before now, unless that sample is
 * a staleness marker; in the text exposition format, families sorted by name, each sample with its
 * timestamp, and the external labels added where the series lacks them. A federating server
 * decides with its own `honor_labels` whether these labels win over its target labels.
 */
import { isStaleNaN, type Matcher, type Queryable } from '../tsdb/interface.js';
import { compareLabels, labelsKey, metricNameLabel, type Label, type Labels } from '../tsdb/labels.js';
import { formatGoFloat } from '../util/go-float.js';

/** Prometheus' default query.lookback-delta. */
const lookbackMs = 5 * 60_000;

const escapeLabel = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

interface Row {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
}

/** Adds external labels the series does not have (Prometheus' federation does the same). */
function withExternal(labels: Labels, external: Readonly<Record<string, string>>): Labels {
  const missing: Label[] = Object.entries(external)
    .filter(([name, value]) => value !== '' && !labels.some((l) => l.name === name))
    .map(([name, value]) => ({ name, value }));
  if (missing.length === 0) return labels;
  return [...labels, ...missing].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function federate(storage: Queryable, matcherSets: readonly (readonly Matcher[])[], nowMs: number, external: Readonly<Record<string, string>>): Promise<string> {
  const mint = nowMs - lookbackMs;
  const q = await storage.querier(mint, nowMs);
  const rows = new Map<string, Row>();
  try {
    for (const matchers of matcherSets) {
      const set = await q.select(matchers, { start: mint, end: nowMs });
      for (const s of set.series) {
        const key = labelsKey(s.labels);
        if (rows.has(key)) continue;
        const { t, v } = s.samples();
        if (t.length === 0 || isStaleNaN(v[v.length - 1]!)) continue;
        rows.set(key, { labels: s.labels, t: t[t.length - 1]!, v: v[v.length - 1]! });
      }
    }
  } finally {
    q.close();
  }
  const nameOf = (r: Row): string => r.labels.find((l) => l.name === metricNameLabel)?.value ?? '';
  const sorted = [...rows.values()].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : compareLabels(a.labels, b.labels)));
  let out = '';
  let family = '';
  for (const r of sorted) {
    const name = nameOf(r);
    if (name === '') continue; // a series without a name cannot be exposed
    if (name !== family) {
      out += `# TYPE ${name} untyped\n`;
      family = name;
    }
    const rest = withExternal(r.labels, external).filter((l) => l.name !== metricNameLabel);
    const text = rest.length === 0 ? '' : `{${rest.map((l) => `${l.name}="${escapeLabel(l.value)}"`).join(',')}}`;
    out += `${name}${text} ${formatGoFloat(r.v)} ${r.t}\n`;
  }
  return out;
}
