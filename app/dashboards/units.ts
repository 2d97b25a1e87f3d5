/**
 * The one value formatter of the app (Explore's axes and legends, every dashboard panel): Grafana
 * unit ids (`bytes`, `percent`, `s`, `reqps`, `short`, …) with Grafana's scaling and automatic
 * decimals, thresholds (absolute and percentage) to colours, and value mappings (value, range,
 * regex, special). Which unit a query's result has when the user chose none is
 * `unit-inference.ts`'s business.
 */
import { grafanaRegex } from './grafana-regex.js';

interface Formatted {
  text: string;
  suffix: string;
}

/** Grafana's automatic decimals (`getDecimalsForValue`): about two significant digits. */
function autoDecimals(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return 0;
  let dec = -Math.floor(Math.log10(Math.abs(v))) + 1;
  const norm = Math.abs(v) / Math.pow(10, -dec);
  if (norm > 2.25) ++dec;
  if (v % 1 === 0) dec = 0;
  return Math.max(0, dec);
}

function toFixed(v: number, decimals?: number | null): string {
  const d = decimals ?? autoDecimals(v);
  // Grafana caps precision so tiny values do not print 20 digits.
  return v.toFixed(Math.min(d, 20));
}

/** Repeated division by `factor` through the suffixes (Grafana's scaledUnits). */
function scaled(factor: number, suffixes: readonly string[]) {
  return (v: number, decimals?: number | null): Formatted => {
    let i = 0;
    let x = v;
    while (Math.abs(x) >= factor && i < suffixes.length - 1) {
      x /= factor;
      i++;
    }
    return { text: toFixed(x, decimals), suffix: suffixes[i]! };
  };
}

const si = ['', ' k', ' M', ' G', ' T', ' P', ' E', ' Z', ' Y'];
const siPrefixes = (unit: string) => scaled(1000, si.map((p) => (p === '' ? ` ${unit}` : `${p}${unit}`)));
const iecPrefixes = (unit: string) => scaled(1024, ['', ' Ki', ' Mi', ' Gi', ' Ti', ' Pi', ' Ei'].map((p) => (p === '' ? ` ${unit}` : `${p}${unit}`)));
const short = scaled(1000, ['', ' K', ' Mil', ' Bil', ' Tri', ' Quadr', ' Quint', ' Sext', ' Sept']);
const countUnit = (unit: string) => {
  const s = scaled(1000, ['', ' K', ' M', ' B', ' T']);
  return (v: number, d?: number | null): Formatted => {
    const r = s(v, d);
    return { text: r.text, suffix: `${r.suffix} ${unit}` };
  };
};
const fixedSuffix = (suffix: string, multiply = 1) => (v: number, d?: number | null): Formatted => ({ text: toFixed(v * multiply, d), suffix });

/** Time from a value in `unitSeconds`, in the largest unit it reaches (Grafana's toSeconds & co.). */
const timeUnit = (unitSeconds: number) => (v: number, d?: number | null): Formatted => {
  const s = v * unitSeconds;
  const abs = Math.abs(s);
  // Grafana never shows seconds below milliseconds, nor µs/ns values below their own unit.
  const floor = Math.min(unitSeconds, 1e-3) * 0.999999;
  const steps: Array<[number, number, string]> = [
    [1e-6, 1e-9, ' ns'],
    [1e-3, 1e-6, ' µs'],
    [1, 1e-3, ' ms'],
    [60, 1, ' s'],
    [3600, 60, ' min'],
    [86400, 3600, ' hour'],
    [604800, 86400, ' day'],
    [31536000, 604800, ' week'],
  ];
  for (const [below, size, suffix] of steps) if (abs < below && size >= floor) return { text: toFixed(s / size, d), suffix };
  return { text: toFixed(s / 31536000, d), suffix: ' year' };
};

function isoDate(v: number): Formatted {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return { text: String(v), suffix: '' };
  const p = (n: number) => String(n).padStart(2, '0');
  return { text: `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`, suffix: '' };
}

type Formatter = (v: number, decimals?: number | null) => Formatted;

/** Grafana unit id → formatter. Ids not listed fall back to `suffix:` / `prefix:` custom units, else `short`. */
const unitTable: Record<string, Formatter> = {
  none: (v, d) => ({ text: toFixed(v, d), suffix: '' }),
  short,
  percent: fixedSuffix('%'),
  percentunit: fixedSuffix('%', 100),
  humidity: fixedSuffix('%H'),
  dB: fixedSuffix(' dB'),
  bytes: iecPrefixes('B'),
  decbytes: siPrefixes('B'),
  bits: iecPrefixes('b'),
  decbits: siPrefixes('b'),
  kbytes: (v, d) => iecPrefixes('B')(v * 1024, d),
  mbytes: (v, d) => iecPrefixes('B')(v * 1024 * 1024, d),
  Bps: siPrefixes('B/s'),
  binBps: iecPrefixes('B/s'),
  bps: siPrefixes('b/s'),
  binbps: iecPrefixes('b/s'),
  s: timeUnit(1),
  ms: timeUnit(1e-3),
  µs: timeUnit(1e-6),
  us: timeUnit(1e-6),
  ns: timeUnit(1e-9),
  m: timeUnit(60),
  h: timeUnit(3600),
  d: timeUnit(86400),
  reqps: countUnit('req/s'),
  rps: countUnit('rd/s'),
  wps: countUnit('wr/s'),
  iops: countUnit('io/s'),
  ops: countUnit('ops/s'),
  opm: countUnit('ops/min'),
  cps: countUnit('c/s'),
  pps: countUnit('p/s'),
  hertz: siPrefixes('Hz'),
  celsius: fixedSuffix('°C'),
  volt: siPrefixes('V'),
  watt: siPrefixes('W'),
  dateTimeAsIso: isoDate,
  dateTimeAsIsoNoDateIfToday: isoDate,
  dtdurations: timeUnit(1),
  dtdurationms: timeUnit(1e-3),
};

export const knownUnits: readonly string[] = Object.keys(unitTable);

/** Formats a value in a Grafana unit; `decimals` null/undefined means automatic. */
function formatParts(v: number | null | undefined, unit: string | null | undefined, decimals?: number | null): Formatted {
  if (v === null || v === undefined) return { text: '—', suffix: '' };
  if (!Number.isFinite(v)) return { text: Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf', suffix: '' };
  const u = unit ?? 'short';
  const f = unitTable[u];
  if (f) return f(v, decimals);
  if (u.startsWith('suffix:')) return { text: toFixed(v, decimals), suffix: u.slice(7) };
  if (u.startsWith('prefix:')) return { text: u.slice(7) + toFixed(v, decimals), suffix: '' };
  if (u.startsWith('si:')) return siPrefixes(u.slice(3))(v, decimals);
  if (u.startsWith('count:')) return countUnit(u.slice(6))(v, decimals);
  // An id Vigil does not know (Grafana has ~200): the number, then the id, so nothing is hidden.
  const r = short(v, decimals);
  return { text: r.text, suffix: `${r.suffix} ${u}` };
}

export function formatValue(v: number | null | undefined, unit: string | null | undefined, decimals?: number | null): string {
  const f = formatParts(v, unit, decimals);
  return f.text + f.suffix;
}

// ---------------------------------------------------------------------------------------------
// Thresholds

interface ThresholdStep {
  /** null is the base step (Grafana writes it as null, meaning -Infinity). */
  value: number | null;
  color: string;
}

export interface Thresholds {
  mode?: 'absolute' | 'percentage';
  steps: ThresholdStep[];
}

/** Grafana's named palette (the names its JSON uses) to CSS colours. */
const namedColors: Record<string, string> = {
  green: '#73bf69',
  'dark-green': '#37872d',
  'semi-dark-green': '#56a64b',
  'light-green': '#96d98d',
  red: '#f2495c',
  'dark-red': '#c4162a',
  'semi-dark-red': '#e02f44',
  'light-red': '#ff7383',
  yellow: '#fade2a',
  'dark-yellow': '#e0b400',
  'semi-dark-yellow': '#f2cc0c',
  orange: '#ff9830',
  'dark-orange': '#fa6400',
  'semi-dark-orange': '#ff780a',
  blue: '#5794f2',
  'dark-blue': '#1f60c4',
  'semi-dark-blue': '#3274d9',
  purple: '#b877d9',
  'dark-purple': '#8f3bb8',
  text: '#ccccdc',
  transparent: 'transparent',
};

/** A Grafana colour (a name, `#hex`, `rgb(…)`) as CSS. */
export function cssColor(color: string): string {
  return namedColors[color] ?? color;
}

/**
 * The colour of the highest step at or below `v`; percentage mode places `v` within [min, max]
 * first (Grafana's getActiveThreshold).
 */
export function thresholdColor(v: number | null | undefined, t: Thresholds | undefined, min = 0, max = 100): string | null {
  if (!t || t.steps.length === 0) return null;
  let x = v ?? NaN;
  if (t.mode === 'percentage') x = max === min ? 100 : ((x - min) / (max - min)) * 100;
  let active = t.steps[0]!;
  for (const s of t.steps) {
    if (s.value === null || (Number.isFinite(x) && x >= s.value)) active = s;
  }
  return cssColor(active.color);
}

// ---------------------------------------------------------------------------------------------
// Value mappings (Grafana 8+ shape)

export interface MappingResult {
  text?: string;
  color?: string;
}

export type ValueMapping =
  | { type: 'value'; options: Record<string, MappingResult> }
  | { type: 'range'; options: { from?: number | null; to?: number | null; result: MappingResult } }
  | { type: 'regex'; options: { pattern: string; result: MappingResult } }
  | { type: 'special'; options: { match: 'null' | 'nan' | 'null+nan' | 'true' | 'false' | 'empty'; result: MappingResult } };

/** The first mapping that applies to `v`, in order (Grafana's getValueMappingResult). */
export function mapValue(v: number | null | undefined, mappings: readonly ValueMapping[] | undefined): MappingResult | null {
  for (const m of mappings ?? []) {
    switch (m.type) {
      case 'value': {
        if (v === null || v === undefined) break;
        const hit = m.options[String(v)];
        if (hit) return hit;
        break;
      }
      case 'range': {
        if (v === null || v === undefined || Number.isNaN(v)) break;
        const from = m.options.from ?? -Infinity;
        const to = m.options.to ?? Infinity;
        if (v >= from && v <= to) return m.options.result;
        break;
      }
      case 'regex': {
        if (v === null || v === undefined) break;
        let re;
        try {
          re = grafanaRegex(m.options.pattern);
        } catch {
          break; // a broken pattern maps nothing, as in Grafana
        }
        const s = String(v);
        if (re.test(s)) return { ...m.options.result, ...(m.options.result.text !== undefined ? { text: re.replaceAll(s, m.options.result.text) } : {}) };
        break;
      }
      case 'special': {
        const isNull = v === null || v === undefined;
        const isNaN = typeof v === 'number' && Number.isNaN(v);
        const k = m.options.match;
        if ((k === 'null' && isNull) || (k === 'nan' && isNaN) || (k === 'null+nan' && (isNull || isNaN)) || (k === 'true' && v === 1) || (k === 'false' && v === 0)) return m.options.result;
        break;
      }
    }
  }
  return null;
}

export interface DisplayOptions {
  unit?: string | null;
  decimals?: number | null;
  thresholds?: Thresholds;
  mappings?: readonly ValueMapping[];
  min?: number | null;
  max?: number | null;
}

/** A value as a panel shows it: mapped text if a mapping applies, else formatted; and its colour. */
export function displayValue(v: number | null | undefined, o: DisplayOptions): { text: string; color: string | null } {
  const mapped = mapValue(v, o.mappings);
  const color = mapped?.color ? cssColor(mapped.color) : thresholdColor(v, o.thresholds, o.min ?? 0, o.max ?? 100);
  if (mapped?.text !== undefined) return { text: mapped.text, color };
  return { text: formatValue(v, o.unit, o.decimals), color };
}
