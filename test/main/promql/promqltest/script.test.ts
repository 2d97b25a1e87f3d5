import { describe, expect, it } from 'vitest';
import { parseScript } from '../../../../main/promql/promqltest/script.js';
import type { EvalCmd } from '../../../../main/promql/promqltest/script.js';

const script = `
# comment
load 5m
  a{x="1"} 0+1x3

eval instant at 10m a
  a{x="1"} 2

eval range from 0 to 10m step 5m a * 2
  expect no_warn
  {x="1"} 0 2 4

eval instant at 0 time()
  0

eval instant at 1m a
  expect fail msg: boom
  expect warn regex: w\\d

eval_ordered instant at 1m a
# empty

clear
`;

describe('script parser', () => {
  const cmds = parseScript(script);
  const evals = cmds.filter((c): c is EvalCmd => c.type === 'eval');

  it('reads commands with their line numbers', () => {
    expect(cmds.map((c) => `${c.type}@${c.line}`)).toEqual(['load@3', 'eval@6', 'eval@9', 'eval@13', 'eval@16', 'eval@20', 'clear@23']);
  });

  it('reads instant and range evals, scalars and expect lines', () => {
    expect(evals[0]).toMatchObject({ expr: 'a', at: 600_000, range: null });
    expect(evals[0]!.expected[0]!.values.map((v) => v.value)).toEqual([2]);
    expect(evals[1]).toMatchObject({ expr: 'a * 2', range: { start: 0, end: 600_000, step: 300_000 }, noWarn: true });
    expect(evals[2]!.expectedScalar).toBe(0);
    expect(evals[3]).toMatchObject({ fail: true, failMsg: 'boom', expectWarn: true });
    expect(evals[3]!.annotations[0]!.regex!.test('w1')).toBe(true);
  });

  it('a comment right after the header means an empty result', () => {
    expect(evals[4]).toMatchObject({ ordered: true, expected: [] });
  });

  it('reports unknown commands with the line', () => {
    expect(() => parseScript('bogus 1')).toThrow('line 1: invalid command "bogus 1"');
  });
});
