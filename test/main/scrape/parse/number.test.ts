import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFloatBytes, parseIntBytes } from '../../../../main/scrape/parse/number.js';

const parse = (s: string) => {
  const b = Buffer.from(s, 'latin1');
  return parseFloatBytes(b, 0, b.length);
};

describe('number tokens', () => {
  it('agree with a correctly rounded parser on any double as JS prints it', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0)), (x) => {
        expect(Object.is(parse(String(x)), x)).toBe(true);
      }),
      { numRuns: 3000, seed: 99 },
    );
  });

  it('agree with Number() on decimal strings, including the fast path', () => {
    const decimal = fc
      .tuple(fc.constantFrom('', '-', '+'), fc.stringMatching(/^[0-9]{1,20}$/), fc.option(fc.stringMatching(/^[0-9]{0,20}$/)), fc.option(fc.integer({ min: -330, max: 330 })))
      .map(([sign, int, frac, exp]) => `${sign}${int}${frac === null ? '' : '.' + frac}${exp === null ? '' : 'e' + exp}`);
    fc.assert(
      fc.property(decimal, (s) => {
        expect(Object.is(parse(s), Number(s))).toBe(true);
      }),
      { numRuns: 3000, seed: 100 },
    );
  });

  it('read the same from a plain Uint8Array as from a Buffer (long and special values take another path)', () => {
    for (const s of ['0.12345678901234567', '-1.7976931348623157e308', '+Inf', 'nan', '12.5', '5e-324']) {
      const u = new Uint8Array([32, ...Buffer.from(s, 'latin1'), 32]);
      expect(Object.is(parseFloatBytes(u, 1, u.length - 1), parse(s)), s).toBe(true);
    }
  });

  it('reject what Go rejects', () => {
    for (const bad of ['', '-', '+', '.', 'e5', '1e', '1e+', '0x10', '1_0', ' 1', '1 ', 'Infinit', 'nan1', '--1']) {
      expect(parse(bad), bad).toBeUndefined();
    }
    expect(Object.is(parse('-0'), -0)).toBe(true);
    expect(Number.isNaN(parse('NaN'))).toBe(true);
    expect(parse('-Inf')).toBe(-Infinity);
  });

  it('read int64 timestamps', () => {
    const b = Buffer.from('-1700000000123 12a');
    expect(parseIntBytes(b, 0, 14)).toBe(-1700000000123);
    expect(parseIntBytes(b, 15, 18)).toBeUndefined();
  });
});
