/**
 * How a rule file checks its expressions. The default is the shared PromQL parser and type
 * checker (`app/promql/parser.ts`), so `vigil check rules` rejects what Prometheus rejects,
 * with Prometheus' `line:col: parse error: …` wording. Should that parser ever throw something
 * other than a parse error (a bug, not a bad query), the lezer grammar's syntax check decides
 * instead, so a parser bug cannot reject a valid rule file.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { parse, PromQLParseError } from '../../app/promql/parser.js';

export type CheckExpr = (expr: string) => string | null;

/** Syntax-only check with the lezer grammar the Prometheus UI uses. */
const lezerCheckExpr: CheckExpr = (expr) => {
  const tree = parser.parse(expr);
  let errAt = -1;
  tree.iterate({
    enter: (n) => {
      if (errAt >= 0) return false;
      if (n.type.isError) errAt = n.from;
      return undefined;
    },
  });
  if (errAt < 0) return null;
  const before = expr.slice(0, errAt);
  const line = before.split('\n').length;
  const col = errAt - before.lastIndexOf('\n');
  const near = expr.slice(errAt, errAt + 10);
  return `${line}:${col}: parse error: unexpected ${near === '' ? 'end of input' : `"${near}"`}`;
};

/** Full parse and type check, as Prometheus does when it loads a rule file. */
export const promqlCheckExpr: CheckExpr = (expr) => {
  try {
    const first = parse(expr).errors[0];
    return first === undefined ? null : first.format(expr);
  } catch (e) {
    if (e instanceof PromQLParseError) return e.format(expr);
    return lezerCheckExpr(expr);
  }
};
