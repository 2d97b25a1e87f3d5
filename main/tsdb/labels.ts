/**
 * Label sets. A `Labels` value is an array of name/value pairs sorted by name with unique names,
 * as in Prometheus' labels.Labels. Functions here never mutate their input.
 */

export interface Label {
  readonly name: string;
  readonly value: string;
}

export type Labels = readonly Label[];

export const metricNameLabel = '__name__';

/** Builds a sorted label set from a record; empty values are dropped (they mean "absent"). */
export function labelsFromRecord(record: Readonly<Record<string, string>>): Labels {
  return Object.keys(record)
    .filter((name) => record[name] !== '')
    .sort(compareStrings)
    .map((name) => ({ name, value: record[name]! }));
}

export function labelsToRecord(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of labels) out[l.name] = l.value;
  return out;
}

/** Sorts and de-duplicates (last wins) an arbitrary list of pairs; drops empty values. */
export function normalizeLabels(pairs: Iterable<Label>): Labels {
  const map = new Map<string, string>();
  for (const { name, value } of pairs) map.set(name, value);
  return [...map.entries()]
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([name, value]) => ({ name, value }));
}

/** The value of `name`, or '' when absent (PromQL treats absent and empty alike). */
export function getLabel(labels: Labels, name: string): string {
  for (const l of labels) if (l.name === name) return l.value;
  return '';
}

/** A canonical string for a label set: equal strings ⇔ equal sets. Used as a map key. */
export function labelsKey(labels: Labels): string {
  let key = '';
  for (const l of labels) key += l.name + '\xff' + l.value + '\xfe';
  return key;
}

/** labelsKey(labels.filter((l) => keep(l.name))) without building the filtered array. */
export function labelsKeyOf(labels: Labels, keep: (name: string) => boolean): string {
  let key = '';
  for (const l of labels) if (keep(l.name)) key += l.name + '\xff' + l.value + '\xfe';
  return key;
}

/** Byte-wise (UTF-16 code unit) string order, as Go compares strings for ASCII names. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Prometheus' labels.Compare: pairwise by name then value, shorter set first on a tie. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return compareStrings(x.name, y.name);
    if (x.value !== y.value) return compareStrings(x.value, y.value);
  }
  return a.length - b.length;
}

/** `{__name__="up", job="x"}` → `up{job="x"}`, as Prometheus prints series. */
export function formatLabels(labels: Labels): string {
  const name = getLabel(labels, metricNameLabel);
  const rest = labels
    .filter((l) => l.name !== metricNameLabel)
    .map((l) => `${l.name}=${JSON.stringify(l.value)}`)
    .join(', ');
  return rest === '' && name !== '' ? name : `${name}{${rest}}`;
}
