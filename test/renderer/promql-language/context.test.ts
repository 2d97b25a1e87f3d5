import { describe, expect, it } from 'vitest';
import { analyzeContext } from '../../../renderer/promql-language/context.js';

/** `|` marks the cursor. */
function at(query: string) {
  const offset = query.indexOf('|');
  return analyzeContext(query.replace('|', ''), offset);
}

describe('completion context analysis', () => {
  it('empty prompt offers history', () => {
    expect(at('|')).toEqual({ kind: 'history' });
  });

  it('a word at expression position is a metric/function prefix', () => {
    expect(at('rat|')).toMatchObject({ kind: 'expression', prefix: 'rat' });
    expect(at('sum(rate(http_req|')).toMatchObject({ kind: 'expression', prefix: 'http_req' });
    expect(at('foo + ba|')).toMatchObject({ kind: 'expression', prefix: 'ba' });
    expect(at('foo and |')).toMatchObject({ kind: 'expression', prefix: '' });
  });

  it('inside braces: label names scoped by metric and earlier matchers', () => {
    expect(at('http_requests_total{|')).toEqual({ kind: 'labelName', metric: 'http_requests_total', matchers: [], prefix: '' });
    expect(at('http_requests_total{code="200", ha|}')).toEqual({
      kind: 'labelName',
      metric: 'http_requests_total',
      matchers: [{ name: 'code', op: '=', value: '200' }],
      prefix: 'ha',
    });
    expect(at('{job=~"a.*",|')).toMatchObject({ kind: 'labelName', metric: null, matchers: [{ name: 'job', op: '=~', value: 'a.*' }] });
  });

  it('after a label name: match operators', () => {
    expect(at('up{job |')).toEqual({ kind: 'matchOp', metric: 'up', labelName: 'job' });
  });

  it('inside a matcher value: label values with the typed prefix', () => {
    expect(at('up{job="no|"}')).toMatchObject({ kind: 'labelValue', metric: 'up', labelName: 'job', prefix: 'no', quote: '"' });
    expect(at('up{job=|')).toMatchObject({ kind: 'labelValue', labelName: 'job', prefix: '', quote: null });
    expect(at('rate(x{a="1",b!~"|')).toMatchObject({ kind: 'labelValue', metric: 'x', labelName: 'b', matchers: [{ name: 'a', op: '=', value: '1' }] });
    expect(at('up{job="a,b",in|')).toMatchObject({ kind: 'labelName', matchers: [{ name: 'job', value: 'a,b' }], prefix: 'in' });
  });

  it('grouping clauses: label names of the metrics in the query', () => {
    expect(at('sum by (|) (rate(http_requests_total[5m]))')).toMatchObject({ kind: 'groupingLabel', clause: 'by', metrics: ['http_requests_total'] });
    expect(at('sum(x) without (inst|')).toMatchObject({ kind: 'groupingLabel', clause: 'without', prefix: 'inst' });
    expect(at('a / on(job) group_left(|) b')).toMatchObject({ kind: 'groupingLabel', clause: 'group_left' });
    expect(at('a * ignoring(co|')).toMatchObject({ kind: 'groupingLabel', clause: 'ignoring', prefix: 'co' });
  });

  it('after an aggregation name: by / without', () => {
    expect(at('sum |')).toMatchObject({ kind: 'aggregationModifier', prefix: '' });
    expect(at('topk b|')).toMatchObject({ kind: 'aggregationModifier', prefix: 'b' });
  });

  it('inside function arguments the expression context continues', () => {
    expect(at('histogram_quantile(0.9, |')).toMatchObject({ kind: 'expression', prefix: '' });
    expect(at('label_replace(up, "a", |')).toMatchObject({ kind: 'expression' });
  });

  it('durations in range selectors and subqueries', () => {
    expect(at('rate(foo[5|')).toEqual({ kind: 'duration', prefix: '5' });
    expect(at('rate(foo[1|m])')).toEqual({ kind: 'duration', prefix: '1' });
    expect(at('max_over_time(rate(x[5m])[1h:1|')).toEqual({ kind: 'duration', prefix: '1' });
  });

  it('after a complete operand: operators, offset, @', () => {
    expect(at('rate(foo[5m]) |')).toMatchObject({ kind: 'afterExpression', prefix: '' });
    expect(at('foo o|')).toMatchObject({ kind: 'afterExpression', prefix: 'o' });
    expect(at('foo{a="b"} |')).toMatchObject({ kind: 'afterExpression' });
  });

  it('after @: start() and end()', () => {
    expect(at('foo @ |')).toMatchObject({ kind: 'atModifier', prefix: '' });
    expect(at('foo @ st|')).toMatchObject({ kind: 'atModifier', prefix: 'st' });
  });

  it('inside a string outside braces offers nothing', () => {
    expect(at('label_replace(up, "ds|')).toEqual({ kind: 'none' });
  });
});
