// Figures of scrape health read back through the Prometheus HTTP API, so they mean the same for
// Vigil and for Prometheus: scrape durations and interval jitter of healthy targets, and each
// target's health and last error. Used by build/bench/hostile.js, build/soak.js and their tests.
import { readFileSync } from 'node:fs';

export function quantile(xs, q) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** Resident and peak resident memory of a process (Linux /proc), bytes. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

async function api(base, path, params) {
  const res = await fetch(`${base}${path}?${new URLSearchParams(params)}`, { signal: AbortSignal.timeout(30_000) });
  const body = await res.json();
  if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`);
  return body.data;
}

/** Raw samples of `selector` in (fromMs, toMs]: [{ metric, samples: [[ms, value]] }]. */
export async function rawSamples(base, selector, fromMs, toMs) {
  const range = Math.max(1, Math.ceil((toMs - fromMs) / 1000));
  const data = await api(base, '/api/v1/query', { query: `${selector}[${range}s]`, time: String(toMs / 1000) });
  return data.result.map((r) => ({ metric: r.metric, samples: r.values.map(([t, v]) => [Math.round(t * 1000), Number(v)]) }));
}

/**
 * Healthy targets' scrape durations (s) and how far consecutive scrapes of one target lie from
 * the interval (jitter, ms), over a window; `gaps` counts intervals longer than 1.5× the interval.
 */
export async function healthyFigures(base, { jobRegex, intervalMs, fromMs, toMs }) {
  const durations = (await rawSamples(base, `scrape_duration_seconds{job=~"${jobRegex}"}`, fromMs, toMs)).flatMap((s) => s.samples.map(([, v]) => v));
  const ups = await rawSamples(base, `up{job=~"${jobRegex}"}`, fromMs, toMs);
  const jitter = [];
  let gaps = 0;
  let down = 0;
  for (const s of ups) {
    for (let i = 1; i < s.samples.length; i++) {
      const d = s.samples[i][0] - s.samples[i - 1][0];
      jitter.push(Math.abs(d - intervalMs));
      if (d > 1.5 * intervalMs) gaps++;
    }
    down += s.samples.filter(([, v]) => v === 0).length;
  }
  return {
    scrapes: durations.length,
    targets: ups.length,
    durationP50: quantile(durations, 0.5),
    durationP90: quantile(durations, 0.9),
    durationP99: quantile(durations, 0.99),
    durationMax: durations.length ? Math.max(...durations) : NaN,
    jitterP50: quantile(jitter, 0.5),
    jitterP99: quantile(jitter, 0.99),
    jitterMax: jitter.length ? Math.max(...jitter) : NaN,
    gaps,
    down,
  };
}

/** job → { health, lastError, lastScrapeDuration } for every active target whose job matches. */
export async function targetStates(base, jobPrefix = '') {
  const data = await api(base, '/api/v1/targets', { state: 'active' });
  const out = {};
  for (const t of data.activeTargets) {
    const job = t.labels.job;
    if (!job.startsWith(jobPrefix)) continue;
    out[job] = { health: t.health, lastError: t.lastError, lastScrapeDuration: t.lastScrapeDuration };
  }
  return out;
}
