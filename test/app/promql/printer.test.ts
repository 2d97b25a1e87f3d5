import { describe, expect, it } from 'vitest';
import type { Expr } from '../../../app/promql/ast.js';
import { parseExpr } from '../../../app/promql/parser.js';
import { formatExpr, formatNumber, printExpr } from '../../../app/promql/printer.js';
import { stripPos } from './strip.js';

const at = { start: 0, end: 0 };
const num = (value: number): Expr => ({ type: 'number', value, pos: at });
const sel = (name: string): Expr => ({ type: 'vector', name, matchers: [{ op: '=', name: '__name__', value: name }], offset: 0, at: null, pos: at });
const bin = (op: '+' | '*' | '^', lhs: Expr, rhs: Expr): Expr => ({ type: 'binary', op, lhs, rhs, matching: null, returnBool: false, pos: at });

describe('printExpr', () => {
  it('prints in Prometheus String() style', () => {
    const cases: [string, string][] = [
      ['sum by(a,b)(rate(x{c="d",e=~"f"}[5m] offset 1m))', 'sum by (a, b) (rate(x{c="d",e=~"f"}[5m] offset 1m))'],
      ['a + on(b) group_left(c) d', 'a + on (b) group_left (c) d'],
      ['x @ 1.2345', 'x @ 1.235'],
      ['x[1h30m:90s] offset -1d', 'x[1h30m:1m30s] offset -1d'],
      ['{"a.b", c="d"}', '{__name__="a.b",c="d"}'],
      ['x{"a.b"="c"}', 'x{"a.b"="c"}'],
      ['1000000 + 0.00001 + 100000', '1e+06 + 1e-05 + 100000'],
      ["'it\\'s'", '"it\'s"'],
      ['a + ignoring() group_left b', 'a + ignoring () group_left () b'],
    ];
    for (const [q, want] of cases) expect(printExpr(parseExpr(q)), q).toBe(want);
  });

  it('adds parentheses to trees built in code where precedence needs them', () => {
    const trees: Expr[] = [
      bin('*', bin('+', num(1), num(2)), num(3)),
      bin('^', bin('^', num(2), num(3)), num(2)),
      bin('^', num(-1), num(2)),
      { type: 'unary', op: '-', expr: bin('+', sel('a'), num(1)), pos: at },
    ];
    for (const t of trees) {
      const text = printExpr(t);
      const back = parseExpr(text);
      // Same meaning: printing the reparsed tree without its paren nodes gives the same text.
      expect(printExpr(back), text).toBe(text);
      expect(stripPos(unparen(back)), text).toEqual(stripPos(t));
    }
  });

  it('formats numbers like Go', () => {
    expect([1e6, 123456789, 1.5e-7, 123456.5, -0, NaN, Infinity, -Infinity, 0.0001].map(formatNumber)).toEqual(['1e+06', '1.23456789e+08', '1.5e-07', '123456.5', '-0', 'NaN', '+Inf', '-Inf', '0.0001']);
  });
});

describe('formatExpr', () => {
  it('keeps short queries on one line', () => {
    expect(formatExpr(parseExpr('sum(rate(x[5m]))'))).toBe('sum(rate(x[5m]))');
  });

  it('splits long queries by prettier.go rules', () => {
    const q =
      'count by(namespace, pod, cpu) (node_cpu_seconds_total{cpu=~".*",job="node-exporter",mode="idle",namespace="observability",pod="node-exporter-l454v"}) * on(namespace, pod) group_left(node) node_namespace_pod:kube_pod_info:{namespace="observability",pod="node-exporter-l454v"}';
    // Output of Prometheus 2.42's /api/v1/format_query for the same query.
    expect(formatExpr(parseExpr(q))).toBe(
      [
        '  count by (namespace, pod, cpu) (',
        '    node_cpu_seconds_total{cpu=~".*",job="node-exporter",mode="idle",namespace="observability",pod="node-exporter-l454v"}',
        '  )',
        '* on (namespace, pod) group_left (node)',
        '  node_namespace_pod:kube_pod_info:{namespace="observability",pod="node-exporter-l454v"}',
      ].join('\n'),
    );
  });
});

function unparen(e: Expr): Expr {
  switch (e.type) {
    case 'paren':
      return unparen(e.expr);
    case 'binary':
      return { ...e, lhs: unparen(e.lhs), rhs: unparen(e.rhs) };
    case 'unary':
      return { ...e, expr: unparen(e.expr) };
    default:
      return e;
  }
}
