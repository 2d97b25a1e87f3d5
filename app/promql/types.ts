/** The static value type of an expression, as Prometheus' Expr.Type() computes it. */
import type { Expr, ValueType } from './ast.js';
import { getFunction } from './functions.js';

const cache = new WeakMap<Expr, ValueType>();

export function typeOf(expr: Expr): ValueType {
  const hit = cache.get(expr);
  if (hit !== undefined) return hit;
  const t = compute(expr);
  cache.set(expr, t);
  return t;
}

function compute(expr: Expr): ValueType {
  switch (expr.type) {
    case 'vector':
    case 'aggregate':
      return 'vector';
    case 'matrix':
    case 'subquery':
      return 'matrix';
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'paren':
    case 'unary':
      return typeOf(expr.expr);
    case 'binary':
      return typeOf(expr.lhs) === 'scalar' && typeOf(expr.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'call':
      // An unknown function is already an error; call it a vector so checks above it stay quiet.
      return getFunction(expr.func)?.returnType ?? 'vector';
  }
}

/** Prometheus' DocumentedType: the words used in error messages. */
export const documentedType: Readonly<Record<ValueType, string>> = {
  scalar: 'scalar',
  vector: 'instant vector',
  matrix: 'range vector',
  string: 'string',
};
