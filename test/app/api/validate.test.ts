import { describe, expect, it } from 'vitest';
import { freezeAnswer, isFrozenAnswer, parseResponse } from '../../../app/api/validate.js';

const answer = () => ({
  time: 1_000,
  windowMs: 60_000,
  dialect: 'otel' as const,
  available: ['otel' as const],
  custom: null,
  thresholds: { warning: 0.95, poor: 0.9 },
  nodes: [],
  edges: [],
  notes: ['a note'],
  droppedEdges: 0,
  queries: [],
  cached: true,
});

describe('parseResponse of answers frozen by freezeAnswer', () => {
  it('freezes the answer deeply', () => {
    const a = freezeAnswer(answer());
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.notes)).toBe(true);
    expect(Object.isFrozen(a.thresholds)).toBe(true);
    expect(() => (a.notes as string[]).push('x')).toThrow();
  });

  it('checks a frozen answer once and gives the same checked value again', () => {
    const a = freezeAnswer(answer());
    const first = parseResponse('topology', a, 'test');
    expect(first).toEqual(answer());
    expect(parseResponse('topology', a, 'test')).toBe(first);
    // The checked value cannot change either, so its JSON text may be kept.
    expect(isFrozenAnswer(first)).toBe(true);
    expect(Object.isFrozen(first.notes)).toBe(true);
    // An unfrozen equal answer is checked each time (a new value).
    const b = answer();
    expect(parseResponse('topology', b, 'test')).not.toBe(parseResponse('topology', b, 'test'));
    expect(isFrozenAnswer(parseResponse('topology', b, 'test'))).toBe(false);
    expect(isFrozenAnswer(a)).toBe(false);
  });

  it('still refuses a frozen answer that does not match the schema, every time', () => {
    const bad = freezeAnswer({ ...answer(), droppedEdges: 'many' });
    expect(() => parseResponse('topology', bad, 'test')).toThrow(/invalid response from topology/);
    expect(() => parseResponse('topology', bad, 'test')).toThrow(/invalid response from topology/);
  });

  it('does not reuse a check made for another channel', () => {
    const a = freezeAnswer(answer());
    parseResponse('topology', a, 'test');
    expect(() => parseResponse('topologySettings', a, 'test')).toThrow(/invalid response from topologySettings/);
  });
});
