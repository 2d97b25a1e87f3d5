/**
 * PromQL string literals: unquoting with Go's escape rules (as Prometheus' lexer accepts them)
 * and quoting the way Go's strconv.Quote prints, so printed queries parse back unchanged.
 */

export class StringSyntaxError extends Error {
  override readonly name = 'StringSyntaxError';
  /** Offset inside the literal (quotes included) where the problem is. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

const simpleEscapes: Readonly<Record<string, number>> = {
  a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92,
};

const hexDigits: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/**
 * Unquotes a literal including its quotes: "…" and '…' with escapes, `…` raw.
 * `\x` and octal escapes are bytes (as in Go); runs of them are decoded as UTF-8. A byte that is
 * not valid UTF-8 cannot live in a JS string, so it becomes the lone surrogate U+DC80+byte
 * (Python's "surrogateescape"): isValidUtf8() is then false, which is how the engine can tell
 * "invalid label name", and quoteString() prints it back as the same `\xNN`.
 */
export function unquoteString(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || (q !== '"' && q !== "'" && q !== '`') || lit[lit.length - 1] !== q) {
    throw new StringSyntaxError('unterminated quoted string', lit.length);
  }
  const body = lit.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new StringSyntaxError('unexpected backtick in raw string', 1 + body.indexOf('`'));
    return body;
  }
  let out = '';
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length > 0) {
      out += decodeUtf8(bytes);
      bytes = [];
    }
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\n') throw new StringSyntaxError('unterminated quoted string', i + 1);
    if (c === q) throw new StringSyntaxError(`unexpected ${q} in quoted string`, i + 1);
    if (c !== '\\') {
      flush();
      out += c;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new StringSyntaxError('escape sequence not terminated', i + 1);
    const simple = simpleEscapes[e];
    if (simple !== undefined || e === q) {
      flush();
      out += String.fromCharCode(simple ?? q.charCodeAt(0));
      i += 1;
      continue;
    }
    const width = hexDigits[e];
    if (width !== undefined) {
      const digits = body.slice(i + 2, i + 2 + width);
      if (digits.length !== width || !/^[0-9a-fA-F]+$/.test(digits)) throw new StringSyntaxError('invalid syntax', i + 1);
      const code = parseInt(digits, 16);
      if (e === 'x') bytes.push(code);
      else {
        if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) throw new StringSyntaxError('escape sequence is an invalid Unicode code point', i + 1);
        flush();
        out += String.fromCodePoint(code);
      }
      i += 1 + width;
      continue;
    }
    if (e >= '0' && e <= '7') {
      const digits = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(digits)) throw new StringSyntaxError('invalid syntax', i + 1);
      const code = parseInt(digits, 8);
      if (code > 255) throw new StringSyntaxError('escape sequence is invalid Unicode code point', i + 1);
      bytes.push(code);
      i += 3;
      continue;
    }
    throw new StringSyntaxError(`unknown escape sequence U+${e.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')} '${e}'`, i + 1);
  }
  flush();
  return out;
}

/**
 * False when the string carries a byte that was not valid UTF-8 in the query (see
 * unquoteString); Prometheus rejects such label names and values.
 */
export function isValidUtf8(s: string): boolean {
  return !/(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(s);
}

/** Minimal UTF-8 decoder with surrogateescape (no TextDecoder: app/ must not depend on DOM or Node typings). */
function decodeUtf8(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b0 = bytes[i] as number;
    const need = b0 < 0x80 ? 0 : b0 >= 0xc2 && b0 < 0xe0 ? 1 : b0 >= 0xe0 && b0 < 0xf0 ? 2 : b0 >= 0xf0 && b0 < 0xf5 ? 3 : -1;
    if (need < 0) {
      out += String.fromCharCode(0xdc00 + b0);
      i++;
      continue;
    }
    let cp = need === 0 ? b0 : b0 & (0x3f >> need);
    let ok = true;
    for (let k = 1; k <= need; k++) {
      const b = bytes[i + k];
      if (b === undefined || (b & 0xc0) !== 0x80) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (b & 0x3f);
    }
    const minimal = need === 0 || (need === 1 ? cp >= 0x80 : need === 2 ? cp >= 0x800 : cp >= 0x10000);
    if (!ok || !minimal || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) {
      out += String.fromCharCode(0xdc00 + b0);
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}

const quoteEscapes: Readonly<Record<string, string>> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"',
};

/** Double-quotes a string like Go's strconv.Quote: printable Unicode kept, control characters escaped. */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const esc = quoteEscapes[ch];
    if (esc !== undefined) {
      out += esc;
      continue;
    }
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if ((cp >= 0x80 && cp < 0xa0) || cp === 0xfffe || cp === 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else if (cp >= 0xdc80 && cp < 0xdd00) out += `\\x${(cp - 0xdc00).toString(16).padStart(2, '0')}`; // an escaped raw byte
    else if (cp >= 0xd800 && cp < 0xe000) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}
