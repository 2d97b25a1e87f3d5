import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../app/api/errors.js';
import { RangeQueryResponseSchema, type RangeQueryResponse } from '../../../app/api/query.js';
import { checkPackedRange, packedBuffers, packRange, unpackRange } from '../../../app/api/range-packed.js';

const stats = { seriesTouched: 2, samplesTouched: 6, peakSamples: 6, totalMs: 1, nodes: [] };
const answer: RangeQueryResponse = {
  result: {
    resultType: 'matrix',
    timestamps: [1000, 2000, 3000, 4000],
    series: [
      { labels: { __name__: 'a', job: 'x' }, values: [1.5, '+Inf', '-Inf', -0] },
      { labels: { __name__: 'b' }, values: [null, 'NaN', 5, null] },
    ],
  },
  warnings: ['w'],
  infos: [],
  stats,
};

type Spoilable = Record<string, unknown> & { result: Record<string, unknown> & { series: Array<Record<string, unknown>> } };

function thrown(f: () => unknown): ApiError {
  try {
    f();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('range answers packed in typed arrays', () => {
  it('packs columns as Float64Arrays, flags absent steps only where there are some, and unpacks to the same wire answer', () => {
    const packed = packRange(answer);
    expect(packed.result.timestamps).toEqual(new Float64Array([1000, 2000, 3000, 4000]));
    const [a, b] = packed.result.series;
    expect(Array.from(a!.v)).toEqual([1.5, Infinity, -Infinity, -0]);
    expect(Object.is(a!.v[3], -0)).toBe(true);
    expect(a!.present).toBeNull();
    expect(Array.from(b!.present!)).toEqual([0, 1, 1, 0]);
    expect(Number.isNaN(b!.v[1])).toBe(true);
    expect(packed.warnings).toEqual(['w']);
    expect(unpackRange(packed)).toEqual(answer);
    expect(RangeQueryResponseSchema.safeParse(unpackRange(packed)).success).toBe(true);
    expect(packedBuffers(packed)).toHaveLength(1 + 2 + 1);
  });

  it('accepts a packed answer after a structured clone (IPC, worker message)', () => {
    const cloned = structuredClone(packRange(answer));
    expect(checkPackedRange(cloned, 'IPC queryRange')).toBe(cloned);
    expect(unpackRange(cloned)).toEqual(answer);
  });

  it('refuses a malformed packed answer with an internal error naming where and what', () => {
    const good = () => structuredClone(packRange(answer)) as unknown as Spoilable;
    const cases: Array<[string, (p: Spoilable) => unknown, RegExp]> = [
      ['not an object', () => 'nope', /not an object/],
      ['stats missing', (p) => ({ ...p, stats: undefined }), /stats/],
      ['wrong result type', (p) => ({ ...p, result: { ...p.result, resultType: 'vector' } }), /not a matrix/],
      ['timestamps as a plain array', (p) => ({ ...p, result: { ...p.result, timestamps: [1, 2, 3, 4] } }), /timestamps is not a Float64Array/],
      ['values as a plain array', (p) => ((p.result.series[0]!['v'] = [1, 2, 3, 4]), p), /series\[0\]\.v is not a Float64Array/],
      ['values as another typed array', (p) => ((p.result.series[0]!['v'] = new Float32Array(4)), p), /series\[0\]\.v is not a Float64Array/],
      ['presence of the wrong length', (p) => ((p.result.series[1]!['present'] = new Uint8Array(3)), p), /series\[1\]\.present/],
      ['a label value that is not a string', (p) => ((p.result.series[1]!['labels'] = { job: 5 }), p), /series\[1\]\.labels/],
    ];
    for (const [name, spoil, message] of cases) {
      const err = thrown(() => checkPackedRange(spoil(good()), 'IPC queryRange'));
      expect(err.kind, name).toBe('internal');
      expect(err.where, name).toBe('IPC queryRange');
      expect(err.message, name).toMatch(message);
    }
  });
});
