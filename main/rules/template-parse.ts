/**
 * Lexer and parser for the subset of Go's text/template that Prometheus rule labels and
 * annotations use. The AST is small and sealed; nesting depth is capped so hostile input
 * cannot recurse without bound. Errors read like Go's: `NAME:LINE: message`.
 */

import { templateFuncs } from './template-funcs.js';

const maxTemplateDepth = 64;

/** Functions a template may call; unknown names fail at parse time, as in Go. */
const knownFuncs: ReadonlySet<string> = new Set([...Object.keys(templateFuncs), 'query']);

export type Operand =
  | { t: 'dot'; fields: string[] }
  | { t: 'var'; name: string; fields: string[] }
  | { t: 'string'; v: string }
  /** Go keeps integer constants apart from floats: `{{ 1000000 }}` prints 1000000, `{{ 1e6 }}` 1e+06. */
  | { t: 'number'; v: number | bigint }
  | { t: 'bool'; v: boolean }
  | { t: 'nil' }
  | { t: 'ident'; name: string }
  | { t: 'pipe'; pipe: Pipe; fields: string[] };

export interface Command {
  args: Operand[];
  pos: number;
}

export interface Pipe {
  decl: { names: string[]; assign: boolean } | null;
  cmds: Command[];
  pos: number;
}

export type TNode =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipe }
  | { t: 'if' | 'with'; branches: { pipe: Pipe; body: TNode[] }[]; elseBody: TNode[] | null }
  | { t: 'range'; pipe: Pipe; body: TNode[]; elseBody: TNode[] | null }
  | { t: 'template'; name: string; pipe: Pipe | null; pos: number }
  | { t: 'break' | 'continue'; pos: number };

export interface ParsedTemplate {
  name: string;
  source: string;
  root: TNode[];
  defines: Map<string, TNode[]>;
}

export type ParseTemplateResult = { ok: true; value: ParsedTemplate } | { ok: false; error: string };

type Tok =
  | { k: 'text'; v: string; pos: number }
  | { k: 'open'; pos: number } // start of an action
  | { k: 'close'; pos: number }
  | { k: 'str' | 'raw'; v: string; pos: number }
  | { k: 'num'; v: number | bigint; pos: number }
  | { k: 'ident' | 'field' | 'var'; v: string; pos: number }
  | { k: 'punct'; v: ':=' | '=' | '|' | '(' | ')' | ',' | '.'; pos: number }
  | { k: 'eof'; pos: number };

class TemplateSyntaxError extends Error {
  constructor(
    readonly pos: number,
    message: string,
  ) {
    super(message);
  }
}

const space = /[ \t\r\n]/;

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (open < 0) {
      if (text !== '') toks.push({ k: 'text', v: text, pos: i });
      break;
    }
    let p = open + 2;
    const trimLeft = src[p] === '-' && space.test(src[p + 1] ?? '');
    if (trimLeft) {
      text = text.replace(/[ \t\r\n]+$/, '');
      p += 1;
    }
    if (text !== '') toks.push({ k: 'text', v: text, pos: i });
    // Comments: {{/* … */}} with optional trim markers.
    const afterSpace = p + (src.slice(p).match(/^[ \t\r\n]*/)?.[0].length ?? 0);
    if (src.startsWith('/*', afterSpace)) {
      const end = src.indexOf('*/', afterSpace + 2);
      if (end < 0) throw new TemplateSyntaxError(open, 'unclosed comment');
      let q = end + 2;
      const m = /^([ \t\r\n]*)(-?)\}\}/.exec(src.slice(q));
      if (m === null) throw new TemplateSyntaxError(open, 'comment ends before closing delimiter');
      q += m[0].length;
      if (m[2] === '-') q += src.slice(q).match(/^[ \t\r\n]*/)?.[0].length ?? 0;
      i = q;
      continue;
    }
    toks.push({ k: 'open', pos: open });
    i = lexAction(src, p, toks);
  }
  toks.push({ k: 'eof', pos: src.length });
  return toks;
}

/** Lexes inside `{{ … }}` from `p`; returns the offset after the closing delimiter (and any trim). */
function lexAction(src: string, p: number, toks: Tok[]): number {
  for (;;) {
    if (p >= src.length) throw new TemplateSyntaxError(p, 'unclosed action');
    const c = src[p] ?? '';
    if (c === '\n' || c === '\r') {
      // Go allows newlines inside actions since 1.16; we do too.
      p++;
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (src[p + 1] === '-' && src.startsWith('}}', p + 2)) {
        toks.push({ k: 'close', pos: p });
        p += 4;
        return p + (src.slice(p).match(/^[ \t\r\n]*/)?.[0].length ?? 0);
      }
      p++;
      continue;
    }
    if (src.startsWith('}}', p)) {
      toks.push({ k: 'close', pos: p });
      return p + 2;
    }
    if (c === '"') {
      let j = p + 1;
      let out = '';
      for (;;) {
        const d = src[j];
        if (d === undefined || d === '\n') throw new TemplateSyntaxError(p, 'unterminated quoted string');
        if (d === '"') break;
        if (d === '\\') {
          const e = src[j + 1] ?? '';
          const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
          if (esc[e] !== undefined) {
            out += esc[e];
            j += 2;
          } else if (e === 'x' || e === 'u') {
            const n = e === 'x' ? 2 : 4;
            const hex = src.slice(j + 2, j + 2 + n);
            if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) throw new TemplateSyntaxError(j, 'bad escape in quoted string');
            out += String.fromCharCode(parseInt(hex, 16));
            j += 2 + n;
          } else throw new TemplateSyntaxError(j, `unknown escape sequence: \\${e}`);
          continue;
        }
        out += d;
        j++;
      }
      toks.push({ k: 'str', v: out, pos: p });
      p = j + 1;
      continue;
    }
    if (c === '`') {
      const end = src.indexOf('`', p + 1);
      if (end < 0) throw new TemplateSyntaxError(p, 'unterminated raw quoted string');
      toks.push({ k: 'raw', v: src.slice(p + 1, end), pos: p });
      p = end + 1;
      continue;
    }
    if (src.startsWith(':=', p)) {
      toks.push({ k: 'punct', v: ':=', pos: p });
      p += 2;
      continue;
    }
    if ('=|(),'.includes(c)) {
      toks.push({ k: 'punct', v: c as '=' | '|' | '(' | ')' | ',', pos: p });
      p++;
      continue;
    }
    const num = /^[+-]?(0[xX][0-9a-fA-F_]+|(\d[\d_]*\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(src.slice(p));
    if (num !== null && (/\d/.test(c) || ((c === '-' || c === '+' || c === '.') && /\d/.test(src[p + 1] ?? '')))) {
      const text = num[0].replace(/_/g, '');
      const v = Number(text);
      if (Number.isNaN(v)) throw new TemplateSyntaxError(p, `bad number syntax: "${num[0]}"`);
      const isInt = /^[+-]?(0[xX][0-9a-fA-F]+|\d+)$/.test(text) && Number.isSafeInteger(v);
      toks.push({ k: 'num', v: isInt ? BigInt(v) : v, pos: p });
      p += num[0].length;
      continue;
    }
    if (c === '.') {
      const m = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(p));
      if (m === null) {
        toks.push({ k: 'punct', v: '.', pos: p });
        p++;
      } else {
        toks.push({ k: 'field', v: m[0].slice(1), pos: p });
        p += m[0].length;
      }
      continue;
    }
    if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(src.slice(p)) ?? ['$'];
      toks.push({ k: 'var', v: m[0], pos: p });
      p += m[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(p));
    if (id !== null) {
      toks.push({ k: 'ident', v: id[0], pos: p });
      p += id[0].length;
      continue;
    }
    throw new TemplateSyntaxError(p, `unexpected "${c}" in command`);
  }
}

/** Variables Prometheus defines before every rule template. */
const predefinedVars: readonly string[] = ['$', '$labels', '$externalLabels', '$externalURL', '$value'];

class Parser {
  private i = 0;
  private depth = 0;
  readonly defines = new Map<string, TNode[]>();
  /** Variables in scope, innermost last; Go checks them at parse time. */
  private vars: string[];
  constructor(
    private readonly toks: Tok[],
    predefined: readonly string[],
  ) {
    this.vars = [...predefined];
  }

  private useVar(name: string, pos: number): void {
    if (!this.vars.includes(name)) throw new TemplateSyntaxError(pos, `undefined variable "${name}"`);
  }

  private peek(): Tok {
    return this.toks[this.i] ?? { k: 'eof', pos: 0 };
  }
  private next(): Tok {
    const t = this.peek();
    this.i++;
    return t;
  }
  private expectClose(ctx: string): void {
    const t = this.next();
    if (t.k !== 'close') throw new TemplateSyntaxError(t.pos, t.k === 'eof' ? 'unclosed action' : `unexpected ${describe(t)} in ${ctx}`);
  }

  /** Parses a list of nodes until one of `stops` (keywords after `{{`) or EOF. */
  list(stops: readonly string[]): { nodes: TNode[]; stop: string } {
    if (++this.depth > maxTemplateDepth) throw new TemplateSyntaxError(this.peek().pos, `nesting deeper than ${maxTemplateDepth}`);
    const nodes: TNode[] = [];
    try {
      for (;;) {
        const t = this.next();
        if (t.k === 'eof') {
          if (stops.length > 0) throw new TemplateSyntaxError(t.pos, `unexpected EOF`);
          return { nodes, stop: 'eof' };
        }
        if (t.k === 'text') {
          nodes.push({ t: 'text', text: t.v });
          continue;
        }
        if (t.k !== 'open') throw new TemplateSyntaxError(t.pos, `unexpected ${describe(t)}`);
        const kw = this.peek();
        if (kw.k === 'ident' && ['end', 'else'].includes(kw.v)) {
          if (!stops.includes(kw.v)) throw new TemplateSyntaxError(kw.pos, `unexpected {{${kw.v}}}`);
          this.next();
          return { nodes, stop: kw.v };
        }
        const n = this.action();
        if (n !== null) nodes.push(n);
      }
    } finally {
      this.depth--;
    }
  }

  private action(): TNode | null {
    const kw = this.peek();
    if (kw.k === 'ident') {
      switch (kw.v) {
        case 'if':
        case 'with':
          this.next();
          return this.branching(kw.v);
        case 'range': {
          this.next();
          const mark = this.vars.length;
          const pipe = this.pipeline(true, 'range');
          this.expectClose('range');
          const body = this.list(['end', 'else']);
          let elseBody: TNode[] | null = null;
          if (body.stop === 'else') {
            this.expectClose('else');
            elseBody = this.list(['end']).nodes;
          }
          this.expectClose('end');
          this.vars.length = mark;
          return { t: 'range', pipe, body: body.nodes, elseBody };
        }
        case 'define':
        case 'block': {
          this.next();
          const name = this.next();
          if (name.k !== 'str' && name.k !== 'raw') throw new TemplateSyntaxError(name.pos, `${kw.v} name must be a string`);
          const pipe = kw.v === 'block' ? this.pipeline(false, 'block') : null;
          this.expectClose(kw.v);
          // A defined template sees only `$` (its argument).
          const outer = this.vars;
          this.vars = ['$'];
          const body = this.list(['end']);
          this.vars = outer;
          this.expectClose('end');
          this.defines.set(name.v, body.nodes);
          return kw.v === 'block' ? { t: 'template', name: name.v, pipe, pos: kw.pos } : null;
        }
        case 'template': {
          this.next();
          const name = this.next();
          if (name.k !== 'str' && name.k !== 'raw') throw new TemplateSyntaxError(name.pos, `template name must be a string`);
          const pipe = this.peek().k === 'close' ? null : this.pipeline(false, 'template');
          this.expectClose('template');
          return { t: 'template', name: name.v, pipe, pos: kw.pos };
        }
        case 'break':
        case 'continue':
          this.next();
          this.expectClose(kw.v);
          return { t: kw.v, pos: kw.pos };
      }
    }
    const pipe = this.pipeline(true, 'command');
    this.expectClose('command');
    return { t: 'action', pipe };
  }

  private branching(kind: 'if' | 'with'): TNode {
    const mark = this.vars.length;
    try {
      return this.branchingScoped(kind);
    } finally {
      this.vars.length = mark;
    }
  }

  private branchingScoped(kind: 'if' | 'with'): TNode {
    const branches: { pipe: Pipe; body: TNode[] }[] = [];
    let elseBody: TNode[] | null = null;
    let pipe = this.pipeline(true, kind);
    this.expectClose(kind);
    for (;;) {
      const body = this.list(['end', 'else']);
      branches.push({ pipe, body: body.nodes });
      if (body.stop === 'end') {
        this.expectClose('end');
        break;
      }
      const t = this.peek();
      if (t.k === 'ident' && t.v === kind) {
        // `else if` / `else with`: another branch in the same chain.
        this.next();
        pipe = this.pipeline(true, kind);
        this.expectClose(kind);
        continue;
      }
      this.expectClose('else');
      elseBody = this.list(['end']).nodes;
      this.expectClose('end');
      break;
    }
    return { t: kind, branches, elseBody };
  }

  private pipeline(allowDecl: boolean, ctx: string): Pipe {
    const start = this.peek().pos;
    let decl: Pipe['decl'] = null;
    if (allowDecl && this.peek().k === 'var') {
      // Look ahead for `$x :=`, `$x =`, or `$i, $e :=`.
      const a = this.toks[this.i + 1];
      const b = this.toks[this.i + 2];
      const c = this.toks[this.i + 3];
      if (a?.k === 'punct' && (a.v === ':=' || a.v === '=')) {
        decl = { names: [(this.next() as { v: string }).v], assign: a.v === '=' };
        this.next();
      } else if (a?.k === 'punct' && a.v === ',' && b?.k === 'var' && c?.k === 'punct' && (c.v === ':=' || c.v === '=')) {
        const first = (this.next() as { v: string }).v;
        this.next();
        decl = { names: [first, (this.next() as { v: string }).v], assign: c.v === '=' };
        this.next();
      }
    }
    const cmds: Command[] = [];
    for (;;) {
      cmds.push(this.command(ctx));
      const t = this.peek();
      if (t.k === 'punct' && t.v === '|') {
        this.next();
        continue;
      }
      break;
    }
    if (decl !== null) {
      for (const n of decl.names) {
        if (decl.assign) this.useVar(n, start);
        else this.vars.push(n);
      }
    }
    return { decl, cmds, pos: start };
  }

  private command(ctx: string): Command {
    const pos = this.peek().pos;
    const args: Operand[] = [];
    for (;;) {
      const t = this.peek();
      if (t.k === 'close' || t.k === 'eof' || (t.k === 'punct' && (t.v === '|' || t.v === ')'))) break;
      args.push(this.operand());
    }
    if (args.length === 0) throw new TemplateSyntaxError(pos, `missing value for ${ctx}`);
    return { args, pos };
  }

  private fields(): string[] {
    const out: string[] = [];
    while (this.peek().k === 'field') out.push((this.next() as { v: string }).v);
    return out;
  }

  private operand(): Operand {
    const t = this.next();
    switch (t.k) {
      case 'str':
      case 'raw':
        return { t: 'string', v: t.v };
      case 'num':
        return { t: 'number', v: t.v };
      case 'field':
        return { t: 'dot', fields: [t.v, ...this.fields()] };
      case 'var':
        this.useVar(t.v, t.pos);
        return { t: 'var', name: t.v, fields: this.fields() };
      case 'ident':
        if (t.v === 'true' || t.v === 'false') return { t: 'bool', v: t.v === 'true' };
        if (t.v === 'nil') return { t: 'nil' };
        if (!knownFuncs.has(t.v)) throw new TemplateSyntaxError(t.pos, `function "${t.v}" not defined`);
        return { t: 'ident', name: t.v };
      case 'punct':
        if (t.v === '.') return { t: 'dot', fields: this.fields() };
        if (t.v === '(') {
          if (++this.depth > maxTemplateDepth) throw new TemplateSyntaxError(t.pos, `nesting deeper than ${maxTemplateDepth}`);
          const pipe = this.pipeline(false, 'parenthesized pipeline');
          this.depth--;
          const close = this.next();
          if (close.k !== 'punct' || close.v !== ')') throw new TemplateSyntaxError(close.pos, 'unclosed left paren');
          return { t: 'pipe', pipe, fields: this.fields() };
        }
        throw new TemplateSyntaxError(t.pos, `unexpected "${t.v}" in operand`);
      default:
        throw new TemplateSyntaxError(t.pos, t.k === 'close' || t.k === 'eof' ? 'unclosed action' : `unexpected ${describe(t)} in operand`);
    }
  }
}

function describe(t: Tok): string {
  switch (t.k) {
    case 'close':
      return '"}}"';
    case 'open':
      return '"{{"';
    case 'eof':
      return 'EOF';
    case 'num':
      return `<${t.v}>`;
    case 'text':
      return 'text';
    default:
      return `"${t.v}"`;
  }
}

/** `line:col` of an offset, 1-based, as Go prints execution errors. */
export function lineColOf(src: string, pos: number): string {
  const before = src.slice(0, Math.max(0, Math.min(pos, src.length)));
  return `${lineOf(src, pos)}:${before.length - before.lastIndexOf('\n')}`;
}

function lineOf(src: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < src.length; i++) if (src.charCodeAt(i) === 10) n++;
  return n;
}

export function parseTemplate(source: string, name = 'template', predefined: readonly string[] = predefinedVars): ParseTemplateResult {
  try {
    const p = new Parser(lex(source), predefined);
    const { nodes } = p.list([]);
    return { ok: true, value: { name, source, root: nodes, defines: p.defines } };
  } catch (e) {
    if (e instanceof TemplateSyntaxError) return { ok: false, error: `${name}:${lineOf(source, e.pos)}: ${e.message}` };
    return { ok: false, error: `${name}: ${(e as Error).message}` };
  }
}
