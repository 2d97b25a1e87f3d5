/**
 * The alert as notification code sees it: Alertmanager's model (labels, annotations, startsAt,
 * endsAt, generatorURL) with times in Unix milliseconds. An alert whose `endsAtMs` is in the
 * past is resolved.
 */

export interface NotifyAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAtMs: number;
  /** 0 means "no end known": the alert fires until told otherwise (or times out). */
  endsAtMs: number;
  generatorURL: string;
  /** When Vigil last heard of the alert; used to time out alerts whose source went away. */
  updatedAtMs: number;
}

export function isResolved(a: NotifyAlert, nowMs: number): boolean {
  return a.endsAtMs !== 0 && a.endsAtMs <= nowMs;
}

const mask64 = (1n << 64n) - 1n;
const fnvOffset = 14695981039346656037n;
const fnvPrime = 1099511628211n;

function fnvAdd(h: bigint, bytes: Uint8Array): bigint {
  for (const b of bytes) h = ((h ^ BigInt(b)) * fnvPrime) & mask64;
  return h;
}

const enc = new TextEncoder();
const sep = new Uint8Array([0xff]);

// Label objects are never mutated once an alert exists, so a fingerprint can be remembered.
const memo = new WeakMap<Record<string, string>, string>();

/** Prometheus' model.LabelSet.Fingerprint (FNV-1a 64 over sorted name, 0xff, value, 0xff) as 16 hex digits. */
export function fingerprint(labels: Record<string, string>): string {
  const known = memo.get(labels);
  if (known !== undefined) return known;
  const fp = computeFingerprint(labels);
  memo.set(labels, fp);
  return fp;
}

function computeFingerprint(labels: Record<string, string>): string {
  let h = fnvOffset;
  for (const name of Object.keys(labels).sort()) {
    h = fnvAdd(h, enc.encode(name));
    h = fnvAdd(h, sep);
    h = fnvAdd(h, enc.encode(labels[name] ?? ''));
    h = fnvAdd(h, sep);
  }
  return h.toString(16).padStart(16, '0');
}

/** RFC 3339 as Alertmanager writes it; 0 is Go's zero time. */
export function rfc3339(ms: number): string {
  return ms === 0 ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString();
}
