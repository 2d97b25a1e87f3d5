/**
 * Sample labels as Prometheus 2.42's mutateSampleLabels builds them: target labels attached,
 * with `honor_labels` deciding conflicts (keep the page's value, or keep the target's and move
 * the page's to `exported_<name>`), and its label limits with the same messages.
 */
import { Buffer } from 'node:buffer';
import { compareStrings, getLabel, type Label, type Labels } from '../tsdb/labels.js';
import type { ScrapeLimits } from './target-types.js';

const exportedPrefix = 'exported_';

/** Target labels that go onto samples: everything but the `__` meta labels. */
export function sampleTargetLabels(labels: Labels): Labels {
  return labels.filter((l) => !l.name.startsWith('__') && l.value !== '');
}

export function mergeTargetLabels(exposed: Labels, target: Labels, honorLabels: boolean): Labels {
  if (target.length === 0) return exposed;
  const out = new Map<string, string>();
  for (const l of exposed) out.set(l.name, l.value);
  if (honorLabels) {
    for (const t of target) if (!out.has(t.name)) out.set(t.name, t.value);
  } else {
    const conflicts: Label[] = [];
    for (const t of target) {
      const mine = out.get(t.name);
      if (mine !== undefined && mine !== '') conflicts.push({ name: t.name, value: mine });
      out.set(t.name, t.value);
    }
    if (conflicts.length > 0) {
      const has = (ls: Labels, n: string) => ls.some((l) => l.name === n);
      // Shorter names first, so `exported_a` goes to `a` before `exported_exported_a` is needed.
      const sorted = conflicts.map((c, i) => ({ c, i })).sort((x, y) => x.c.name.length - y.c.name.length || x.i - y.i);
      const renamed: Label[] = [];
      for (const { c } of sorted) {
        let name = c.name;
        do name = exportedPrefix + name;
        while (has(exposed, name) || has(target, name) || renamed.some((r) => r.name === name));
        renamed.push({ name, value: c.value });
      }
      for (const r of renamed) out.set(r.name, r.value);
    }
  }
  const res: Label[] = [];
  for (const [name, value] of out) if (value !== '') res.push({ name, value });
  return res.sort((a, b) => compareStrings(a.name, b.name));
}

/** Go's len(): bytes of UTF-8. */
function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Go's %.50s / %.50q: at most 50 characters. */
const clip = (s: string): string => [...s].slice(0, 50).join('');

/** Prometheus' verifyLabelLimits; returns the error text or null. */
export function labelLimitError(lset: Labels, limits: ScrapeLimits): string | null {
  if (limits.labelLimit === 0 && limits.labelNameLengthLimit === 0 && limits.labelValueLengthLimit === 0) return null;
  const metric = clip(getLabel(lset, '__name__'));
  if (limits.labelLimit > 0 && lset.length > limits.labelLimit) {
    return `label_limit exceeded (metric: ${metric}, number of labels: ${lset.length}, limit: ${limits.labelLimit})`;
  }
  if (limits.labelNameLengthLimit === 0 && limits.labelValueLengthLimit === 0) return null;
  for (const l of lset) {
    if (limits.labelNameLengthLimit > 0 && l.name.length > limits.labelNameLengthLimit) {
      const n = byteLength(l.name);
      if (n > limits.labelNameLengthLimit) {
        return `label_name_length_limit exceeded (metric: ${metric}, label name: ${clip(l.name)}, length: ${n}, limit: ${limits.labelNameLengthLimit})`;
      }
    }
    // UTF-16 length ≤ UTF-8 length: a string that is short in code units may still be long in bytes.
    if (limits.labelValueLengthLimit > 0 && l.value.length * 3 > limits.labelValueLengthLimit) {
      const n = byteLength(l.value);
      if (n > limits.labelValueLengthLimit) {
        return `label_value_length_limit exceeded (metric: ${metric}, label name: ${clip(l.name)}, value: ${JSON.stringify(clip(l.value))}, length: ${n}, limit: ${limits.labelValueLengthLimit})`;
      }
    }
  }
  return null;
}
