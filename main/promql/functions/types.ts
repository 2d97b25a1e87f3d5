/** The contract between the evaluator and one function implementation. */
import type { Call } from '../../../app/promql/ast.js';
import type { EvalEnv } from '../evaluator.js';
import type { EvalValue } from '../value.js';

export interface FnCall {
  readonly call: Call;
  /** Arguments evaluated for all steps; defaults (e.g. `vector(time())`) are already filled in. */
  readonly args: readonly EvalValue[];
  /** Evaluation timestamp (ms) of every step. */
  readonly grid: Float64Array;
  readonly env: EvalEnv;
}

/** May be async: long loops pause now and then so cancellation can land. */
export type FunctionImpl = (c: FnCall) => EvalValue | Promise<EvalValue>;
