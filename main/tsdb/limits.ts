/**
 * Label-set limits enforced by the appender. They bound the memory one bad target can take and
 * keep every label set small enough for one SQLite row. Lengths are UTF-16 code units.
 */
import { TooManyLabelsError } from './interface.js';
import type { Labels } from './labels.js';
import { formatLabels } from './labels.js';

const labelLimits = {
  /** Prometheus' default `label_limit` is unlimited; real series rarely exceed 30. */
  maxLabels: 64,
  /** Label names are identifiers; 1 KiB is far beyond any real one. */
  maxNameLength: 1024,
  /** Values carry paths and URLs; 64 KiB keeps one series row small. */
  maxValueLength: 65536,
} as const;

/** Throws TooManyLabelsError naming the series and the limit that was hit. */
export function checkLabelLimits(labels: Labels): void {
  const fail = (why: string): never => {
    const shown = formatLabels(labels);
    throw new TooManyLabelsError(`series ${shown.length > 200 ? shown.slice(0, 200) + '…' : shown}: ${why}; drop or shorten labels with relabel_configs`);
  };
  if (labels.length > labelLimits.maxLabels) fail(`${labels.length} labels, limit is ${labelLimits.maxLabels}`);
  for (const l of labels) {
    if (l.name === '') fail('empty label name');
    if (l.name.length > labelLimits.maxNameLength) fail(`label name longer than ${labelLimits.maxNameLength}`);
    if (l.value.length > labelLimits.maxValueLength) fail(`value of label "${l.name}" longer than ${labelLimits.maxValueLength}`);
  }
}
