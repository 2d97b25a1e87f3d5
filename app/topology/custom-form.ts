/**
 * The custom-dialect form's fields (all text, as typed) to and from the saved definition: empty
 * optional fields are left out, the histogram's unit becomes its factor to ms, and every problem
 * is named by the field it belongs to (the contract's schema decides what is valid).
 */
import { CustomDialectSchema, type CustomDialect } from '../api/topology.js';

export interface CustomDialectFields {
  metric: string;
  sourceLabel: string;
  destinationLabel: string;
  sourceNamespaceLabel: string;
  destinationNamespaceLabel: string;
  match: string;
  errorMatch: string;
  histogram: string;
  /** The histogram's unit: `s` (factor 1000) or `ms` (1). */
  histogramUnit: 's' | 'ms';
}

export type CustomDialectErrors = Partial<Record<keyof CustomDialectFields, string>>;

export function fieldsOf(c: CustomDialect | null): CustomDialectFields {
  return {
    metric: c?.metric ?? '',
    sourceLabel: c?.sourceLabel ?? '',
    destinationLabel: c?.destinationLabel ?? '',
    sourceNamespaceLabel: c?.sourceNamespaceLabel ?? '',
    destinationNamespaceLabel: c?.destinationNamespaceLabel ?? '',
    match: c?.match ?? '',
    errorMatch: c?.errorMatch ?? '',
    histogram: c?.histogram ?? '',
    histogramUnit: c?.histogramToMs === 1 ? 'ms' : 's',
  };
}

/** The definition the fields describe, or each field's problem. */
export function customDialectOf(f: CustomDialectFields): { dialect: CustomDialect; errors: null } | { dialect: null; errors: CustomDialectErrors } {
  const opt = (v: string) => (v.trim() === '' ? undefined : v.trim());
  const histogram = opt(f.histogram)?.replace(/_bucket$/, '');
  const candidate = {
    metric: f.metric.trim(),
    sourceLabel: f.sourceLabel.trim(),
    destinationLabel: f.destinationLabel.trim(),
    sourceNamespaceLabel: opt(f.sourceNamespaceLabel),
    destinationNamespaceLabel: opt(f.destinationNamespaceLabel),
    match: opt(f.match),
    errorMatch: opt(f.errorMatch),
    histogram,
    histogramToMs: histogram === undefined ? undefined : f.histogramUnit === 'ms' ? 1 : 1000,
  };
  const defined = Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined));
  const errors: CustomDialectErrors = {};
  if (candidate.sourceLabel !== '' && candidate.sourceLabel === candidate.destinationLabel) errors.destinationLabel = 'must differ from the source label';
  const r = CustomDialectSchema.safeParse(defined);
  if (!r.success)
    for (const issue of r.error.issues) {
      const key = String(issue.path[0] ?? 'metric');
      const field = (key === 'histogramToMs' ? 'histogramUnit' : key) as keyof CustomDialectFields;
      errors[field] ??= (candidate as Record<string, unknown>)[key] === '' ? 'required' : issue.message;
    }
  if (Object.keys(errors).length > 0 || !r.success) return { dialect: null, errors };
  return { dialect: r.data, errors: null };
}
