/**
 * Prometheus rule files (`groups: [{name, interval, rules: [...]}]`), parsed with positions and
 * validated with the wording of Prometheus' rulefmt so `vigil check rules` reads like
 * `promtool check rules`: `FILE: line:col: group "g", rule 2, "name": message`.
 */
import { parseDuration, DurationError } from '../../app/dialect/duration.js';
import { formatPosition, parseYamlWithPositions, type PositionedYaml, type YamlPath } from '../util/yaml-positions.js';
import { promqlCheckExpr, type CheckExpr } from './rulefile-expr.js';
import { parseTemplate } from './template-parse.js';

interface RecordingRule {
  kind: 'record';
  record: string;
  expr: string;
  labels: Record<string, string>;
  line: number;
}

interface AlertingRule {
  kind: 'alert';
  alert: string;
  expr: string;
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  line: number;
}

type Rule = RecordingRule | AlertingRule;

interface RuleGroup {
  name: string;
  /** Milliseconds; null means "use the global evaluation_interval". */
  intervalMs: number | null;
  limit: number;
  queryOffsetMs: number | null;
  labels: Record<string, string>;
  rules: Rule[];
  line: number;
}

interface RuleFile {
  file: string;
  groups: RuleGroup[];
}

export interface ParseRulesOptions {
  /** Validates a PromQL expression; returns an error message or null. Defaults to the shared PromQL parser and type checker. */
  checkExpr?: CheckExpr;
}

export type ParseRulesResult = { ok: true; value: RuleFile; ruleCount: number } | { ok: false; errors: string[] };

const metricNameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNameRe = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

// Field tables, as the Go structs declare them; anything else is "field x not found".
const fileFields = new Set(['groups']);
const groupFields = new Set(['name', 'interval', 'limit', 'query_offset', 'labels', 'rules']);
const ruleFields = new Set(['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseRuleFile(file: string, text: string, opts: ParseRulesOptions = {}): ParseRulesResult {
  const checkExpr = opts.checkExpr ?? promqlCheckExpr;
  const y = parseYamlWithPositions(text);
  if (y.errors.length > 0) return { ok: false, errors: y.errors.map((e) => `${file}: yaml: ${e}`) };
  const errors: string[] = [];
  const groups: RuleGroup[] = [];
  const root = y.value;
  if (root === null || root === undefined) return { ok: true, value: { file, groups }, ruleCount: 0 };
  if (!isObj(root)) return { ok: false, errors: [`${file}: yaml: ${formatPosition(y.positionOf([]))}: a rule file is a map with a "groups" list`] };

  const unmarshal: string[] = [];
  unknownFields(root, fileFields, [], 'rulefmt.RuleGroups', y, unmarshal);
  const rawGroups = root['groups'] ?? [];
  if (!Array.isArray(rawGroups)) unmarshal.push(`  line ${line(y, ['groups'])}: cannot unmarshal into []rulefmt.RuleGroup: "groups" must be a list`);
  const groupList: unknown[] = Array.isArray(rawGroups) ? rawGroups : [];
  groupList.forEach((g, gi) => {
    const path = ['groups', gi];
    if (!isObj(g)) unmarshal.push(`  line ${line(y, path)}: each group must be a map`);
    else {
      unknownFields(g, groupFields, path, 'rulefmt.RuleGroup', y, unmarshal);
      const rules = g['rules'];
      if (Array.isArray(rules)) rules.forEach((r, ri) => isObj(r) && unknownFields(r, ruleFields, [...path, 'rules', ri], 'rulefmt.RuleNode', y, unmarshal));
    }
  });
  if (unmarshal.length > 0) return { ok: false, errors: [`${file}: yaml: unmarshal errors:\n${unmarshal.join('\n')}`] };

  const seen = new Set<string>();
  let ruleCount = 0;
  groupList.forEach((g, gi) => {
    const path: YamlPath = ['groups', gi];
    const at = (p: YamlPath): string => `${file}: ${formatPosition(y.positionOf(p))}:`;
    const gobj = g as Obj;
    const name = str(gobj['name']);
    if (name === '') {
      errors.push(`${at([...path, 'name'])} Groupname must not be empty`);
      return;
    }
    if (seen.has(name)) errors.push(`${at(path)} groupname: "${name}" is repeated in the same file`);
    seen.add(name);
    const dur = (field: string): number | null => {
      const v = gobj[field];
      if (v === undefined || v === null) return null;
      try {
        return parseDuration(String(v));
      } catch (e) {
        errors.push(`${at([...path, field])} group "${name}": field '${field}': ${e instanceof DurationError ? e.message : String(e)}`);
        return null;
      }
    };
    const limitRaw = gobj['limit'];
    const limit = typeof limitRaw === 'number' && Number.isInteger(limitRaw) ? limitRaw : 0;
    if (limitRaw !== undefined && limitRaw !== null && limit !== limitRaw) errors.push(`${at([...path, 'limit'])} group "${name}": field 'limit' must be an integer`);
    const groupLabels = stringMap(gobj['labels'], [...path, 'labels'], `group "${name}"`, 'label', y, file, errors);
    const group: RuleGroup = {
      name,
      intervalMs: dur('interval'),
      limit,
      queryOffsetMs: dur('query_offset'),
      labels: groupLabels,
      rules: [],
      line: y.positionOf(path)?.line ?? 0,
    };
    const rawRules = gobj['rules'] ?? [];
    (Array.isArray(rawRules) ? rawRules : []).forEach((r, ri) => {
      const rule = validateRule(r as Obj, [...path, 'rules', ri], name, ri + 1, y, file, checkExpr, errors);
      if (rule !== null) group.rules.push(rule);
      ruleCount++;
    });
    groups.push(group);
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { file, groups }, ruleCount };
}

function validateRule(r: Obj, path: YamlPath, group: string, index: number, y: PositionedYaml, file: string, checkExpr: CheckExpr, errors: string[]): Rule | null {
  const record = r['record'] === undefined || r['record'] === null ? null : str(r['record']);
  const alert = r['alert'] === undefined || r['alert'] === null ? null : str(r['alert']);
  const name = alert ?? record ?? ''; // Prometheus names a rule by its alert when both are set
  const pos = (field: string): string => formatPosition(y.positionOf([...path, field]));
  const before = errors.length;
  const fail = (positions: string, msg: string): void => {
    errors.push(`${file}: ${positions}${positions === '' ? '' : ' '}group "${group}", rule ${index}, "${name}": ${msg}`);
  };
  const ctx = `group "${group}", rule ${index}, "${name}"`;
  if (record !== null && alert !== null) fail(`${pos('record')}: ${pos('alert')}:`, `only one of 'record' and 'alert' must be set`);
  if (record === null && alert === null) fail(`${formatPosition(y.positionOf(path))}:`, `one of 'record' or 'alert' must be set`);
  const expr = r['expr'] === undefined || r['expr'] === null ? '' : str(r['expr']);
  if (expr === '') fail(`${pos('expr')}:`, `field 'expr' must be set in rule`);
  else {
    const err = checkExpr(expr);
    if (err !== null) fail(`${pos('expr')}:`, `could not parse expression: ${err}`);
  }
  if (record !== null && alert === null) {
    if (r['annotations'] !== undefined && r['annotations'] !== null) fail(`${pos('annotations')}:`, `invalid field 'annotations' in recording rule`);
    if (r['for'] !== undefined && r['for'] !== null) fail(`${pos('for')}:`, `invalid field 'for' in recording rule`);
    if (r['keep_firing_for'] !== undefined && r['keep_firing_for'] !== null) fail(`${pos('keep_firing_for')}:`, `invalid field 'keep_firing_for' in recording rule`);
    if (!metricNameRe.test(record)) fail(`${pos('record')}:`, `invalid recording rule name: ${record}`);
  }
  const labels = stringMap(r['labels'], [...path, 'labels'], ctx, 'label', y, file, errors);
  const annotations = stringMap(r['annotations'], [...path, 'annotations'], ctx, 'annotation', y, file, errors);
  // Templates are checked when the file is loaded, as Prometheus does, so a typo fails early.
  if (alert !== null) {
    for (const [kind, map] of [['label', labels], ['annotation', annotations]] as const) {
      for (const [k, v] of Object.entries(map)) {
        const t = parseTemplate(v, `__alert_${alert}`);
        if (!t.ok) fail('', `${kind} "${k}": template: ${t.error}`);
      }
    }
  }
  const dur = (field: string): number => {
    const v = r[field];
    if (v === undefined || v === null) return 0;
    try {
      return parseDuration(String(v));
    } catch (e) {
      fail(`${pos(field)}:`, `field '${field}': ${(e as Error).message}`);
      return 0;
    }
  };
  const forMs = alert !== null ? dur('for') : 0;
  const keepFiringForMs = alert !== null ? dur('keep_firing_for') : 0;
  if (errors.length > before) return null;
  const line = y.positionOf(path)?.line ?? 0;
  if (record !== null) return { kind: 'record', record, expr, labels, line };
  return { kind: 'alert', alert: alert ?? '', expr, forMs, keepFiringForMs, labels, annotations, line };
}

function stringMap(v: unknown, path: YamlPath, ctx: string, kind: 'label' | 'annotation', y: PositionedYaml, file: string, errors: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === undefined || v === null) return out;
  if (!isObj(v)) {
    errors.push(`${file}: ${formatPosition(y.positionOf(path))}: ${ctx}: ${kind}s must be a map of strings`);
    return out;
  }
  for (const [k, val] of Object.entries(v)) {
    // A rule may not set the metric name through its labels (Prometheus' rulefmt rule).
    if (!labelNameRe.test(k) || (kind === 'label' && k === '__name__')) errors.push(`${file}: ${ctx}: invalid ${kind} name: ${k}`);
    out[k] = str(val);
  }
  return out;
}

function unknownFields(o: Obj, allowed: Set<string>, path: YamlPath, type: string, y: PositionedYaml, out: string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) out.push(`  line ${line(y, [...path, k], true)}: field ${k} not found in type ${type}`);
  }
}

function line(y: PositionedYaml, path: YamlPath, key = false): number {
  return (key ? y.keyPositionOf(path) : y.positionOf(path))?.line ?? 0;
}

function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
