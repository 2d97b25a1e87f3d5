/**
 * Every query of the shared conformance material goes through parse → print → parse and must
 * come back as the same AST. Queries the scripts expect to fail either fail to parse (then with
 * the expected message, when one is given and it is a parse error) or fail later at evaluation.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../../../app/promql/parser.js';
import { formatExpr, printExpr } from '../../../app/promql/printer.js';
import { complianceQueries, scriptQueries, unsupportedReason, type CorpusQuery } from './corpus.js';
import { stripPos, stripPosSorted } from './strip.js';

const opts = { enableExperimental: true, enableExtendedRangeSelectors: true };

interface Tally {
  parsed: number;
  failedAsExpected: number;
  runtimeFailures: number;
  skipped: Map<string, number>;
}

function run(queries: readonly CorpusQuery[]): Tally {
  const tally: Tally = { parsed: 0, failedAsExpected: 0, runtimeFailures: 0, skipped: new Map() };
  const problems: string[] = [];
  for (const q of queries) {
    try {
      one(q, tally);
    } catch (e) {
      problems.push(e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e));
    }
  }
  expect(problems, problems.slice(0, 30).join('\n')).toEqual([]);
  return tally;
}

function one(q: CorpusQuery, tally: Tally): void {
  {
    const reason = unsupportedReason(q.query);
    const res = parse(q.query, opts);
    if (reason !== null) {
      // Skipped features must still be rejected cleanly, not crash or parse into nonsense.
      expect(res.errors.length, `${q.where}: ${q.query} uses ${reason} and should be rejected`).toBeGreaterThan(0);
      tally.skipped.set(reason, (tally.skipped.get(reason) ?? 0) + 1);
      return;
    }
    const err = res.errors[0];
    if (err !== undefined || res.expr === null) {
      expect(q.expectFail, `${q.where}: ${q.query} → ${err?.message}`).toBe(true);
      if (q.failMsg !== null && err !== undefined) expect(q.failMsg, q.where).toContain(err.message);
      if (q.failRegex !== null && err !== undefined) expect(err.message, q.where).toMatch(new RegExp(q.failRegex));
      tally.failedAsExpected++;
      return;
    }
    if (q.expectFail) tally.runtimeFailures++;
    tally.parsed++;
    const printed = printExpr(res.expr);
    const again = parse(printed, opts);
    expect(again.errors.map((e) => e.message), `${q.where}: ${q.query} printed as ${printed}`).toEqual([]);
    expect(again.expr === null ? null : stripPos(again.expr), `${q.where}: ${q.query} printed as ${printed}`).toEqual(stripPos(res.expr));
    const pretty = parse(formatExpr(res.expr), opts);
    expect(pretty.expr === null ? null : stripPosSorted(pretty.expr), `${q.where}: formatted ${q.query}`).toEqual(stripPosSorted(res.expr));
  }
}

function report(name: string, total: number, t: Tally): void {
  const skipped = [...t.skipped.entries()].map(([r, n]) => `${r}: ${n}`).join(', ');
  console.log(`${name}: ${total} queries, ${t.parsed} parse and round-trip (${t.runtimeFailures} of them expected to fail at evaluation), ${t.failedAsExpected} fail to parse as expected, skipped ${skipped || 'none'}`);
}

describe('conformance corpus round trip', () => {
  it('promql-testdata eval expressions', () => {
    const qs = scriptQueries();
    expect(qs.length).toBeGreaterThan(1000);
    const t = run(qs);
    report('promql-testdata', qs.length, t);
    expect(t.parsed).toBeGreaterThan(qs.length * 0.8);
  });

  it('compliance tester queries', () => {
    const qs = complianceQueries();
    expect(qs.length).toBeGreaterThan(500);
    const t = run(qs);
    report('compliance-queries', qs.length, t);
    expect(t.skipped.size).toBe(0);
  });
});
