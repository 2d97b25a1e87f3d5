/**
 * relabel_configs entries: defaults and validation exactly as Prometheus' relabel.Config
 * (same defaults, same messages), with the regex checked by the RE2 translator so a regex
 * Prometheus would refuse fails at load time, not at the first scrape.
 */
import { z } from 'zod';
import { compileRegex, RegexSyntaxError } from '../../app/dialect/regex.js';
import { legacyLabelNameRe, str, uint } from './schema-common.js';

export const relabelActions = [
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
] as const;
export type RelabelAction = (typeof relabelActions)[number];

export const relabelDefaults = {
  separator: ';',
  regex: '(.*)',
  replacement: '$1',
  action: 'replace' as RelabelAction,
  modulus: 0,
  target_label: '',
};

// Prometheus' relabelTarget: a label name, possibly built from $1 / ${name} references.
const relabelTargetRe = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

export interface RelabelConfig {
  readonly source_labels: readonly string[];
  readonly separator: string;
  readonly regex: string;
  readonly modulus: number;
  readonly target_label: string;
  readonly replacement: string;
  readonly action: RelabelAction;
}

const rawRelabel = z.strictObject({
  source_labels: z.array(str, { error: 'expected a list of label names' }).optional(),
  separator: str.optional(),
  regex: str.optional(),
  modulus: uint.optional(),
  target_label: str.optional(),
  replacement: str.optional(),
  action: str.optional(),
});

type RawRelabel = z.output<typeof rawRelabel>;

/** Prometheus' relabel.Config.Validate; returns [field, message] pairs. */
export function validateRelabel(raw: RawRelabel): { cfg: RelabelConfig; errors: [string, string][] } {
  const errors: [string, string][] = [];
  const actionText = raw.action ?? relabelDefaults.action;
  const action = actionText.toLowerCase() as RelabelAction;
  const cfg: RelabelConfig = {
    source_labels: raw.source_labels ?? [],
    separator: raw.separator ?? relabelDefaults.separator,
    regex: raw.regex ?? relabelDefaults.regex,
    modulus: raw.modulus ?? relabelDefaults.modulus,
    target_label: raw.target_label ?? relabelDefaults.target_label,
    replacement: raw.replacement ?? relabelDefaults.replacement,
    action,
  };
  if (!(relabelActions as readonly string[]).includes(action)) {
    errors.push(['action', `unknown relabel action ${JSON.stringify(actionText)}: use one of ${relabelActions.join(', ')}`]);
    return { cfg, errors };
  }
  cfg.source_labels.forEach((name, i) => {
    if (!legacyLabelNameRe.test(name)) errors.push([`source_labels[${i}]`, `${JSON.stringify(name)} is not a valid label name`]);
  });
  try {
    compileRegex(cfg.regex, 'prometheus');
  } catch (err) {
    errors.push(['regex', err instanceof RegexSyntaxError ? err.reason : String(err)]);
  }
  const t = cfg.target_label;
  const needsTarget: readonly RelabelAction[] = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'];
  if (action === 'hashmod' && cfg.modulus === 0) errors.push(['modulus', 'relabel configuration for hashmod requires non-zero modulus']);
  if (needsTarget.includes(action) && t === '') {
    errors.push(['target_label', `relabel configuration for ${action} action requires 'target_label' value`]);
  } else if (action === 'replace' && !t.includes('$') && !legacyLabelNameRe.test(t)) {
    errors.push(['target_label', `${JSON.stringify(t)} is invalid 'target_label' for ${action} action`]);
  } else if (action === 'replace' && t.includes('$') && !relabelTargetRe.test(t)) {
    errors.push(['target_label', `${JSON.stringify(t)} is invalid 'target_label' for ${action} action`]);
  } else if (needsTarget.includes(action) && action !== 'replace' && !legacyLabelNameRe.test(t)) {
    errors.push(['target_label', `${JSON.stringify(t)} is invalid 'target_label' for ${action} action`]);
  }
  const simple: readonly RelabelAction[] = ['lowercase', 'uppercase', 'keepequal', 'dropequal'];
  if (simple.includes(action) && cfg.replacement !== relabelDefaults.replacement) {
    errors.push(['replacement', `'replacement' can not be set for ${action} action`]);
  }
  if (action === 'labelmap' && !relabelTargetRe.test(cfg.replacement)) {
    errors.push(['replacement', `${JSON.stringify(cfg.replacement)} is invalid 'replacement' for ${action} action`]);
  }
  if (
    (action === 'keepequal' || action === 'dropequal') &&
    (cfg.regex !== relabelDefaults.regex || cfg.modulus !== 0 || cfg.separator !== relabelDefaults.separator || cfg.replacement !== relabelDefaults.replacement)
  ) {
    errors.push(['action', `${action} action requires only 'source_labels' and \`target_label\`, and no other fields`]);
  }
  if (
    (action === 'labeldrop' || action === 'labelkeep') &&
    (raw.source_labels !== undefined || t !== '' || cfg.modulus !== 0 || cfg.separator !== relabelDefaults.separator || cfg.replacement !== relabelDefaults.replacement)
  ) {
    errors.push(['action', `${action} action requires only 'regex', and no other fields`]);
  }
  return { cfg, errors };
}

const relabelConfig = rawRelabel.transform((raw, ctx): RelabelConfig => {
  const { cfg, errors } = validateRelabel(raw);
  for (const [field, message] of errors) ctx.issues.push({ code: 'custom', message, path: [field.replace(/\[\d+\]$/, '')], input: raw });
  return cfg;
});

export const relabelConfigs = z.array(relabelConfig, { error: 'expected a list of relabel configs' }).default([]);
