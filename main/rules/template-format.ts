/**
 * Go's number and value formatting, as far as Prometheus templates show it: `%v` of a float64
 * (`1.5`, `1e+06`), `%.4g` (humanize*), and a small `printf` (verbs s d f e g v q x t, width,
 * precision, `-`, `+`, `0`). Rounding uses the exact binary value like Go; exact decimal ties
 * round half-up here where Go rounds half-even (e.g. `%.0f` of 2.5).
 */

function specials(v: number): string | null {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return null;
}

/** Exponent with at least two digits, as Go writes it: `e+06`, `e-05`, `e+100`. */
function goExp(s: string): string {
  return s.replace(/e([+-])(\d+)$/, (_m, sign: string, d: string) => `e${sign}${d.padStart(2, '0')}`);
}

/** strconv.FormatFloat(v, 'g', prec, 64); prec < 0 means shortest. */
export function formatG(v: number, prec = -1): string {
  const sp = specials(v);
  if (sp !== null) return sp;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const shortest = prec < 0;
  const p = prec === 0 ? 1 : prec;
  const e = shortest ? v.toExponential() : halfEven(v, p - 1, 'exp');
  const [mant = '', expStr = '0'] = e.split('e');
  const exp = Number(expStr);
  const digits = mant.replace(/^-/, '').replace('.', '').replace(/0+$/, '') || '0';
  const sign = v < 0 ? '-' : '';
  const nd = digits.length;
  const dp = exp + 1;
  let eprec = shortest ? 6 : p;
  if (!shortest && eprec > nd && nd >= dp) eprec = nd;
  if (exp < -4 || exp >= eprec) {
    const frac = digits.slice(1);
    return goExp(`${sign}${digits[0] ?? '0'}${frac === '' ? '' : '.' + frac}e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`);
  }
  // Fixed notation showing exactly the significant digits kept.
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${digits}`;
  if (dp >= nd) return sign + digits + '0'.repeat(dp - nd);
  return `${sign}${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

function formatE(v: number, prec = 6): string {
  const sp = specials(v);
  if (sp !== null) return sp;
  return goExp(v.toExponential(prec));
}

function formatF(v: number, prec = 6): string {
  const sp = specials(v);
  if (sp !== null) return sp;
  if (Math.abs(v) >= 1e21) {
    // toFixed switches to exponent form here; build the digits by hand.
    return BigInt(Math.round(v)).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
  }
  return halfEven(v, Math.min(prec, 100), 'fixed');
}

/**
 * JavaScript rounds exact decimal ties away from zero; Go rounds them to even. Detect a tie from
 * a longer exact expansion and, when the kept digit is even, truncate instead.
 */
function halfEven(v: number, digits: number, mode: 'fixed' | 'exp'): string {
  const fmt = (d: number): string => (mode === 'fixed' ? v.toFixed(d) : v.toExponential(d));
  const rounded = fmt(digits);
  if (digits + 40 > 100) return rounded;
  const long = fmt(digits + 40);
  const [mant = '', exp] = long.split('e');
  const cut = mant.indexOf('.') + 1 + digits;
  if (mant.slice(cut) !== '5' + '0'.repeat(39)) return rounded;
  let kept = mant.slice(0, digits === 0 ? cut - 1 : cut);
  const last = kept.replace(/\D/g, '').slice(-1);
  if (Number(last) % 2 !== 0) return rounded;
  if (kept.endsWith('.')) kept = kept.slice(0, -1);
  // Truncation may change the exponent only when rounding up, which we are not doing here.
  return exp === undefined ? kept : `${kept}e${exp}`;
}

/** Go's `%q` of a string: double quotes, Go escapes. */
function quoteGo(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export interface SampleValue {
  Labels: Record<string, string>;
  Value: number;
}

/** `%v` / print formatting of template values. */
export function formatValue(v: unknown, depth = 0): string {
  if (depth > 8) return '...';
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatG(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x, depth + 1)).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if ('Labels' in v && 'Value' in v) return `{${formatValue((v as SampleValue).Labels, depth + 1)} ${formatValue((v as SampleValue).Value, depth + 1)}}`;
    return `map[${entries.map(([k, x]) => `${k}:${formatValue(x, depth + 1)}`).join(' ')}]`;
  }
  return String(v);
}

const verbRe = /%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])/g;

/** fmt.Sprintf for the verbs templates use (s d f e g v q x X t T). Wrong-type arguments print like Go: `%!d(string=x)`. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let ai = 0;
  const out = format.replace(verbRe, (_m, flags: string, width: string | undefined, precStr: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const take = (): unknown => (ai < args.length ? args[ai++] : undefined);
    const w = width === '*' ? Number(take()) : width === undefined ? 0 : Number(width);
    const prec = precStr === '*' ? Number(take()) : precStr === undefined ? (_m.includes('.') ? 0 : -1) : Number(precStr);
    if (ai >= args.length) return `%!${verb}(MISSING)`;
    const a = take();
    let s: string;
    const num = typeof a === 'number' ? a : typeof a === 'bigint' ? Number(a) : null;
    const bad = (): string => `%!${verb}(${goType(a)}=${formatValue(a)})`;
    switch (verb) {
      case 'v':
        s = formatValue(a);
        break;
      case 's':
        s = typeof a === 'string' ? a : formatValue(a);
        if (prec >= 0) s = s.slice(0, prec);
        break;
      case 'q':
        s = typeof a === 'string' ? quoteGo(a) : bad();
        break;
      case 'd':
        s = num !== null && Number.isInteger(num) ? String(num) : bad();
        break;
      case 'f':
      case 'F':
        s = num !== null ? formatF(num, prec < 0 ? 6 : prec) : bad();
        break;
      case 'e':
        s = num !== null ? formatE(num, prec < 0 ? 6 : prec) : bad();
        break;
      case 'g':
        s = num !== null ? formatG(num, prec) : bad();
        break;
      case 'x':
      case 'X': {
        if (num !== null && Number.isInteger(num)) s = (num < 0 ? '-' : '') + Math.abs(num).toString(16);
        else if (typeof a === 'string') s = Buffer.from(a, 'utf8').toString('hex');
        else s = bad();
        if (verb === 'X') s = s.toUpperCase();
        break;
      }
      case 't':
        s = typeof a === 'boolean' ? String(a) : bad();
        break;
      case 'T':
        s = goType(a);
        break;
      default:
        s = `%!${verb}(${goType(a)}=${formatValue(a)})`;
    }
    if (flags.includes('+') && num !== null && num >= 0 && 'dfeg'.includes(verb)) s = '+' + s;
    if (s.length < w) {
      if (flags.includes('-')) s = s.padEnd(w);
      else if (flags.includes('0') && num !== null) s = (s.startsWith('-') || s.startsWith('+') ? s[0] + s.slice(1).padStart(w - 1, '0') : s.padStart(w, '0'));
      else s = s.padStart(w);
    }
    return s;
  });
  return ai < args.length ? `${out}%!(EXTRA ${args.slice(ai).map((a) => `${goType(a)}=${formatValue(a)}`).join(', ')})` : out;
}

function goType(a: unknown): string {
  if (typeof a === 'number') return 'float64';
  if (typeof a === 'bigint') return 'int';
  if (typeof a === 'string') return 'string';
  if (typeof a === 'boolean') return 'bool';
  if (a === null || a === undefined) return '<nil>';
  if (Array.isArray(a)) return '[]interface {}';
  return 'map[string]interface {}';
}

// ---- Prometheus' humanize family (template.go) ----

const big = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const small = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
const g4 = (v: number): string => formatG(v, 4);

export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of big) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of small) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return g4(v) + prefix;
}

export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return g4(v) + 's';
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    const d = Math.trunc(v);
    const seconds = d % 60;
    const minutes = Math.trunc(d / 60) % 60;
    const hours = Math.trunc(d / 3600) % 24;
    const days = Math.trunc(d / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of small) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

export function humanizePercentage(v: number): string {
  return g4(v * 100) + '%';
}

/** Go's time.Time.String() in UTC: `2015-06-23 13:19:44.128 +0000 UTC`. */
export function humanizeTimestamp(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  const ns = BigInt(Math.trunc(v * 1e9));
  const secs = ns / 1_000_000_000n - (ns % 1_000_000_000n < 0n ? 1n : 0n);
  const frac = ns - secs * 1_000_000_000n;
  const d = new Date(Number(secs) * 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const fracStr = frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${fracStr} +0000 UTC`;
}
