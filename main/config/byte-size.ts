/** Prometheus' byte-size syntax as prometheus.yml uses it: `10MB`, `512KiB`, `0`. */

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
