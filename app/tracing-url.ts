/**
 * The tracing UI an exemplar links to: a URL template with a `${traceId}` placeholder, such as
 * Jaeger's `http://localhost:16686/trace/${traceId}`, Tempo through Grafana's Explore, or Zipkin's
 * `http://localhost:9411/zipkin/traces/${traceId}`. Saved with the app settings (setup.json).
 */

const placeholder = '${traceId}';

/** Exemplar label names that carry a trace id, in the order they are looked for. */
const traceIdLabels = ['trace_id', 'traceID', 'traceId', 'trace-id', 'TraceID'];

/** Why a template cannot be saved, or null when it can ("" turns the link off). */
export function tracingUrlProblem(template: string): string | null {
  if (template === '') return null;
  if (!template.includes(placeholder)) return `tracing URL ${JSON.stringify(template)} has no ${placeholder} placeholder`;
  // An http(s) scheme, then a host with no spaces anywhere (the app has no URL parser of its own).
  if (!/^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i.test(template)) return `tracing URL ${JSON.stringify(template)} is not an http:// or https:// URL`;
  return null;
}

/** The trace id among an exemplar's labels, or null. */
export function traceIdOf(labels: Readonly<Record<string, string>>): string | null {
  for (const name of traceIdLabels) {
    const v = labels[name];
    if (v !== undefined && v !== '') return v;
  }
  return null;
}

/** The link for one trace id, or null without a (valid) template. */
export function tracingLink(template: string, traceId: string): string | null {
  if (template === '' || tracingUrlProblem(template) !== null) return null;
  return template.replaceAll(placeholder, encodeURIComponent(traceId));
}
