/**
 * Parser for Prometheus' promqltest script language (format summary in
 * ../shared/conformance/FORMAT.md). Produces commands with their 1-based line numbers; it never
 * evaluates anything.
 */
import { compileRegex, type GoRegex } from '../../../app/dialect/regex.js';
import { parseDuration } from '../../../app/dialect/duration.js';
import type { Labels } from '../../tsdb/labels.js';
import { expandSeriesValues, parseSeriesLine, type SequenceValue, type SeriesLine } from '../series-notation.js';

export interface LoadCmd {
  readonly type: 'load';
  readonly line: number;
  readonly interval: number;
  readonly withNhcb: boolean;
  readonly series: SeriesLine[];
  /** Series that carry start timestamps (`@st` lines), which we do not store. */
  readonly startTimestampSeries: Labels[];
}

interface ClearCmd {
  readonly type: 'clear';
  readonly line: number;
}

export interface ExpectedSeries {
  readonly labels: Labels;
  readonly values: SequenceValue[];
  /** 1-based position in the listing, for ordered checks. */
  readonly pos: number;
}

interface AnnotationExpect {
  readonly kind: 'warn' | 'info';
  readonly msg?: string;
  readonly regex?: GoRegex;
}

export interface EvalCmd {
  readonly type: 'eval';
  readonly line: number;
  readonly expr: string;
  readonly range: { start: number; end: number; step: number } | null;
  readonly at: number;
  fail: boolean;
  failMsg?: string;
  failRegex?: GoRegex;
  ordered: boolean;
  expectWarn: boolean;
  expectInfo: boolean;
  noWarn: boolean;
  noInfo: boolean;
  readonly annotations: AnnotationExpect[];
  readonly expected: ExpectedSeries[];
  expectedScalar: number | null;
  expectedString: string | null;
  rangeVector: { start: number; end: number; step: number } | null;
}

export type Command = LoadCmd | ClearCmd | EvalCmd;

class ScriptSyntaxError extends Error {}

const patLoad = /^load(?:_(with_nhcb))?\s+(.+?)$/i;
const patEvalInstant = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/i;
const patEvalRange = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/i;
const patExpect = /^expect\s+(ordered|fail|warn|no_warn|info|no_info|range vector)(?:\s+(regex|msg):(.+))?$/;
const patRangeVector = /^expect range vector from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$/;

/** Durations in scripts may be negative (`at -1m`) or plain numbers of seconds. */
export function parseScriptDuration(text: string): number {
  const t = text.trim();
  if (t.startsWith('-')) return -parseScriptDuration(t.slice(1));
  if (/^\d+(\.\d+)?$/.test(t) && t !== '0') return Math.round(Number(t) * 1000);
  return parseDuration(t);
}

function lines(input: string): string[] {
  return input.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
}

export function parseScript(input: string): Command[] {
  const ls = lines(input);
  const cmds: Command[] = [];
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (l === '') continue;
    const word = l.split(/[\t ]+/, 1)[0]!.toLowerCase();
    const raise = (msg: string): never => {
      throw new ScriptSyntaxError(`line ${i + 1}: ${msg}`);
    };
    if (word === 'clear') {
      cmds.push({ type: 'clear', line: i + 1 });
    } else if (word.startsWith('load')) {
      const m = patLoad.exec(l) ?? raise(`invalid load command ${JSON.stringify(l)}`);
      const cmd: LoadCmd = { type: 'load', line: i + 1, interval: parseScriptDuration(m[2]!), withNhcb: m[1] !== undefined, series: [], startTimestampSeries: [] };
      while (i + 1 < ls.length && ls[i + 1] !== '') {
        i++;
        const def = ls[i]!;
        const st = /^(.*?)@st\s+(.*)$/.exec(def);
        if (st) {
          cmd.startTimestampSeries.push(parseSeriesLine(`${st[1]!} 0`).labels);
          continue;
        }
        try {
          cmd.series.push(parseSeriesLine(def));
        } catch (e) {
          raise((e as Error).message);
        }
      }
      cmds.push(cmd);
    } else if (word.startsWith('eval')) {
      cmds.push(parseEval(ls, i, raise));
      const last = cmds[cmds.length - 1] as EvalCmd;
      i = last.line - 1;
      while (i + 1 < ls.length && ls[i + 1] !== '') i++;
    } else {
      raise(`invalid command ${JSON.stringify(l)}`);
    }
  }
  return cmds;
}

function parseEval(ls: string[], i: number, raise: (msg: string) => never): EvalCmd {
  const l = ls[i]!;
  let cmd: EvalCmd;
  const base = {
    type: 'eval' as const,
    line: i + 1,
    ordered: false,
    expectWarn: false,
    expectInfo: false,
    noWarn: false,
    noInfo: false,
    annotations: [],
    expected: [],
    expectedScalar: null,
    expectedString: null,
    rangeVector: null,
  };
  const mr = patEvalRange.exec(l);
  const mi = mr ? null : patEvalInstant.exec(l);
  if (mr) {
    cmd = {
      ...base,
      expr: mr[5]!,
      at: 0,
      range: { start: parseScriptDuration(mr[2]!), end: parseScriptDuration(mr[3]!), step: parseScriptDuration(mr[4]!) },
      fail: mr[1] === 'fail',
    };
    if (mr[1] === 'warn') cmd.expectWarn = true;
    if (mr[1] === 'info') cmd.expectInfo = true;
  } else if (mi) {
    cmd = { ...base, expr: mi[3]!, at: mi[2] === undefined ? 0 : parseScriptDuration(mi[2]), range: null, fail: mi[1] === 'fail' };
    if (mi[1] === 'warn') cmd.expectWarn = true;
    if (mi[1] === 'info') cmd.expectInfo = true;
    if (mi[1] === 'ordered') cmd.ordered = true;
  } else {
    return raise(`invalid evaluation command ${JSON.stringify(l)}`);
  }

  while (i + 1 < ls.length && ls[i + 1] !== '') {
    i++;

    const def = ls[i]!;
    if (cmd.fail && def.startsWith('expected_fail_message')) {
      cmd.failMsg = def.slice('expected_fail_message'.length).trim();
      break;
    }
    if (cmd.fail && def.startsWith('expected_fail_regexp')) {
      cmd.failRegex = compileRegex(def.slice('expected_fail_regexp'.length).trim(), 'unanchored');
      break;
    }
    if (def.startsWith('expect string')) {
      const lit = def.slice('expect string'.length).trim();
      cmd.expectedString = lit.startsWith('"') ? (JSON.parse(lit) as string) : lit.replace(/^`|`$/g, '');
      break;
    }
    const rv = patRangeVector.exec(def);
    if (rv) {
      cmd.rangeVector = { start: parseScriptDuration(rv[1]!), end: parseScriptDuration(rv[2]!), step: parseScriptDuration(rv[3]!) };
      continue;
    }
    if (def.startsWith('expect')) {
      const m = patExpect.exec(def) ?? raise(`invalid expect line ${JSON.stringify(def)}`);
      const kind = m[1]!;
      const text = m[3]?.trim();
      if (kind === 'fail') {
        cmd.fail = true;
        if (m[2] === 'msg') cmd.failMsg = text;
        if (m[2] === 'regex') cmd.failRegex = compileRegex(text ?? '', 'unanchored');
      } else if (kind === 'ordered') cmd.ordered = true;
      else if (kind === 'no_warn') cmd.noWarn = true;
      else if (kind === 'no_info') cmd.noInfo = true;
      else if (kind === 'warn' || kind === 'info') {
        if (kind === 'warn') cmd.expectWarn = true;
        else cmd.expectInfo = true;
        if (m[2] === 'msg') cmd.annotations.push({ kind, msg: text ?? '' });
        if (m[2] === 'regex') cmd.annotations.push({ kind, regex: compileRegex(text ?? '', 'unanchored') });
      }
      continue;
    }
    if (/^[+-]?(\d|\.\d|Inf|NaN|inf|nan)/.test(def) && !/[{\s]/.test(def.replace(/\s+$/, ''))) {
      const v = expandSeriesValues(def);
      if (v.length === 1) {
        cmd.expectedScalar = v[0]!.value;
        break;
      }
    }
    try {
      const s = parseSeriesLine(def);
      cmd.expected.push({ labels: s.labels, values: s.values, pos: cmd.expected.length + 1 });
    } catch (e) {
      raise((e as Error).message);
    }
  }
  return cmd;
}
