/**
 * One byte-level scanner for both formats; `om` switches on OpenMetrics' stricter rules (single
 * spaces, no blank lines or free comments, `# UNIT`, exemplars, seconds timestamps, a required
 * `# EOF`). `next()` validates a whole line without building strings; `labels()` decodes the
 * label block only when the scrape cache missed. No recursion, no allocation beyond the entry.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import type { Label, Labels } from '../../tsdb/labels.js';
import { ExpositionParseError } from './errors.js';
import { parseFloatBytes, parseIntBytes } from './number.js';
import type { EntryKind, MetricTypeName, TextParser } from './parser.js';

const NL = 0x0a;
const SP = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const EQ = 0x3d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const BSL = 0x5c;

// Character classes as lookup tables: one load per byte on the hot path.
const metricNameStart = new Uint8Array(256);
const metricNameChar = new Uint8Array(256);
const labelNameStart = new Uint8Array(256);
const labelNameChar = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
  const digit = c >= 0x30 && c <= 0x39;
  labelNameStart[c] = alpha ? 1 : 0;
  labelNameChar[c] = alpha || digit ? 1 : 0;
  metricNameStart[c] = alpha || c === 0x3a ? 1 : 0;
  metricNameChar[c] = alpha || digit || c === 0x3a ? 1 : 0;
}

const textTypes: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const omTypes: ReadonlySet<string> = new Set([
  'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown',
]);

/** Escapes: label values (both formats) and OpenMetrics HELP know `\"`; text HELP does not. */
const valueEscapes: ReadonlyMap<number, string> = new Map([
  [BSL, '\\'],
  [0x6e, '\n'],
  [QUOTE, '"'],
]);
const textHelpEscapes: ReadonlyMap<number, string> = new Map([
  [BSL, '\\'],
  [0x6e, '\n'],
]);

const maxTokenShown = 40;

/**
 * Buffer#toString('latin1', s, e) minus its argument checks, which cost as much as the copy for
 * an 80-byte series id. `latin1Slice` is what toString calls; fall back if a runtime lacks it.
 */
type FastBuffer = Buffer & { latin1Slice?: (start: number, end: number) => string };
const latin1: (buf: Buffer, s: number, e: number) => string =
  typeof (Buffer.prototype as FastBuffer).latin1Slice === 'function'
    ? (buf, s, e) => (buf as FastBuffer).latin1Slice!(s, e)
    : (buf, s, e) => buf.toString('latin1', s, e);

export class ExpositionScanner implements TextParser {
  private readonly buf: Buffer;
  private readonly len: number;
  private pos = 0;
  private curLine = 0;
  private nextLine = 1;
  private done = false;
  private sawEOF = false;
  private kind: EntryKind = 'eof';
  // Current series: byte offsets into buf.
  private idStart = 0;
  private nameEnd = 0;
  private idEnd = 0;
  private val = 0;
  private ts: number | null = null;
  private lset: Labels | null = null;
  /** OpenMetrics exemplar of the current sample: offset of its `{`, or -1 when none. */
  private exStart = -1;
  private exValue = 0;
  private exTs: number | null = null;
  // Current metadata entry.
  private metaName = '';
  private metaText = '';

  constructor(
    body: Uint8Array,
    private readonly om: boolean,
  ) {
    this.buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    this.len = this.buf.length;
  }

  next(): EntryKind {
    if (this.done) return 'eof';
    const buf = this.buf;
    for (;;) {
      this.lset = null;
      this.exStart = -1;
      if (this.pos >= this.len) {
        if (this.om && !this.sawEOF) throw this.fail('data does not end with "# EOF"', this.nextLine);
        this.done = true;
        return (this.kind = 'eof');
      }
      this.curLine = this.nextLine;
      if (this.sawEOF) throw this.fail('unexpected data after "# EOF"');
      if (!this.om) this.skipBlanks();
      const c = buf[this.pos];
      if (c === NL || this.pos >= this.len) {
        if (this.om) throw this.fail('unexpected empty line');
        this.endLine();
        continue;
      }
      if (c === HASH) {
        this.kind = this.om ? this.readOpenMetricsMeta() : this.readTextComment();
        if (this.kind === 'eof') continue; // `# EOF`: loop to check nothing follows
        return this.kind;
      }
      this.readSeries();
      return (this.kind = 'series');
    }
  }

  seriesId(): string {
    return latin1(this.buf, this.idStart, this.idEnd);
  }
  get body(): Uint8Array {
    return this.buf;
  }
  seriesIdStart(): number {
    return this.idStart;
  }
  seriesIdEnd(): number {
    return this.idEnd;
  }
  value(): number {
    return this.val;
  }
  timestamp(): number | null {
    return this.ts;
  }
  metricName(): string {
    return this.buf.toString('latin1', this.idStart, this.nameEnd);
  }
  metricType(): { name: string; type: MetricTypeName } {
    return { name: this.metaName, type: this.metaText as MetricTypeName };
  }
  help(): { name: string; text: string } {
    return { name: this.metaName, text: this.metaText };
  }
  unit(): { name: string; unit: string } {
    return { name: this.metaName, unit: this.metaText };
  }
  comment(): string {
    return this.metaText;
  }
  line(): number {
    return this.curLine;
  }

  /** Decodes a validated label block starting at its `{` into `out` (empty values left out). */
  private readBlock(p: number, out: Label[]): void {
    const buf = this.buf;
    p++;
    for (;;) {
      while (buf[p] === SP || buf[p] === TAB || buf[p] === COMMA) p++;
      if (buf[p] === RBRACE) break;
      const ns = p;
      while (labelNameChar[buf[p]!] === 1) p++;
      const name = buf.toString('latin1', ns, p);
      while (buf[p] !== QUOTE) p++;
      const vs = ++p;
      let escaped = false;
      let high = 0;
      while (buf[p] !== QUOTE) {
        if (buf[p] === BSL) {
          escaped = true;
          p++;
        }
        high |= buf[p]!;
        p++;
      }
      // As Prometheus: a value that is not UTF-8 fails the scrape (decoding would store U+FFFD).
      if (high >= 0x80 && !isUtf8(buf.subarray(vs, p))) throw this.fail('invalid UTF-8 label value');
      const value = escaped ? this.unescape(vs, p, valueEscapes) : buf.toString('utf8', vs, p);
      p++;
      if (value !== '') out.push({ name, value });
    }
  }

  /** For an OpenMetrics 'series' with an exemplar: its labels, value and timestamp (ms, null when absent). */
  exemplar(): { labels: Labels; value: number; ts: number | null } | null {
    if (this.exStart < 0) return null;
    const labels: Label[] = [];
    this.readBlock(this.exStart, labels);
    labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { labels, value: this.exValue, ts: this.exTs };
  }

  labels(): Labels {
    if (this.lset !== null) return this.lset;
    const buf = this.buf;
    const out: Label[] = [{ name: '__name__', value: this.metricName() }];
    let p = this.nameEnd;
    while (buf[p] === SP || buf[p] === TAB) p++;
    if (p < this.idEnd && buf[p] === LBRACE) this.readBlock(p, out);
    // Insertion sort: label sets are short and often nearly sorted.
    for (let i = 1; i < out.length; i++) {
      const l = out[i]!;
      let j = i - 1;
      while (j >= 0 && out[j]!.name > l.name) {
        out[j + 1] = out[j]!;
        j--;
      }
      out[j + 1] = l;
    }
    for (let i = 1; i < out.length; i++) {
      if (out[i]!.name === out[i - 1]!.name) throw this.fail(`duplicate label name "${out[i]!.name}"`);
    }
    return (this.lset = out);
  }

  // ------------------------------------------------------------------------------------------

  private readSeries(): void {
    const buf = this.buf;
    let p = this.pos;
    this.idStart = p;
    if (metricNameStart[buf[p]!] !== 1) throw this.fail(`expected metric name, got ${this.token()}`);
    p++;
    while (metricNameChar[buf[p]!] === 1) p++;
    this.pos = this.nameEnd = p;
    if (!this.om) {
      let p = this.pos;
      while (buf[p] === SP || buf[p] === TAB) p++;
      if (buf[p] === LBRACE) this.pos = p;
    }
    if (buf[this.pos] === LBRACE) this.scanLabelBlock();
    this.idEnd = this.pos;
    this.expectSeparator('value');
    this.val = this.readValue('value');
    this.ts = null;
    if (this.om) {
      if (buf[this.pos] === SP && buf[this.pos + 1] !== HASH) {
        this.pos++;
        const ts = this.readValue('timestamp');
        if (!Number.isFinite(ts)) throw this.fail('invalid timestamp');
        this.ts = Math.trunc(ts * 1000); // as Prometheus: int64(seconds * 1000)
      }
      if (buf[this.pos] === SP && buf[this.pos + 1] === HASH) this.scanExemplar();
    } else {
      this.skipBlanks();
      if (this.pos < this.len && buf[this.pos] !== NL) {
        const s = this.pos;
        this.pos = this.tokenEnd(s);
        const ts = parseIntBytes(buf, s, this.pos);
        if (ts === undefined) throw this.fail(`invalid timestamp ${this.quote(s, this.pos)}`);
        this.ts = ts;
        this.skipBlanks();
      }
    }
    this.expectEndOfLine(this.ts === null ? 'value' : 'timestamp');
  }

  /** Validates `{name="value",...}` at pos without building strings; pos ends after `}`. */
  private scanLabelBlock(): void {
    // Locals, not this.pos, inside the byte loops: this is the hottest code of a scrape.
    const buf = this.buf;
    const len = this.len;
    const text = !this.om;
    let p = this.pos + 1;
    let c = 0;
    for (;;) {
      if (text) while (buf[p] === SP || buf[p] === TAB) p++;
      c = buf[p]!;
      if (c === RBRACE) break;
      if (labelNameStart[c] !== 1) return this.failAt(p, 'expected label name, got ');
      p++;
      while (labelNameChar[buf[p]!] === 1) p++;
      if (text) while (buf[p] === SP || buf[p] === TAB) p++;
      if (buf[p] !== EQ) return this.failAt(p, 'expected equal, got ');
      p++;
      if (text) while (buf[p] === SP || buf[p] === TAB) p++;
      if (buf[p] !== QUOTE) return this.failAt(p, 'expected label value, got ');
      p++;
      for (;;) {
        if (p >= len) return this.failAt(p, 'unterminated label value, got ');
        c = buf[p]!;
        if (c === QUOTE) break;
        if (c === NL) return this.failAt(p, 'unterminated label value, got ');
        p += c === BSL && buf[p + 1] !== NL ? 2 : 1;
      }
      p++;
      if (text) while (buf[p] === SP || buf[p] === TAB) p++;
      c = buf[p]!;
      if (c === COMMA) {
        p++;
        continue;
      }
      if (c === RBRACE) break;
      return this.failAt(p, 'expected comma or "}" after label value, got ');
    }
    this.pos = p + 1;
  }

  private failAt(p: number, expected: string): never {
    this.pos = p;
    throw this.fail(expected + this.token());
  }

  /** ` # {labels} value [timestamp]` after an OpenMetrics sample: validated and remembered (`exemplar()`). */
  private scanExemplar(): void {
    const buf = this.buf;
    this.pos += 2;
    if (buf[this.pos] !== SP || buf[this.pos + 1] !== LBRACE) throw this.fail(`expected exemplar labels, got ${this.token()}`);
    this.pos++;
    const start = this.pos;
    this.scanLabelBlock();
    this.expectSeparator('exemplar value');
    const value = this.readValue('exemplar value');
    let ts: number | null = null;
    if (buf[this.pos] === SP) {
      this.pos++;
      ts = this.readValue('exemplar timestamp');
      if (!Number.isFinite(ts)) throw this.fail('invalid exemplar timestamp');
      ts = Math.trunc(ts * 1000);
    }
    this.exStart = start;
    this.exValue = value;
    this.exTs = ts;
  }

  private readValue(what: string): number {
    const s = this.pos;
    this.pos = this.tokenEnd(s);
    if (s === this.pos) throw this.fail(`expected ${what}, got ${this.token()}`);
    const v = parseFloatBytes(this.buf, s, this.pos);
    if (v === undefined) throw this.fail(`invalid ${what} ${this.quote(s, this.pos)}`);
    return v;
  }

  /** Text: one or more blanks. OpenMetrics: exactly one space. */
  private expectSeparator(before: string): void {
    const buf = this.buf;
    if (buf[this.pos] !== SP && (this.om || buf[this.pos] !== TAB)) {
      throw this.fail(`expected ${before} after ${before === 'value' ? 'metric' : 'exemplar labels'}, got ${this.token()}`);
    }
    this.pos++;
    if (!this.om) this.skipBlanks();
  }

  private expectEndOfLine(after: string): void {
    if (this.pos < this.len && this.buf[this.pos] !== NL) {
      throw this.fail(`expected end of line after ${after}, got ${this.token()}`);
    }
    this.endLine();
  }

  private readTextComment(): EntryKind {
    const buf = this.buf;
    this.pos++;
    this.skipBlanks();
    const ws = this.pos;
    const we = this.tokenEnd(ws);
    const word = buf.toString('latin1', ws, we);
    if ((word === 'HELP' || word === 'TYPE') && (buf[we] === SP || buf[we] === TAB)) {
      this.pos = we;
      this.skipBlanks();
      this.readMetaName();
      return word === 'HELP' ? this.readHelp(textHelpEscapes) : this.readType(textTypes);
    }
    this.pos = ws;
    const end = this.lineEnd();
    this.metaName = '';
    this.metaText = buf.toString('utf8', ws, end);
    this.pos = end;
    this.endLine();
    return 'comment';
  }

  private readOpenMetricsMeta(): EntryKind {
    const buf = this.buf;
    const p = this.pos;
    const is = (word: string) => buf.toString('latin1', p, p + word.length) === word;
    if (is('# EOF') && (p + 5 >= this.len || buf[p + 5] === NL)) {
      this.pos = p + 5;
      this.sawEOF = true;
      this.endLine();
      return 'eof';
    }
    for (const [word, kind] of [['# HELP ', 'help'], ['# TYPE ', 'type'], ['# UNIT ', 'unit']] as const) {
      if (!is(word)) continue;
      this.pos = p + word.length;
      this.readMetaName();
      if (kind === 'help') return this.readHelp(valueEscapes);
      if (kind === 'type') return this.readType(omTypes);
      this.metaText = this.restOfLine();
      return 'unit';
    }
    throw this.fail(`expected "# HELP", "# TYPE", "# UNIT" or "# EOF", got ${this.token()}`);
  }

  private readMetaName(): void {
    const buf = this.buf;
    const s = this.pos;
    if (metricNameStart[buf[s]!] !== 1) throw this.fail(`expected metric name, got ${this.token()}`);
    this.pos++;
    while (metricNameChar[buf[this.pos]!] === 1) this.pos++;
    this.metaName = buf.toString('latin1', s, this.pos);
    if (this.pos < this.len && buf[this.pos] !== NL) {
      if (buf[this.pos] !== SP && (this.om || buf[this.pos] !== TAB)) {
        throw this.fail(`expected space after metric name, got ${this.token()}`);
      }
      this.pos++;
      if (!this.om) this.skipBlanks();
    }
  }

  private readHelp(escapes: ReadonlyMap<number, string>): EntryKind {
    const s = this.pos;
    const end = this.lineEnd();
    // Search the line only: indexOf on the whole buffer would make a page of HELP lines quadratic.
    const escaped = this.buf.subarray(s, end).indexOf(BSL) >= 0;
    this.metaText = escaped ? this.unescape(s, end, escapes) : this.buf.toString('utf8', s, end);
    this.pos = end;
    this.endLine();
    return 'help';
  }

  private readType(allowed: ReadonlySet<string>): EntryKind {
    const t = this.restOfLine().trimEnd();
    if (!allowed.has(t)) throw this.fail(`invalid metric type "${t}"`);
    this.metaText = t;
    return 'type';
  }

  private restOfLine(): string {
    const s = this.pos;
    const end = this.lineEnd();
    this.pos = end;
    this.endLine();
    return this.buf.toString('utf8', s, end);
  }

  private unescape(s: number, e: number, escapes: ReadonlyMap<number, string>): string {
    let out = '';
    let run = s;
    for (let p = s; p < e; p++) {
      if (this.buf[p] !== BSL || p + 1 >= e) continue;
      const rep = escapes.get(this.buf[p + 1]!);
      if (rep === undefined) continue; // unknown escapes stay as written, as in Prometheus
      out += this.buf.toString('utf8', run, p) + rep;
      p++;
      run = p + 1;
    }
    return out + this.buf.toString('utf8', run, e);
  }

  private skipBlanks(): void {
    const buf = this.buf;
    while (buf[this.pos] === SP || buf[this.pos] === TAB) this.pos++;
  }

  /** End of a blank-separated token. */
  private tokenEnd(s: number): number {
    const buf = this.buf;
    let p = s;
    while (p < this.len) {
      const c = buf[p];
      if (c === SP || c === NL || c === TAB) break;
      p++;
    }
    return p;
  }

  private lineEnd(): number {
    const i = this.buf.indexOf(NL, this.pos);
    return i < 0 ? this.len : i;
  }

  /** Consumes the newline at pos (or the end of input). */
  private endLine(): void {
    if (this.pos < this.len) this.pos++;
    this.nextLine++;
  }

  /** The offending input at pos, quoted, for "expected X, got Y". */
  private token(): string {
    if (this.pos >= this.len) return 'EOF';
    if (this.buf[this.pos] === NL) return '"\\n"';
    let e = this.pos + 1;
    while (e < this.len && e - this.pos < maxTokenShown && this.buf[e] !== NL && this.buf[e] !== SP) e++;
    return this.quote(this.pos, e);
  }

  private quote(s: number, e: number): string {
    const clipped = e - s > maxTokenShown ? this.buf.toString('utf8', s, s + maxTokenShown) + '…' : this.buf.toString('utf8', s, e);
    return JSON.stringify(clipped);
  }

  private fail(detail: string, line = this.curLine): ExpositionParseError {
    this.done = true;
    return new ExpositionParseError(line, detail);
  }
}
