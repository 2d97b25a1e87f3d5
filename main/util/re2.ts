/**
 * Go RE2 regex syntax → JavaScript RegExp, fully anchored as Prometheus anchors relabel and
 * matcher regexes (`^(?s:re)$`: the whole value must match, `.` matches newlines).
 *
 * The translation is one linear scan (no recursion). It rewrites what JS spells differently —
 * `(?P<n>`, `\z`, `\A`, `\Q…\E`, `\pL`, `\x{…}`, `[[:alpha:]]`, inline `(?i)` anywhere, a lone
 * `{` — and rejects what RE2 rejects but JS accepts (look-around, back-references), so a config
 * Prometheus refuses is refused here too. JS still backtracks where RE2 would not; a
 * pathological regex costs time, not correctness.
 */

export class RegexSyntaxError extends Error {}

export interface TranslatedRegex {
  readonly source: string;
  readonly flags: string;
}

const posixClasses: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

// Unicode general categories keep their name in JS; anything else is a script (`\p{Greek}`).
const generalCategories = new Set([
  'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn', 'N', 'Nd', 'Nl', 'No', 'P', 'Pc', 'Pd',
  'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'S', 'Sc', 'Sk', 'Sm', 'So', 'Z', 'Zl', 'Zp', 'Zs', 'C', 'Cc', 'Cf',
  'Co', 'Cs', 'Any',
]);

const jsSyntaxChars = new Set('^$\\.*+?()[]{}|/'.split(''));
const goSpaceClass = '\\t\\n\\f\\r ';

function hexEscape(ch: string): string {
  return `\\u{${ch.codePointAt(0)!.toString(16)}}`;
}

function isLetter(ch: string): boolean {
  return ch.toLowerCase() !== ch.toUpperCase();
}

/** `a` → `[aA]` when case-insensitivity must be emulated inside a `(?i:…)` group. */
function foldLiteral(ch: string, fold: boolean): string {
  if (!fold || !isLetter(ch)) return ch;
  const lo = ch.toLowerCase();
  const up = ch.toUpperCase();
  return lo.length === 1 && up.length === 1 ? `[${lo}${up}]` : ch;
}

/** Translates an RE2 pattern; throws RegexSyntaxError with RE2-like wording. */
export function translateRe2(pattern: string): TranslatedRegex {
  let i = 0;
  let globalI = false;
  let multiline = false;
  // Leading flag groups apply to the whole pattern and map onto RegExp flags.
  for (;;) {
    const m = /^\(\?([imsU]*)\)/.exec(pattern.slice(i));
    if (m === null) break;
    if (m[1]!.includes('U')) throw new RegexSyntaxError('invalid or unsupported Perl syntax: `(?U`');
    if (m[1]!.includes('i')) globalI = true;
    if (m[1]!.includes('m')) multiline = true;
    i += m[0].length;
  }

  let out = '';
  // Per open group: whether case folding must be emulated inside it (for mid-pattern (?i)).
  const foldStack: boolean[] = [];
  let fold = false;

  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const [text, used] = translateEscape(pattern, i, false, fold);
      out += text;
      i += used;
      continue;
    }
    if (ch === '[') {
      const [text, used] = translateClass(pattern, i, fold);
      out += text;
      i += used;
      continue;
    }
    if (ch === '(') {
      const rest = pattern.slice(i);
      if (rest.startsWith('(?P<') || rest.startsWith('(?<')) {
        const m = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
        if (m === null) {
          if (/^\(\?<[=!]/.test(rest)) throw new RegexSyntaxError(`invalid or unsupported Perl syntax: \`${rest.slice(0, 4)}\``);
          throw new RegexSyntaxError(`invalid named capture: \`${rest.slice(0, 12)}\``);
        }
        out += `(?<${m[1]}>`;
        foldStack.push(fold);
        i += m[0].length;
        continue;
      }
      if (rest.startsWith('(?')) {
        const m = /^\(\?([imsU-]*)(:|\))/.exec(rest);
        if (m === null) throw new RegexSyntaxError(`invalid or unsupported Perl syntax: \`${rest.slice(0, 3)}\``);
        const [on, off = ''] = m[1]!.split('-') as [string, string?];
        if (on.includes('U') || off.includes('U') || on.includes('m') || off.includes('m') || off.includes('s')) {
          throw new RegexSyntaxError(`unsupported flags in \`${m[0]}\`: only i and s are supported after the start of the regex`);
        }
        const newFold: boolean = on.includes('i') ? !globalI : off.includes('i') ? false : fold;
        if (off.includes('i') && globalI) {
          throw new RegexSyntaxError(`\`${m[0]}\` cannot turn off a leading (?i)`);
        }
        if (m[2] === ')') {
          fold = newFold; // applies to the rest of the current group
        } else {
          out += '(?:';
          foldStack.push(fold);
          fold = newFold;
        }
        i += m[0].length;
        continue;
      }
      out += '(';
      foldStack.push(fold);
      i++;
      continue;
    }
    if (ch === ')') {
      if (foldStack.length === 0) throw new RegexSyntaxError('unexpected ): `' + pattern + '`');
      fold = foldStack.pop()!;
      out += ')';
      i++;
      continue;
    }
    if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (m === null) {
        out += '\\{'; // RE2 treats a `{` that starts no repetition as a literal
        i++;
        continue;
      }
      const lo = Number(m[1]);
      const hi = m[3] === undefined || m[3] === '' ? lo : Number(m[3]);
      if (lo > 1000 || hi > 1000 || (m[3] !== undefined && m[3] !== '' && hi < lo)) {
        throw new RegexSyntaxError(`invalid repeat count: \`${m[0]}\``);
      }
      out += m[0];
      i += m[0].length;
      continue;
    }
    if (ch === '}') {
      out += '\\}';
      i++;
      continue;
    }
    if (ch === '$' && !multiline) {
      out += '(?![\\s\\S])'; // RE2's `$` without (?m) is end of text
      i++;
      continue;
    }
    if (ch === '^' && !multiline) {
      out += '(?<![\\s\\S])';
      i++;
      continue;
    }
    const cp = pattern.codePointAt(i)!;
    const lit = String.fromCodePoint(cp);
    out += foldLiteral(lit, fold);
    i += lit.length;
  }
  if (foldStack.length > 0) throw new RegexSyntaxError('missing closing ): `' + pattern + '`');

  // Anchors that (?m) cannot turn into line anchors.
  const source = `(?<![\\s\\S])(?:${out})(?![\\s\\S])`;
  return { source, flags: 'su' + (globalI ? 'i' : '') + (multiline ? 'm' : '') };
}

/** One escape at `pattern[i] === '\\'`; returns the JS text and the characters consumed. */
function translateEscape(pattern: string, i: number, inClass: boolean, fold: boolean): [string, number] {
  const next = pattern[i + 1];
  if (next === undefined) throw new RegexSyntaxError('trailing backslash at end of expression');
  if (next === 'Q' && !inClass) {
    const end = pattern.indexOf('\\E', i + 2);
    const lit = end < 0 ? pattern.slice(i + 2) : pattern.slice(i + 2, end);
    let text = '';
    for (const c of lit) text += jsSyntaxChars.has(c) ? '\\' + c : foldLiteral(c, fold);
    return [text, (end < 0 ? pattern.length : end + 2) - i];
  }
  if (next === 'z' && !inClass) return ['(?![\\s\\S])', 2];
  if (next === 'A' && !inClass) return ['(?<![\\s\\S])', 2];
  if (next === 's') return [inClass ? goSpaceClass : `[${goSpaceClass}]`, 2];
  if (next === 'S' && !inClass) return [`[^${goSpaceClass}]`, 2];
  if ('dDwWSbB'.includes(next)) {
    if (inClass && (next === 'b' || next === 'B')) throw new RegexSyntaxError(`invalid escape sequence: \`\\${next}\``);
    return ['\\' + next, 2];
  }
  if ('tnrfv'.includes(next)) return ['\\' + next, 2];
  if (next === 'a') return ['\\x07', 2];
  if (next === 'p' || next === 'P') {
    const m = /^\\[pP](?:\{(\^?)([A-Za-z_]+)\}|([A-Za-z]))/.exec(pattern.slice(i));
    if (m === null) throw new RegexSyntaxError(`invalid character class range: \`${pattern.slice(i, i + 6)}\``);
    const negate = (m[1] === '^') !== (next === 'P');
    const name = m[2] ?? m[3]!;
    const body = name === 'Any' ? 'Any' : generalCategories.has(name) ? name : `Script=${name}`;
    return [`\\${negate ? 'P' : 'p'}{${body === 'Any' ? 'Any' : body}}`, m[0].length];
  }
  if (next === 'x') {
    const m = /^\\x(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{2}))/.exec(pattern.slice(i));
    if (m === null) throw new RegexSyntaxError(`invalid escape sequence: \`${pattern.slice(i, i + 4)}\``);
    const cp = parseInt(m[1] ?? m[2]!, 16);
    if (cp > 0x10ffff) throw new RegexSyntaxError(`invalid escape sequence: \`${m[0]}\``);
    return [`\\u{${cp.toString(16)}}`, m[0].length];
  }
  if (/[0-7]/.test(next)) {
    // RE2 has octal escapes but no back-references; \1..\7 alone is rejected as in Go.
    const m = /^\\([0-7]{1,3})/.exec(pattern.slice(i))!;
    if (m[1]!.length === 1 && m[1] !== '0') throw new RegexSyntaxError(`invalid escape sequence: \`${m[0]}\``);
    return [`\\u{${parseInt(m[1]!, 8).toString(16)}}`, m[0].length];
  }
  if (/[A-Za-z0-9]/.test(next)) throw new RegexSyntaxError(`invalid escape sequence: \`\\${next}\``);
  // Escaped punctuation is a literal in RE2; JS's u-mode only allows some, so spell it out.
  return [jsSyntaxChars.has(next) || (inClass && next === '-') ? '\\' + next : hexEscape(next), 2];
}

/** A bracket expression starting at `pattern[i] === '['`. */
function translateClass(pattern: string, start: number, fold: boolean): [string, number] {
  let i = start + 1;
  let out = '[';
  if (pattern[i] === '^') {
    out += '^';
    i++;
  }
  let first = true;
  const letters: string[] = []; // for (?i:…) emulation: other-case ranges appended at the end
  let prev: string | null = null;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === ']' && !first) {
      if (fold) out += letters.join('');
      return [out + ']', i + 1 - start];
    }
    first = false;
    if (ch === '[' && pattern[i + 1] === ':') {
      const m = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
      if (m !== null) {
        const cls = posixClasses[m[2]!];
        if (cls === undefined || m[1] === '^') throw new RegexSyntaxError(`invalid character class range: \`${m[0]}\``);
        out += cls;
        i += m[0].length;
        prev = null;
        continue;
      }
    }
    if (ch === '\\') {
      const [text, used] = translateEscape(pattern, i, true, false);
      out += text;
      i += used;
      prev = null;
      continue;
    }
    if (ch === '-' && prev !== null && pattern[i + 1] !== undefined && pattern[i + 1] !== ']') {
      const hiCh = String.fromCodePoint(pattern.codePointAt(i + 1)!);
      if (hiCh === '\\' || hiCh === '[') {
        out += '\\-';
        i++;
        continue;
      }
      if (hiCh.codePointAt(0)! < prev.codePointAt(0)!) throw new RegexSyntaxError(`invalid character class range: \`${prev}-${hiCh}\``);
      out += '-' + (jsSyntaxChars.has(hiCh) ? '\\' + hiCh : hiCh);
      if (fold && isLetter(prev) && isLetter(hiCh)) {
        const swap = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
        letters.push(`${swap(prev)}-${swap(hiCh)}`);
      }
      i += 1 + hiCh.length;
      prev = null;
      continue;
    }
    const lit = String.fromCodePoint(pattern.codePointAt(i)!);
    out += lit === '[' || lit === ']' || lit === '-' || lit === '/' ? '\\' + lit : lit;
    if (fold && isLetter(lit)) letters.push(lit === lit.toLowerCase() ? lit.toUpperCase() : lit.toLowerCase());
    prev = lit;
    i += lit.length;
  }
  throw new RegexSyntaxError(`missing closing ]: \`${pattern.slice(start)}\``);
}

const cache = new Map<string, RegExp>();
const cacheLimit = 4096;

/**
 * The anchored RegExp for an RE2 pattern, cached. Throws RegexSyntaxError with Go's wording
 * prefixed by `error parsing regexp:` as Prometheus reports it.
 */
export function compileAnchored(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let re: RegExp;
  try {
    const t = translateRe2(pattern);
    re = new RegExp(t.source, t.flags);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new RegexSyntaxError(`error parsing regexp: ${why}`);
  }
  if (cache.size >= cacheLimit) cache.clear();
  cache.set(pattern, re);
  return re;
}
