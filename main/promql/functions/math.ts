/** Element-wise math, clamping, rounding and calendar functions (instant vector → vector). */
import { QueryExecutionError } from '../errors.js';
import type { EvalValue } from '../value.js';
import { mapSamples, scalarArg, vectorArg } from './helpers.js';
import type { FnCall, FunctionImpl } from './types.js';

const simple = (f: (x: number) => number): FunctionImpl => (c) => mapSamples(c, vectorArg(c, 0), (x) => f(x));

export const mathFunctions = {
  abs: simple(Math.abs),
  ceil: simple(Math.ceil),
  floor: simple(Math.floor),
  exp: simple(Math.exp),
  sqrt: simple(Math.sqrt),
  ln: simple(Math.log),
  log2: simple(Math.log2),
  log10: simple(Math.log10),
  sin: simple(Math.sin),
  cos: simple(Math.cos),
  tan: simple(Math.tan),
  asin: simple(Math.asin),
  acos: simple(Math.acos),
  atan: simple(Math.atan),
  sinh: simple(Math.sinh),
  cosh: simple(Math.cosh),
  tanh: simple(Math.tanh),
  asinh: simple(Math.asinh),
  acosh: simple(Math.acosh),
  atanh: simple(Math.atanh),
  deg: simple((x) => (x * 180) / Math.PI),
  rad: simple((x) => (x * Math.PI) / 180),
  sgn: simple((x) => (x > 0 ? 1 : x < 0 ? -1 : x)),
  clamp: (c: FnCall): EvalValue | Promise<EvalValue> => {
    const lo = scalarArg(c, 1);
    const hi = scalarArg(c, 2);
    return mapSamples(c, vectorArg(c, 0), (x, i) => (hi[i]! < lo[i]! ? null : Math.max(lo[i]!, Math.min(hi[i]!, x))));
  },
  clamp_min: (c: FnCall): EvalValue | Promise<EvalValue> => {
    const lo = scalarArg(c, 1);
    return mapSamples(c, vectorArg(c, 0), (x, i) => Math.max(lo[i]!, x));
  },
  clamp_max: (c: FnCall): EvalValue | Promise<EvalValue> => {
    const hi = scalarArg(c, 1);
    return mapSamples(c, vectorArg(c, 0), (x, i) => Math.min(hi[i]!, x));
  },
  round: (c: FnCall): EvalValue | Promise<EvalValue> => {
    const to = c.args.length > 1 ? scalarArg(c, 1) : null;
    return mapSamples(c, vectorArg(c, 0), (x, i) => {
      // Prometheus rounds half up via the inverse, so 0.1 steps round as users expect.
      const inv = 1 / (to === null ? 1 : to[i]!);
      return Math.floor(x * inv + 0.5) / inv;
    });
  },
} satisfies Record<string, FunctionImpl>;

/** Calendar functions read sample values as Unix seconds (UTC); no argument means `vector(time())`. */
const calendar = (f: (d: Date) => number): FunctionImpl => (c) => {
  if (c.args.length === 0) throw new QueryExecutionError(`${c.call.func}(): missing default argument`);
  return mapSamples(c, vectorArg(c, 0), (x) => {
    if (!Number.isFinite(x)) return NaN;
    return f(new Date(Math.trunc(x) * 1000));
  });
};

export const timeFunctions = {
  year: calendar((d) => d.getUTCFullYear()),
  month: calendar((d) => d.getUTCMonth() + 1),
  day_of_month: calendar((d) => d.getUTCDate()),
  day_of_week: calendar((d) => d.getUTCDay()),
  day_of_year: calendar((d) => Math.round((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1),
  hour: calendar((d) => d.getUTCHours()),
  minute: calendar((d) => d.getUTCMinutes()),
  days_in_month: calendar((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()),
} satisfies Record<string, FunctionImpl>;
