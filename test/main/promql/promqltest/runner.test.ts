import { describe, expect, it } from 'vitest';
import { parseExpr } from '../../../../app/promql/parser.js';
import { runScript } from '../../../../main/promql/promqltest/runner.js';
import { memoryStorageFactory } from '../../../../main/promql/promqltest/suite.js';

const parse = (q: string) => parseExpr(q, { enableExperimental: true });
const run = (text: string) => runScript('inline.test', text, { storage: memoryStorageFactory, parse });

describe('script runner', () => {
  it('passes correct expectations, including the @ and range re-runs', async () => {
    const r = await run(`
load 1m
  m{a="1"} 0+10x10

eval instant at 5m m
  m{a="1"} 50

eval instant at 5m rate(m[2m])
  {a="1"} 0.16666666666666666

eval range from 0 to 2m step 1m m
  m{a="1"} 0 10 20
`);
    expect(r.outcomes.map((o) => o.status)).toEqual(['pass', 'pass', 'pass']);
  });

  it('fails wrong values with expected vs got and file:line', async () => {
    const r = await run(`
load 1m
  m 1

eval instant at 0 m
  m 2
`);
    expect(r.outcomes[0]).toMatchObject({ status: 'fail', line: 5 });
    expect(r.outcomes[0]!.detail).toContain('expected 2, got 1');
  });

  it('checks expected failures and their messages', async () => {
    const r = await run(`
load 1m
  dup{l="a"} 1
  dup{l="b"} 2
  one 1

eval instant at 0 one + on() dup
  expect fail regex: many-to-many matching not allowed

eval instant at 0 one
  expect fail
`);
    expect(r.outcomes.map((o) => o.status)).toEqual(['pass', 'fail']);
  });

  it('checks annotations', async () => {
    const r = await run(`
load 1m
  x 1

eval instant at 0 quantile(2, x)
  expect warn msg: PromQL warning: quantile value should be between 0 and 1, got 2 (1:10)
  {} +Inf

eval instant at 0 quantile(2, x)
  expect no_warn
  {} +Inf
`);
    expect(r.outcomes.map((o) => o.status)).toEqual(['pass', 'fail']);
  });

  it('compares native histogram results, and fails a wrong one', async () => {
    const r = await run(`
load 1m
  h {{schema:0 sum:1 count:1 buckets:[1]}}+{{schema:0 sum:2 count:2 buckets:[0 2]}}x2

eval instant at 2m h
  h {{schema:0 sum:5 count:5 buckets:[1 4]}}

eval instant at 2m h
  h {{schema:0 sum:5 count:5 buckets:[1 5]}}
`);
    expect(r.outcomes.map((o) => o.status)).toEqual(['pass', 'fail']);
  });

  it('load_with_nhcb also stores classic histograms as custom-bucket native histograms', async () => {
    const r = await run(`
load_with_nhcb 1m
  x_bucket{le="1"} 2
  x_bucket{le="2.0"} 5
  x_bucket{le="+Inf"} 6
  x_sum 9

eval instant at 0 x
  x {{schema:-53 count:6 sum:9 custom_values:[1 2] buckets:[2 3 1]}}

eval instant at 0 x_bucket{le="+Inf"}
  x_bucket{le="+Inf"} 6
`);
    expect(r.outcomes.map((o) => `${o.status}: ${o.detail}`)).toEqual(['pass: ', 'pass: ']);
  });

  it('skips unported histogram operations and feature-flagged syntax with a reason', async () => {
    const r = await runScript('inline.test', `
load 1m
  h {{schema:0 sum:1 count:1}}
  f 1

eval instant at 0 info(h)
  h {{schema:0 sum:1 count:1}}

eval instant at 0 rate(f[1m] anchored)

eval instant at 0 sort_by_label(f, "x")
  f 1
`, { storage: memoryStorageFactory, parse, experimental: false });
    expect(r.outcomes.map((o) => `${o.status}: ${o.detail}`)).toEqual([
      'skip: experimental function info',
      'skip: experimental syntax: anchored modifier is experimental and not enabled',
      'skip: experimental function sort_by_label',
    ]);
    const withExp = await runScript('inline.test', 'load 1m\n  h {{schema:0 sum:1 count:1}}\n\neval instant at 0 info(h)\n  h {{schema:0 sum:1 count:1}}\n', { storage: memoryStorageFactory, parse, experimental: true });
    expect(withExp.outcomes.map((o) => `${o.status}: ${o.detail}`)).toEqual(['skip: native histograms: info() not implemented']);
  });
});
