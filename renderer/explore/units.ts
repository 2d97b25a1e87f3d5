/** Units guessed from metric names (Prometheus naming conventions) and value formatting per unit. */
export type Unit = 'seconds' | 'bytes' | 'ratio' | 'none';

function unitOfMetric(name: string): Unit {
  const base = name.replace(/_(total|sum|count|bucket)$/, '');
  if (/_seconds$/.test(base)) return 'seconds';
  if (/_bytes$/.test(base)) return 'bytes';
  if (/_ratio$/.test(base)) return 'ratio';
  return 'none';
}

/** The unit shared by every metric in a query, else none. */
export function unitOfQuery(metricNames: readonly string[]): Unit {
  const units = new Set(metricNames.map(unitOfMetric));
  return units.size === 1 ? [...units][0]! : 'none';
}

const si = ['', 'k', 'M', 'G', 'T', 'P'];
const iec = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatValue(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const abs = Math.abs(v);
  switch (unit) {
    case 'seconds':
      if (abs === 0) return '0s';
      if (abs < 1e-3) return `${+(v * 1e6).toPrecision(3)}µs`;
      if (abs < 1) return `${+(v * 1e3).toPrecision(3)}ms`;
      if (abs < 120) return `${+v.toPrecision(3)}s`;
      if (abs < 7200) return `${+(v / 60).toPrecision(3)}m`;
      if (abs < 172800) return `${+(v / 3600).toPrecision(3)}h`;
      return `${+(v / 86400).toPrecision(3)}d`;
    case 'bytes': {
      let i = 0;
      let x = abs;
      while (x >= 1024 && i < iec.length - 1) {
        x /= 1024;
        i++;
      }
      return `${v < 0 ? '-' : ''}${+x.toPrecision(3)} ${iec[i]}`;
    }
    case 'ratio':
      return `${+(v * 100).toPrecision(3)}%`;
    case 'none': {
      if (abs !== 0 && (abs < 1e-3 || abs >= 1e15)) return v.toExponential(2);
      let i = 0;
      let x = abs;
      while (x >= 1000 && i < si.length - 1) {
        x /= 1000;
        i++;
      }
      return `${v < 0 ? '-' : ''}${+x.toPrecision(4)}${si[i]}`;
    }
  }
}
