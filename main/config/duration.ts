/**
 * Prometheus' duration and byte-size syntaxes as prometheus.yml uses them: `1h30m`, `15s`,
 * `500ms`, `2d`, `1w`, `1y`, `0`; `10MB`, `512KiB`. Units must appear largest first, once each,
 * as in Prometheus' model.ParseDuration.
 */

const durationUnits: readonly (readonly [string, number])[] = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const durationRe = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or null when `text` is not a Prometheus duration. */
export function parseDuration(text: string): number | null {
  if (text === '0') return 0;
  if (text === '') return null;
  const m = durationRe.exec(text);
  if (m === null) return null;
  let ms = 0;
  for (let i = 0; i < durationUnits.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * durationUnits[i]![1];
  }
  return Number.isSafeInteger(ms) ? ms : null;
}

/** The shortest Prometheus spelling of `ms` (`90000` → `1m30s`), as Prometheus prints configs. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of durationUnits) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

// Prometheus' units.Base2Bytes: KB/MB/... are powers of 1024 there (and so are KiB/MiB...).
const byteUnits: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1024,
  KIB: 1024,
  MB: 1024 ** 2,
  MIB: 1024 ** 2,
  GB: 1024 ** 3,
  GIB: 1024 ** 3,
  TB: 1024 ** 4,
  TIB: 1024 ** 4,
  PB: 1024 ** 5,
  PIB: 1024 ** 5,
};

/** Bytes, or null when `text` is not a size such as `10MB`, `512KiB`, `0`. */
export function parseByteSize(text: string): number | null {
  if (text === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/.exec(text.trim());
  if (m === null) return null;
  const factor = byteUnits[m[2]!.toUpperCase()];
  if (factor === undefined) return null;
  return Math.floor(Number(m[1]) * factor);
}
