import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { relabelActions, relabelDefaults, validateRelabel, type RelabelConfig } from '../../../main/config/schema-relabel.js';
import { relabel, relabelSteps } from '../../../main/scrape/relabel.js';
import { compareStrings, labelsFromRecord, type Labels } from '../../../main/tsdb/labels.js';

const name = fc.constantFrom('a', 'b', 'c', '__address__', '__meta_x', 'job');
const value = fc.constantFrom('', 'foo', 'bar', 'Foo', 'a;b', 'x\ny', '1');
const labelSet = fc.dictionary(name, value).map((r) => labelsFromRecord(r));

// Configs Prometheus would accept: generated raw, kept only when validation passes.
const config: fc.Arbitrary<RelabelConfig> = fc
  .record({
    action: fc.constantFrom(...relabelActions),
    source_labels: fc.array(name, { maxLength: 3 }),
    regex: fc.constantFrom('(.*)', 'f(.*)', '(?i)foo', 'a|b', '__meta_(.*)', 'b.*', '(.+);(.+)'),
    target_label: fc.constantFrom('a', 'd', '${1}', 'out'),
    replacement: fc.constantFrom('$1', 'x', '${1}_y', 'new_$1'),
    modulus: fc.constantFrom(0, 1, 7),
  })
  .map((raw) => validateRelabel(raw))
  .filter((v) => v.errors.length === 0)
  .map((v) => v.cfg);

function wellFormed(l: Labels): boolean {
  for (let i = 0; i < l.length; i++) {
    if (l[i]!.value === '') return false;
    if (i > 0 && compareStrings(l[i - 1]!.name, l[i]!.name) >= 0) return false;
  }
  return true;
}

describe('relabel properties', () => {
  it('output is sorted, unique and without empty values; input is untouched; steps agree', () => {
    fc.assert(
      fc.property(labelSet, fc.array(config, { maxLength: 5 }), (labels, configs) => {
        const snapshot = JSON.stringify(labels);
        const out = relabel(labels, configs);
        expect(JSON.stringify(labels)).toBe(snapshot);
        if (out !== null) expect(wellFormed(out)).toBe(true);
        const steps = relabelSteps(labels, configs);
        const last = steps.at(-1);
        if (out === null) expect(last?.dropped).toBe(true);
        else expect(last === undefined ? labels : last.after).toEqual(out);
        for (let i = 1; i < steps.length; i++) expect(steps[i]!.before).toEqual(steps[i - 1]!.after);
      }),
      { numRuns: 500 },
    );
  });

  it('hashmod is always in [0, modulus)', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 1_000_000 }), (v, modulus) => {
        const out = relabel(labelsFromRecord({ a: v || 'x' }), [{ ...relabelDefaults, source_labels: ['a'], target_label: 'h', action: 'hashmod', modulus }]);
        const h = Number(out?.find((l) => l.name === 'h')?.value);
        expect(h >= 0 && h < modulus && Number.isInteger(h)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
