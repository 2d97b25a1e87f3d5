/**
 * The implementation table, tied to the signature table of app/promql/functions.ts: a function
 * declared there but missing here is a compile error. Experimental functions Prometheus keeps
 * behind a flag are implemented where cheap; the rest throw NotSupportedError with the reason.
 */
import type { Call } from '../../../app/promql/ast.js';
import type { FunctionName } from '../../../app/promql/functions.js';
import { QueryExecutionError } from '../errors.js';
import type { EvalEnv } from '../evaluator.js';
import type { EvalValue } from '../value.js';
import { newStepSeries } from '../value.js';
import { histogramFunctions } from './histogram.js';
import { labelFunctions } from './labels.js';
import { mathFunctions, timeFunctions } from './math.js';
import { miscFunctions } from './misc.js';
import { nativeHistogramFunctions } from './native-histogram.js';
import { rangeFunctions } from './range.js';
import type { FunctionImpl } from './types.js';

const functionImpls = {
  ...mathFunctions,
  ...timeFunctions,
  ...rangeFunctions,
  ...labelFunctions,
  ...miscFunctions,
  ...histogramFunctions,
  ...nativeHistogramFunctions,
} satisfies Record<FunctionName, FunctionImpl>;

const implByName: ReadonlyMap<string, FunctionImpl> = new Map(Object.entries(functionImpls));

/** Calendar functions default to `vector(time())`. */
const defaultsToTime = new Set(['year', 'month', 'day_of_month', 'day_of_week', 'day_of_year', 'hour', 'minute', 'days_in_month']);

export async function callFunction(call: Call, args: EvalValue[], grid: Float64Array, env: EvalEnv): Promise<EvalValue> {
  const impl = implByName.get(call.func);
  if (impl === undefined) throw new QueryExecutionError(`unknown function with name ${JSON.stringify(call.func)}`);
  if (args.length === 0 && defaultsToTime.has(call.func)) {
    const now = newStepSeries([], grid.length, false);
    for (let i = 0; i < grid.length; i++) now.v[i] = grid[i]! / 1000;
    now.has.fill(1);
    args = [{ kind: 'vector', series: [now] }];
  }
  return await impl({ call, args, grid, env });
}

export { histogramAwareFunctions, histogramDroppingFunctions, histogramIgnoringRangeFunctions, mixedWindow } from './native-histogram.js';
