/**
 * The PromQL function catalog: name → argument types, return type, experimental flag and a
 * one-line doc. Mirrors promql/parser/functions.go of Prometheus v3.14 so that type checks and
 * messages match; the evaluator's implementation table (main/promql) is keyed by FunctionName,
 * so a function declared here but not implemented there is a compile error.
 */
import type { ValueType } from './ast.js';

export interface FunctionSignature {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  /** 0: exactly argTypes; -1: last arg repeats without limit; n>0: up to n trailing args optional */
  readonly variadic: number;
  readonly returnType: ValueType;
  /** Behind Prometheus' `promql-experimental-functions` feature flag. */
  readonly experimental: boolean;
  /** One line, for completion and hover. */
  readonly doc: string;
  /** e.g. "rate(v range-vector) → instant-vector" */
  readonly signature: string;
}

const V = 'vector';
const M = 'matrix';
const S = 'scalar';
const STR = 'string';

/** Shorthand so each row of the table stays on one line; argument names are for `signature`. */
function fn(
  name: string,
  args: readonly (readonly [string, ValueType])[],
  returnType: ValueType,
  doc: string,
  opts: { variadic?: number; experimental?: boolean } = {},
): FunctionSignature {
  const variadic = opts.variadic ?? 0;
  const shown = args.map(([n, t], i) => {
    const text = `${n} ${typeNames[t]}`;
    const optional = variadic > 0 && i >= args.length - variadic;
    const repeats = variadic === -1 && i === args.length - 1;
    return optional ? `[${text}]` : repeats ? `${text}...` : text;
  });
  return {
    name,
    argTypes: args.map(([, t]) => t),
    variadic,
    returnType,
    experimental: opts.experimental ?? false,
    doc,
    signature: `${name}(${shown.join(', ')}) → ${typeNames[returnType]}`,
  };
}

const typeNames: Record<ValueType, string> = {
  scalar: 'scalar',
  vector: 'instant-vector',
  matrix: 'range-vector',
  string: 'string',
};

const v = (n = 'v'): readonly [string, ValueType] => [n, V];
const m = (n = 'v'): readonly [string, ValueType] => [n, M];
const s = (n: string): readonly [string, ValueType] => [n, S];
const str = (n: string): readonly [string, ValueType] => [n, STR];
const EXP = { experimental: true } as const;
const OPT1 = { variadic: 1 } as const;

export const functionSignatures = {
  abs: fn('abs', [v()], V, 'Absolute value of every sample.'),
  absent: fn('absent', [v()], V, 'A 1-element vector with value 1 if the argument has no elements, else empty.'),
  absent_over_time: fn('absent_over_time', [m()], V, 'A 1-element vector with value 1 if the range vector has no samples, else empty.'),
  acos: fn('acos', [v()], V, 'Arccosine of every sample, in radians.'),
  acosh: fn('acosh', [v()], V, 'Inverse hyperbolic cosine of every sample.'),
  asin: fn('asin', [v()], V, 'Arcsine of every sample, in radians.'),
  asinh: fn('asinh', [v()], V, 'Inverse hyperbolic sine of every sample.'),
  atan: fn('atan', [v()], V, 'Arctangent of every sample, in radians.'),
  atanh: fn('atanh', [v()], V, 'Inverse hyperbolic tangent of every sample.'),
  avg_over_time: fn('avg_over_time', [m()], V, 'Average of all samples in the range, per series.'),
  ceil: fn('ceil', [v()], V, 'Rounds every sample up to the nearest integer.'),
  changes: fn('changes', [m()], V, 'Number of times the value changed within the range, per series.'),
  clamp: fn('clamp', [v(), s('min'), s('max')], V, 'Clamps every sample to the range [min, max].'),
  clamp_max: fn('clamp_max', [v(), s('max')], V, 'Clamps every sample to an upper bound of max.'),
  clamp_min: fn('clamp_min', [v(), s('min')], V, 'Clamps every sample to a lower bound of min.'),
  cos: fn('cos', [v()], V, 'Cosine of every sample (radians).'),
  cosh: fn('cosh', [v()], V, 'Hyperbolic cosine of every sample.'),
  count_over_time: fn('count_over_time', [m()], V, 'Number of samples in the range, per series.'),
  days_in_month: fn('days_in_month', [v()], V, 'Days in the month of each sample timestamp (UTC); default vector(time()).', OPT1),
  day_of_month: fn('day_of_month', [v()], V, 'Day of the month (1-31) of each sample value as a UTC timestamp; default vector(time()).', OPT1),
  day_of_week: fn('day_of_week', [v()], V, 'Day of the week (0=Sunday) of each sample value as a UTC timestamp; default vector(time()).', OPT1),
  day_of_year: fn('day_of_year', [v()], V, 'Day of the year (1-366) of each sample value as a UTC timestamp; default vector(time()).', OPT1),
  deg: fn('deg', [v()], V, 'Converts radians to degrees.'),
  delta: fn('delta', [m()], V, 'Difference between first and last value in the range, extrapolated; for gauges.'),
  deriv: fn('deriv', [m()], V, 'Per-second derivative by simple linear regression; for gauges.'),
  double_exponential_smoothing: fn('double_exponential_smoothing', [m(), s('sf'), s('tf')], V, 'Smoothed value using double exponential smoothing (formerly holt_winters); 0 < sf, tf < 1.', EXP),
  end: fn('end', [], S, 'End time of the query evaluation range, in seconds.', EXP),
  exp: fn('exp', [v()], V, 'Exponential function e^x of every sample.'),
  first_over_time: fn('first_over_time', [m()], V, 'Oldest sample in the range, per series.', EXP),
  floor: fn('floor', [v()], V, 'Rounds every sample down to the nearest integer.'),
  histogram_avg: fn('histogram_avg', [v()], V, 'Arithmetic average of the observations in each native histogram.'),
  histogram_count: fn('histogram_count', [v()], V, 'Count of observations in each native histogram.'),
  histogram_fraction: fn('histogram_fraction', [s('lower'), s('upper'), v('b')], V, 'Estimated fraction of observations between lower and upper.'),
  histogram_quantile: fn('histogram_quantile', [s('φ'), v('b')], V, 'φ-quantile (0 ≤ φ ≤ 1) estimated from classic buckets or native histograms.'),
  histogram_quantiles: fn('histogram_quantiles', [v('b'), str('label'), s('φ1'), s('φ2')], V, 'Several quantiles at once, one output series per φ labelled with label.', { variadic: 9, experimental: true }),
  histogram_stddev: fn('histogram_stddev', [v()], V, 'Estimated standard deviation of the observations in each native histogram.'),
  histogram_stdvar: fn('histogram_stdvar', [v()], V, 'Estimated standard variance of the observations in each native histogram.'),
  histogram_sum: fn('histogram_sum', [v()], V, 'Sum of observations in each native histogram.'),
  hour: fn('hour', [v()], V, 'Hour of the day (0-23) of each sample value as a UTC timestamp; default vector(time()).', OPT1),
  idelta: fn('idelta', [m()], V, 'Difference between the last two samples in the range; for gauges.'),
  increase: fn('increase', [m()], V, 'Increase of a counter over the range, adjusted for resets and extrapolated.'),
  info: fn('info', [v(), v('data-label-selector')], V, 'Adds labels of matching info metrics (default target_info) to each series.', { variadic: 1, experimental: true }),
  integral: fn('integral', [m(), s('unit')], V, 'Integral of the samples in the range over time (trapezoid rule).', { variadic: 1, experimental: true }),
  irate: fn('irate', [m()], V, 'Per-second rate from the last two samples in the range; for fast-moving counters.'),
  label_join: fn('label_join', [v(), str('dst_label'), str('separator'), str('src_label')], V, 'Joins the values of src labels with separator into dst_label.', { variadic: -1 }),
  label_replace: fn('label_replace', [v(), str('dst_label'), str('replacement'), str('src_label'), str('regex')], V, 'Sets dst_label to replacement when regex matches src_label ($1 etc. refer to groups).'),
  last_over_time: fn('last_over_time', [m()], V, 'Most recent sample in the range, per series.'),
  ln: fn('ln', [v()], V, 'Natural logarithm of every sample.'),
  log10: fn('log10', [v()], V, 'Decimal logarithm of every sample.'),
  log2: fn('log2', [v()], V, 'Binary logarithm of every sample.'),
  mad_over_time: fn('mad_over_time', [m()], V, 'Median absolute deviation of the samples in the range.', EXP),
  max_of: fn('max_of', [s('a'), s('b')], S, 'The larger of two scalars (NaN if either is NaN).', EXP),
  max_over_time: fn('max_over_time', [m()], V, 'Maximum of all samples in the range, per series.'),
  min_of: fn('min_of', [s('a'), s('b')], S, 'The smaller of two scalars (NaN if either is NaN).', EXP),
  min_over_time: fn('min_over_time', [m()], V, 'Minimum of all samples in the range, per series.'),
  minute: fn('minute', [v()], V, 'Minute of the hour (0-59) of each sample value as a UTC timestamp; default vector(time()).', OPT1),
  month: fn('month', [v()], V, 'Month of the year (1-12) of each sample value as a UTC timestamp; default vector(time()).', OPT1),
  pi: fn('pi', [], S, 'The number π.'),
  predict_linear: fn('predict_linear', [m(), s('t')], V, 'Predicted value t seconds from now by simple linear regression.'),
  present_over_time: fn('present_over_time', [m()], V, 'Value 1 for every series that has any sample in the range.'),
  quantile_over_time: fn('quantile_over_time', [s('φ'), m()], V, 'φ-quantile (0 ≤ φ ≤ 1) of the samples in the range.'),
  rad: fn('rad', [v()], V, 'Converts degrees to radians.'),
  range: fn('range', [], S, 'Length of the query evaluation range, in seconds.', EXP),
  rate: fn('rate', [m()], V, 'Per-second average rate of increase of a counter over the range.'),
  resets: fn('resets', [m()], V, 'Number of counter resets within the range.'),
  round: fn('round', [v(), s('to_nearest')], V, 'Rounds every sample to the nearest multiple of to_nearest (default 1).', OPT1),
  scalar: fn('scalar', [v()], S, 'The sample value of a 1-element vector as a scalar, else NaN.'),
  sgn: fn('sgn', [v()], V, 'Sign of every sample: 1, -1 or 0.'),
  sin: fn('sin', [v()], V, 'Sine of every sample (radians).'),
  sinh: fn('sinh', [v()], V, 'Hyperbolic sine of every sample.'),
  sort: fn('sort', [v()], V, 'Sorts elements by sample value, ascending (instant queries only).'),
  sort_by_label: fn('sort_by_label', [v(), str('label')], V, 'Sorts elements by the values of the given labels, ascending.', { variadic: -1, experimental: true }),
  sort_by_label_desc: fn('sort_by_label_desc', [v(), str('label')], V, 'Sorts elements by the values of the given labels, descending.', { variadic: -1, experimental: true }),
  sort_desc: fn('sort_desc', [v()], V, 'Sorts elements by sample value, descending (instant queries only).'),
  sqrt: fn('sqrt', [v()], V, 'Square root of every sample.'),
  start: fn('start', [], S, 'Start time of the query evaluation range, in seconds.', EXP),
  start_timestamp: fn('start_timestamp', [v()], V, 'Start timestamp (in seconds) recorded with each sample, when the series has one.', EXP),
  stddev_over_time: fn('stddev_over_time', [m()], V, 'Population standard deviation of the samples in the range.'),
  stdvar_over_time: fn('stdvar_over_time', [m()], V, 'Population standard variance of the samples in the range.'),
  step: fn('step', [], S, 'Resolution step of the query, in seconds.', EXP),
  sum_over_time: fn('sum_over_time', [m()], V, 'Sum of all samples in the range, per series.'),
  tan: fn('tan', [v()], V, 'Tangent of every sample (radians).'),
  tanh: fn('tanh', [v()], V, 'Hyperbolic tangent of every sample.'),
  time: fn('time', [], S, 'Evaluation time in seconds since the Unix epoch.'),
  timestamp: fn('timestamp', [v()], V, 'Timestamp of each sample, in seconds since the Unix epoch.'),
  ts_of_first_over_time: fn('ts_of_first_over_time', [m()], V, 'Timestamp of the oldest sample in the range.', EXP),
  ts_of_last_over_time: fn('ts_of_last_over_time', [m()], V, 'Timestamp of the most recent sample in the range.', EXP),
  ts_of_max_over_time: fn('ts_of_max_over_time', [m()], V, 'Timestamp of the last maximum sample in the range.', EXP),
  ts_of_min_over_time: fn('ts_of_min_over_time', [m()], V, 'Timestamp of the last minimum sample in the range.', EXP),
  vector: fn('vector', [s('s')], V, 'The scalar as a vector with no labels.'),
  year: fn('year', [v()], V, 'Year of each sample value as a UTC timestamp; default vector(time()).', OPT1),
} as const satisfies Record<string, FunctionSignature>;

export type FunctionName = keyof typeof functionSignatures;

const byName: ReadonlyMap<string, FunctionSignature> = new Map(Object.entries(functionSignatures));

export function getFunction(name: string): FunctionSignature | undefined {
  return byName.get(name);
}

export function isFunctionName(name: string): name is FunctionName {
  return byName.has(name);
}

/** Every function name, sorted, for completion. */
export const functionNames: readonly FunctionName[] = (Object.keys(functionSignatures) as FunctionName[]).sort();
