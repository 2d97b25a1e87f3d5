/**
 * Loads every query of the shared conformance material: the `eval` lines of the Prometheus
 * test scripts (with their `expect fail` lines) and the compliance tester's query templates,
 * expanded over the tester's variant values.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** Beside the checkout, as CI lays it out (README, "Tests and benchmarks"); not part of the repository. */
const conformanceRoot = resolve(import.meta.dirname, '../../../../shared/conformance');

export interface CorpusQuery {
  readonly query: string;
  /** file:line for failure messages. */
  readonly where: string;
  readonly expectFail: boolean;
  /** Exact message of `expect fail msg:` / `expected_fail_message`, if any. */
  readonly failMsg: string | null;
  readonly failRegex: string | null;
}

const evalRe = /^(eval(?:_fail|_warn|_info|_ordered)?)\s+(?:instant\s+at\s+\S+|range\s+from\s+\S+\s+to\s+\S+\s+step\s+\S+)\s+(.*)$/i;

function material(name: string): string {
  const dir = join(conformanceRoot, name);
  if (!existsSync(dir)) throw new Error(`Prometheus' conformance material is missing at ${dir}: it is read from ../shared beside the checkout`);
  return dir;
}

export function scriptQueries(): CorpusQuery[] {
  const dir = material('promql-testdata');
  const out: CorpusQuery[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test')).sort()) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    lines.forEach((raw, i) => {
      const m = evalRe.exec(raw.trim());
      if (m === null) return;
      let expectFail = (m[1] ?? '').toLowerCase() === 'eval_fail';
      let failMsg: string | null = null;
      let failRegex: string | null = null;
      for (let j = i + 1; j < lines.length; j++) {
        const next = (lines[j] ?? '').trim();
        if (next === '' || next.startsWith('#') || /^(eval|load|clear)/i.test(next)) break;
        const fail = /^expect\s+fail(?:\s+(msg|regex)\s*:\s*(.*))?$/.exec(next);
        if (fail !== null) {
          expectFail = true;
          if (fail[1] === 'msg') failMsg = (fail[2] ?? '').trim();
          if (fail[1] === 'regex') failRegex = (fail[2] ?? '').trim();
        }
        const old = /^expected_fail_(message|regexp)\s+(.*)$/.exec(next);
        if (old !== null) {
          if (old[1] === 'message') failMsg = (old[2] ?? '').trim();
          else failRegex = (old[2] ?? '').trim();
        }
      }
      out.push({ query: (m[2] ?? '').trim(), where: `${file}:${i + 1}`, expectFail, failMsg, failRegex });
    });
  }
  return out;
}

/** Variant values of the compliance tester (prometheus/compliance promql/config). */
const variants: Readonly<Record<string, readonly string[]>> = {
  range: ['1s', '15s', '1m', '5m', '15m', '1h'],
  offset: ['1m', '5m', '10m'],
  simpleTimeAggrOp: ['sum', 'avg', 'max', 'min', 'count', 'stddev', 'stdvar', 'absent', 'last', 'present'],
  simpleAggrOp: ['sum', 'avg', 'max', 'min', 'count', 'stddev', 'stdvar'],
  topBottomOp: ['topk', 'bottomk'],
  quantile: ['-0.5', '0.1', '0.5', '0.75', '0.95', '0.90', '0.99', '1', '1.5'],
  arithBinOp: ['+', '-', '*', '/', '%', '^'],
  compBinOp: ['==', '!=', '<', '>', '<=', '>='],
  binOp: ['+', '-', '*', '/', '%', '^', '==', '!=', '<', '>', '<=', '>='],
  simpleMathFunc: ['abs', 'ceil', 'floor', 'exp', 'sqrt', 'ln', 'log2', 'log10', 'round'],
  extrapolatedRateFunc: ['delta', 'rate', 'increase'],
  clampFunc: ['clamp_min', 'clamp_max'],
  instantRateFunc: ['idelta', 'irate'],
  dateFunc: ['day_of_month', 'day_of_week', 'days_in_month', 'hour', 'minute', 'month', 'year'],
};

function expand(template: string): string[] {
  const m = /\{\{\.(\w+)\}\}/.exec(template);
  if (m === null) return [template];
  const name = m[1] ?? '';
  const values = variants[name];
  if (values === undefined) throw new Error(`compliance template uses unknown variant ${name}: ${template}`);
  return values.flatMap((v) => expand(template.split(m[0]).join(v)));
}

export function complianceQueries(): CorpusQuery[] {
  const dir = material('compliance-queries');
  const out: CorpusQuery[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yml')).sort()) {
    const doc = parseYaml(readFileSync(join(dir, file), 'utf8')) as { test_cases?: { query: string; should_fail?: boolean }[] } | null;
    (doc?.test_cases ?? []).forEach((tc, i) => {
      for (const q of expand(tc.query)) {
        out.push({ query: q, where: `${file}#${i}`, expectFail: tc.should_fail === true, failMsg: null, failRegex: null });
      }
    });
  }
  return out;
}

/** Features this parser deliberately rejects; queries using them are skipped with the reason (none today). */
const unsupportedFeatures: readonly { readonly reason: string; readonly re: RegExp }[] = [];

export function unsupportedReason(query: string): string | null {
  // Strings may hold anything ("[a-z]+", "offset"); look only at the query's structure.
  const q = query.replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`/g, '""');
  const hit = unsupportedFeatures.find((f) => f.re.test(q))?.reason;
  return hit ?? null;
}
