/**
 * `vigil test rules`: runs promtool's rule unit-test files with promtool's semantics
 * (cmd/promtool/unittest.go): input series loaded at their interval from time 0, rule groups
 * evaluated every `evaluation_interval` up to the last `eval_time`, firing alerts compared at each
 * `alert_rule_test` time, `promql_expr_test` queries run afterwards over the same storage.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { formatDuration } from '../../app/dialect/duration.js';
import { parseExpr } from '../../app/promql/parser.js';
import { PromQLEngine } from '../promql/engine.js';
import { histogramsMatch, histogramText } from '../promql/histogram.js';
import type { NativeHistogram } from '../tsdb/interface.js';
import { configuredFiles } from '../util/glob.js';
import { MemoryStorage } from '../tsdb/memory-storage.js';
import { compareLabels, labelsFromRecord, labelsKey, labelsToRecord, type Labels } from '../tsdb/labels.js';
import { AlertingRule } from './alerting-rule.js';
import { RecordingRule } from './recording-rule.js';
import { RuleGroup, type Rule } from './group.js';
import { parseRuleFile } from './rulefile.js';
import { ruleTemplateExpander } from './template.js';
import { parseRuleTestFile, type RuleTestGroup } from './unittest-file.js';
import type { QueryFn, RuleSample } from './types.js';

export interface TestFileResult {
  file: string;
  ok: boolean;
  /** promtool-style report: `Unit Testing:  FILE` then SUCCESS or FAILED with each difference. */
  report: string;
}

/** promtool resolves rule_files relative to the test file, then globs them (Go's filepath.Glob). */
function ruleFilesOf(testFile: string, patterns: readonly string[]): string[] {
  return patterns.flatMap((p) => configuredFiles(isAbsolute(p) ? p : join(dirname(testFile), p)));
}

function fmtLabels(labels: Record<string, string>): string {
  return '{' + Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ') + '}';
}

interface LabelsAndAnnotations {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function sortAlerts(list: LabelsAndAnnotations[]): LabelsAndAnnotations[] {
  return [...list].sort((a, b) => compareLabels(labelsFromRecord(a.labels), labelsFromRecord(b.labels)) || compareLabels(labelsFromRecord(a.annotations), labelsFromRecord(b.annotations)));
}

function alertsString(list: LabelsAndAnnotations[], indent: string): string {
  if (list.length === 0) return '[]';
  return '[\n' + list.map((a, i) => `${indent}${i}:\n${indent}  Labels:${fmtLabels(a.labels)}\n${indent}  Annotations:${fmtLabels(a.annotations)}`).join('\n') + '\n' + indent + ']';
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).filter((k) => a[k] !== '');
  const kb = Object.keys(b).filter((k) => b[k] !== '');
  return ka.length === kb.length && ka.every((k) => a[k] === b[k]);
}

function sameFloat(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

export async function runRuleTestFile(file: string): Promise<TestFileResult> {
  const header = `Unit Testing:  ${file}\n`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { file, ok: false, report: `${header}  FAILED:\n    ${(err as Error).message}\n` };
  }
  const parsed = parseRuleTestFile(file, text);
  if (!parsed.ok) return { file, ok: false, report: `${header}  FAILED:\n${parsed.errors.map((e) => `    ${e}`).join('\n')}\n` };
  const spec = parsed.value;
  let ruleFiles: string[];
  try {
    ruleFiles = ruleFilesOf(file, spec.ruleFiles);
  } catch (err) {
    return { file, ok: false, report: `${header}  FAILED:\n    rule_files: ${(err as Error).message}\n` };
  }
  const errors: string[] = [];
  for (const group of spec.tests) {
    try {
      errors.push(...(await runGroup(group, ruleFiles, spec.evaluationIntervalMs, spec.groupEvalOrder)));
    } catch (err) {
      errors.push(`    ${(err as Error).message}`);
    }
  }
  if (errors.length === 0) return { file, ok: true, report: `${header}  SUCCESS\n` };
  return { file, ok: false, report: `${header}  FAILED:\n${errors.join('\n')}\n` };
}

function loadGroups(files: string[], intervalMs: number, order: string[]): RuleGroup[] {
  const groups: RuleGroup[] = [];
  for (const f of files) {
    const r = parseRuleFile(f, readFileSync(f, 'utf8'));
    if (!r.ok) throw new Error(r.errors.join('\n    '));
    for (const g of r.value.groups) {
      const rules: Rule[] = g.rules.map((x) =>
        x.kind === 'alert'
          ? new AlertingRule({ name: x.alert, expr: x.expr, forMs: x.forMs, keepFiringForMs: x.keepFiringForMs, labels: { ...g.labels, ...x.labels }, annotations: x.annotations })
          : new RecordingRule({ record: x.record, expr: x.expr, labels: { ...g.labels, ...x.labels } }),
      );
      groups.push(new RuleGroup({ name: g.name, file: f, intervalMs: g.intervalMs ?? intervalMs, limit: g.limit, queryOffsetMs: g.queryOffsetMs ?? 0, rules }));
    }
  }
  if (order.length === 0) return groups;
  // group_eval_order as promtool 2.42: a repeated name fails the file; names of no group are ignored.
  const repeated = order.find((n, i) => order.indexOf(n) !== i);
  if (repeated !== undefined) throw new Error(`group name repeated in evaluation order: ${repeated}`);
  const byName = new Map(groups.map((g) => [g.name, g]));
  const listed = order.filter((n) => byName.has(n));
  return [...listed.map((n) => byName.get(n)!), ...groups.filter((g) => !order.includes(g.name))];
}

async function runGroup(tg: RuleTestGroup, ruleFiles: string[], evalIntervalMs: number, order: string[]): Promise<string[]> {
  const storage = new MemoryStorage();
  for (const s of tg.inputSeries) {
    s.values.forEach((v, i) => {
      if (v.omitted) return;
      if (v.histogram !== undefined) storage.addHistogram(s.labels, i * tg.intervalMs, v.histogram);
      else storage.add(s.labels, i * tg.intervalMs, v.value);
    });
  }
  const engine = new PromQLEngine({ parse: (q) => parseExpr(q) });
  /** An instant query's samples, native histograms included (promql_expr_test compares those). */
  const evaluate = async (expr: string, ts: number): Promise<Array<RuleSample & { h?: NativeHistogram }>> => {
    const r = await engine.instantQuery(storage, expr, ts);
    if (r.result.type === 'vector') return r.result.samples.map((s) => ({ labels: s.labels, value: s.v, ...(s.h !== undefined ? { h: s.h } : {}) }));
    if (r.result.type === 'scalar') return [{ labels: [] as Labels, value: r.result.v }];
    throw new Error(`rule expression must return a vector or scalar, got ${r.result.type}`);
  };
  const query: QueryFn = (expr, ts) => evaluate(expr, ts);
  const expand = ruleTemplateExpander({
    query: async (q: string) => (await query(q, currentTs)).map((s: RuleSample) => ({ Labels: labelsToRecord(s.labels), Value: s.value })),
  });
  let currentTs = 0;
  const groups = loadGroups(ruleFiles, evalIntervalMs, order);
  const prefix = tg.name !== '' ? `    name: ${tg.name},\n` : '';
  const errs: string[] = [];

  const alertTimes = [...new Set(tg.alertRuleTests.map((a) => a.evalTimeMs))].sort((a, b) => a - b);
  const maxT = Math.max(0, ...tg.alertRuleTests.map((a) => a.evalTimeMs), ...tg.promqlExprTests.map((e) => e.evalTimeMs));
  let curr = 0;
  for (let ts = 0; ts <= maxT; ts += evalIntervalMs) {
    currentTs = ts;
    for (const g of groups) {
      await g.evalAt(ts, {
        ctx: { query, expand, externalLabels: tg.externalLabels, externalURL: tg.externalURL },
        storage,
      });
    }
    while (curr < alertTimes.length && ts <= alertTimes[curr]! && alertTimes[curr]! < ts + evalIntervalMs) {
      const t = alertTimes[curr]!;
      for (const tc of tg.alertRuleTests.filter((a) => a.evalTimeMs === t)) {
        const got: LabelsAndAnnotations[] = [];
        for (const g of groups) {
          for (const r of g.spec.rules) {
            if (!(r instanceof AlertingRule) || r.name !== tc.alertname) continue;
            for (const a of r.active.values()) if (a.state === 'firing') got.push({ labels: labelsToRecord(a.labels), annotations: { ...a.annotations } });
          }
        }
        const exp = tc.expAlerts.map((a) => ({ labels: { ...a.labels, alertname: tc.alertname }, annotations: a.annotations }));
        const gs = sortAlerts(got);
        const es = sortAlerts(exp);
        const equal = gs.length === es.length && gs.every((a, i) => sameRecord(a.labels, es[i]!.labels) && sameRecord(a.annotations, es[i]!.annotations));
        if (!equal) {
          errs.push(`${prefix}    alertname: ${tc.alertname}, time: ${formatDuration(t)}, \n        exp:${alertsString(es, '            ')}, \n        got:${alertsString(gs, '            ')}`);
        }
      }
      curr++;
    }
  }

  for (const tc of tg.promqlExprTests) {
    let got: Array<RuleSample & { h?: NativeHistogram }>;
    try {
      got = await evaluate(tc.expr, tc.evalTimeMs);
    } catch (err) {
      errs.push(`    expr: ${JSON.stringify(tc.expr)}, time: ${formatDuration(tc.evalTimeMs)}, err: ${(err as Error).message}`);
      continue;
    }
    const gotS = got.map((s) => ({ labels: s.labels, value: s.value, h: s.h })).sort((a, b) => compareLabels(a.labels, b.labels));
    const expS = tc.expSamples.map((s) => ({ labels: s.labels, value: s.value, h: s.histogram })).sort((a, b) => compareLabels(a.labels, b.labels));
    const sameValue = (g: (typeof gotS)[number], e: (typeof expS)[number]): boolean =>
      g.h === undefined && e.h === undefined ? sameFloat(g.value, e.value) : g.h !== undefined && e.h !== undefined && histogramsMatch(e.h, g.h, sameFloat);
    const equal = gotS.length === expS.length && gotS.every((g, i) => labelsKey(g.labels) === labelsKey(expS[i]!.labels) && sameValue(g, expS[i]!));
    if (!equal) {
      const fmt = (xs: typeof gotS) => '[' + xs.map((x) => `${fmtLabels(labelsToRecord(x.labels))} ${x.h !== undefined ? histogramText(x.h) : x.value}`).join(', ') + ']';
      errs.push(`    expr: ${JSON.stringify(tc.expr)}, time: ${formatDuration(tc.evalTimeMs)},\n        exp: ${fmt(expS)}\n        got: ${fmt(gotS)}`);
    }
  }
  return errs;
}
