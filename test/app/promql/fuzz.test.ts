/**
 * Mutation fuzzing seeded from the conformance queries: whatever the text, parse() returns
 * (never throws), parseExpr() throws nothing but PromQLParseError, and whatever parses prints
 * back to the same tree.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, parseExpr, PromQLParseError } from '../../../app/promql/parser.js';
import { printExpr } from '../../../app/promql/printer.js';
import { complianceQueries, scriptQueries } from './corpus.js';
import { stripPos } from './strip.js';

const seeds = [...new Set([...scriptQueries(), ...complianceQueries()].map((q) => q.query))];
const alphabet = [...'(){}[],:;=!~<>+-*/%^@#"\'`\\ \n0123456789.eEmsxyabcz_', 'offset ', 'by ', 'on(', 'bool ', 'Inf', 'NaN', '5m', '[1h:]', 'sum(', 'rate(', '@ start()'];

type Mutation = (s: string) => string;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(...alphabet)).map(([i, t]): Mutation => (s) => s.slice(0, i % (s.length + 1)) + t + s.slice((i % (s.length + 1)) + 1)),
  fc.tuple(fc.nat(), fc.constantFrom(...alphabet)).map(([i, t]): Mutation => (s) => s.slice(0, i % (s.length + 1)) + t + s.slice(i % (s.length + 1))),
  fc.tuple(fc.nat(), fc.nat(8)).map(([i, len]): Mutation => (s) => s.slice(0, i % (s.length + 1)) + s.slice((i % (s.length + 1)) + len)),
  fc.nat().map((i): Mutation => (s) => s.slice(0, i % (s.length + 1))),
  fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...seeds)).map(([i, j, other]): Mutation => (s) => s.slice(0, i % (s.length + 1)) + other.slice(j % (other.length + 1))),
);

const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([seed, ms]) => ms.reduce((s, m) => m(s), seed));

describe('parser fuzz', () => {
  it('has seeds', () => {
    expect(seeds.length).toBeGreaterThan(1000);
  });

  it('never crashes, only PromQLParseError, and round-trips what parses', () => {
    let parsed = 0;
    fc.assert(
      fc.property(mutated, (q) => {
        const res = parse(q, { enableExperimental: true });
        try {
          parseExpr(q, { enableExperimental: true });
        } catch (e) {
          if (!(e instanceof PromQLParseError)) throw e;
          expect(e.pos.start).toBeGreaterThanOrEqual(0);
          expect(e.pos.end).toBeLessThanOrEqual(q.length + 1);
        }
        if (res.expr !== null && res.errors.length === 0) {
          parsed++;
          const again = parse(printExpr(res.expr), { enableExperimental: true });
          expect(again.expr === null ? null : stripPos(again.expr), `${q} printed as ${printExpr(res.expr)}`).toEqual(stripPos(res.expr));
        }
      }),
      { numRuns: 3000, seed: 20261126 },
    );
    // The mutations must leave a fair share valid, or the round-trip half tests nothing.
    expect(parsed).toBeGreaterThan(100);
  });

  it('survives arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: fc.constantFrom(...alphabet, 'ä', '\u0000', '\uFFFD', '😀') }), (q) => {
        const res = parse(q);
        for (const e of res.errors) expect(e).toBeInstanceOf(PromQLParseError);
      }),
      { numRuns: 2000, seed: 42 },
    );
  });
});
