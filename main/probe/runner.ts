/**
 * runProbe: one probe of one target with one module, start to finish — deadline, prober by
 * name, probe_success / probe_duration_seconds, and the collected log.
 */
import { MetricSet, type ProbeContext, type ProbeLogEntry, type ProbeOptions, type ProbeResult } from './types.js';
import type { ProbeModule, ProberName } from './module-schema.js';
import { probeHttp } from './http.js';
import { probeTcp } from './tcp.js';
import { probeDns } from './dns.js';
import { probeIcmp } from './icmp.js';

/** Blackbox's own fallback when neither the module nor the caller gives a timeout. */
const defaultTimeoutSeconds = 119.5;

type Prober = (ctx: ProbeContext, target: string, module: ProbeModule) => Promise<boolean>;

const missing = (section: string) => (ctx: ProbeContext): Promise<boolean> => {
  ctx.log('error', 'config', `The module has no "${section}:" section`);
  return Promise.resolve(false);
};

/** Prober name → implementation (a table, as blackbox's Probers map). */
const probers: Record<ProberName, Prober> = {
  http: (ctx, t, m) => (m.http ? probeHttp(ctx, t, m.http) : missing('http')(ctx)),
  tcp: (ctx, t, m) => (m.tcp ? probeTcp(ctx, t, m.tcp) : missing('tcp')(ctx)),
  dns: (ctx, t, m) => (m.dns ? probeDns(ctx, t, m.dns) : missing('dns')(ctx)),
  icmp: (ctx, t, m) => (m.icmp ? probeIcmp(ctx, t, m.icmp) : missing('icmp')(ctx)),
};

export async function runProbe(module: ProbeModule, target: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutSeconds = options.timeoutSeconds ?? (module.timeout !== undefined && module.timeout > 0 ? module.timeout / 1000 : defaultTimeoutSeconds);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('probe timeout')), timeoutSeconds * 1000);
  const onOuterAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort(options.signal.reason);

  const log: ProbeLogEntry[] = [];
  const logger = options.logger;
  const metrics = new MetricSet();
  const ctx: ProbeContext = {
    metrics,
    signal: controller.signal,
    deadline: Date.now() + timeoutSeconds * 1000,
    pingPath: options.pingPath ?? 'ping',
    certificates: [],
    log: (level, phase, msg, fields) => {
      log.push({ ts: Date.now(), level, phase, msg, ...(fields ? { fields } : {}) });
      logger?.[level](msg, { phase, target, ...fields });
    },
  };
  const start = performance.now();
  ctx.log('info', 'probe', 'Beginning probe', { probe: module.prober, timeout_seconds: timeoutSeconds });
  let success = false;
  try {
    success = await probers[module.prober](ctx, target, module);
  } catch (err) {
    // A prober bug or an unexpected library error must still produce a result, never a crash.
    ctx.log('error', 'probe', 'Probe failed unexpectedly', { err: (err as Error).message });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  const durationMs = performance.now() - start;
  if (controller.signal.aborted && !success) {
    ctx.log('error', 'probe', `Timeout: the probe did not finish within ${timeoutSeconds}s`, { hint: 'raise the module timeout or check the target' });
  }
  metrics.set('probe_duration_seconds', durationMs / 1000);
  metrics.set('probe_success', success ? 1 : 0);
  ctx.log(success ? 'info' : 'error', 'probe', success ? 'Probe succeeded' : 'Probe failed', { duration_seconds: durationMs / 1000 });
  return { success, samples: metrics.samples(), log, durationMs, certificates: ctx.certificates };
}
