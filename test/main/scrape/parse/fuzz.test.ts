import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpositionParseError, createParser } from '../../../../main/scrape/parse/parser.js';
import { fleetPage, omEdgeCases } from './pages.js';

const textSeed = Buffer.from(fleetPage(60, 'prometheus') + '# free comment\nx{a="\\\\q\\"\\n"} NaN 17\n');
const omSeeds = [Buffer.from(fleetPage(60, 'openmetrics')), ...omEdgeCases.map((s) => Buffer.from(s))];

/** Byte-level damage: truncate, insert, delete, overwrite, duplicate a slice. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0x22, 0x5c, 0x0a, 0x20, 0x7b, 0x7d, 0x2c, 0x3d, 0x23, 0x09, 0x00, 0xff, 0x45) }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 80 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(seed: Buffer, muts: readonly Mutation[]): Buffer {
  let b = seed;
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.op === 'truncate') b = b.subarray(0, at);
    else if (m.op === 'insert') b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (m.op === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
    else if (m.op === 'set') {
      b = Buffer.from(b);
      if (b.length > 0) b[at] = m.byte;
    } else b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + m.len), b.subarray(at)]);
  }
  return b;
}

/** Parses everything the way the loop and the lint view do; returns how many entries were seen. */
function drain(body: Buffer, contentType: string): number {
  const p = createParser(body, contentType);
  let n = 0;
  for (let k = p.next(); k !== 'eof'; k = p.next()) {
    if (k === 'series') {
      p.seriesId();
      p.labels();
      p.value();
      p.timestamp();
    }
    // Every entry consumes at least one byte of input: the parser cannot spin.
    if (++n > body.length + 1) throw new Error('parser produced more entries than bytes');
  }
  return n;
}

function onlyParseErrors(body: Buffer, contentType: string): void {
  try {
    drain(body, contentType);
  } catch (err) {
    if (!(err instanceof ExpositionParseError)) throw err;
    expect(err.line).toBeGreaterThanOrEqual(1);
    expect(err.message.length).toBeLessThan(200);
  }
}

describe('parser fuzz', () => {
  it('the undamaged seeds parse', () => {
    expect(drain(textSeed, 'text/plain')).toBeGreaterThan(60);
    for (const s of omSeeds) expect(drain(s, 'application/openmetrics-text')).toBeGreaterThan(3);
  });

  it('damaged text pages fail only with ExpositionParseError', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => onlyParseErrors(mutate(textSeed, muts), 'text/plain')),
      { numRuns: 400, seed: 4242 },
    );
  });

  it('damaged OpenMetrics pages fail only with ExpositionParseError', () => {
    fc.assert(
      fc.property(fc.nat(omSeeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, muts) =>
        onlyParseErrors(mutate(omSeeds[i]!, muts), 'application/openmetrics-text'),
      ),
      { numRuns: 400, seed: 4243 },
    );
  });

  it('arbitrary bytes fail only with ExpositionParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, om) =>
        onlyParseErrors(Buffer.from(bytes), om ? 'application/openmetrics-text' : 'text/plain'),
      ),
      { numRuns: 500, seed: 4244 },
    );
  });

  it('a 10 MB pathological line is rejected without blowing up', () => {
    const line = Buffer.from(`m{a="${'\\\\'.repeat(5_000_000)}`);
    expect(() => drain(line, 'text/plain')).toThrow('line 1: unterminated label value, got EOF');
  });
});
