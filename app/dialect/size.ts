/**
 * A size typed by a user (`vigil serve --memory-budget 300MiB`, `--query.max-memory 256MiB`, the
 * Status page's budget field): a number with an optional unit B, KiB, MiB, GiB (powers of 1024)
 * or KB, MB, GB (powers of 1000), as `vigil serve` has always read its size flags.
 * (prometheus.yml's sizes follow Prometheus' own syntax instead: main/config/byte-size.ts.)
 */
const units: Readonly<Record<string, number>> = { '': 1, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, KB: 1e3, MB: 1e6, GB: 1e9 };

/** Bytes (rounded), or null when `text` is not a positive size. */
export function parseSizeFlag(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?$/.exec(text.trim());
  const unit = units[m?.[2] ?? ''];
  if (!m || unit === undefined || Number(m[1]) <= 0) return null;
  return Math.round(Number(m[1]) * unit);
}
