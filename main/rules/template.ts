/**
 * Expands rule label and annotation templates the way Prometheus does: the template sees
 * `$labels`, `$value`, `$externalLabels`, `$externalURL` and `.Labels`/`.Value`. Execution is
 * async because `query` asks the engine; it is bounded in steps, output size and call depth so
 * a template cannot loop or grow without end.
 */
import { formatValue } from './template-format.js';
import { templateFuncs, truthy, TemplateFuncError, type FuncContext, type QueryFn } from './template-funcs.js';
import { lineColOf, parseTemplate, type Command, type Operand, type ParsedTemplate, type Pipe, type TNode } from './template-parse.js';


export interface TemplateData {
  labels: Record<string, string>;
  value: number | string;
  externalLabels?: Record<string, string>;
  externalURL?: string;
}

export interface ExpandOptions {
  /** Runs a PromQL instant query for `query`; absent means `query` fails with a clear error. */
  query?: QueryFn;
  pathPrefix?: string;
  maxSteps?: number;
  maxOutputBytes?: number;
  maxTemplateCalls?: number;
}

export type ExpandResult = { ok: true; text: string } | { ok: false; error: string };

const defaultLimits = { maxSteps: 100_000, maxOutputBytes: 1 << 20, maxTemplateCalls: 100_000, maxDepth: 100 };

class ExecError extends Error {
  constructor(
    readonly pos: number,
    message: string,
  ) {
    super(message);
  }
}

class LoopControl {
  constructor(readonly kind: 'break' | 'continue') {}
}

interface Scope {
  vars: { name: string; value: unknown }[];
}

class Executor {
  private out: string[] = [];
  private outLen = 0;
  private steps = 0;
  private calls = 0;
  private depth = 0;

  constructor(
    private readonly tpl: ParsedTemplate,
    private readonly ctx: FuncContext,
    private readonly limits: typeof defaultLimits,
  ) {}

  result(): string {
    return this.out.join('');
  }

  private write(s: string, pos: number): void {
    this.outLen += s.length;
    if (this.outLen > this.limits.maxOutputBytes) throw new ExecError(pos, `output exceeds ${this.limits.maxOutputBytes} bytes`);
    this.out.push(s);
  }

  private step(pos: number): void {
    if (++this.steps > this.limits.maxSteps) throw new ExecError(pos, `execution exceeds ${this.limits.maxSteps} steps`);
  }

  async list(nodes: TNode[], dot: unknown, scope: Scope): Promise<void> {
    for (const n of nodes) await this.node(n, dot, scope);
  }

  private async node(n: TNode, dot: unknown, scope: Scope): Promise<void> {
    switch (n.t) {
      case 'text':
        this.write(n.text, 0);
        return;
      case 'action': {
        this.step(n.pipe.pos);
        const v = await this.pipe(n.pipe, dot, scope);
        if (n.pipe.decl === null) this.write(formatValue(v), n.pipe.pos);
        return;
      }
      case 'if':
      case 'with': {
        const mark = scope.vars.length;
        try {
          for (const b of n.branches) {
            this.step(b.pipe.pos);
            const v = await this.pipe(b.pipe, dot, scope);
            if (truthy(v)) {
              await this.list(b.body, n.t === 'with' ? v : dot, scope);
              return;
            }
          }
          if (n.elseBody !== null) await this.list(n.elseBody, dot, scope);
        } finally {
          scope.vars.length = mark;
        }
        return;
      }
      case 'range':
        return this.range(n, dot, scope);
      case 'template': {
        const body = this.tpl.defines.get(n.name);
        if (body === undefined) throw new ExecError(n.pos, `no such template "${n.name}"`);
        if (++this.calls > this.limits.maxTemplateCalls) throw new ExecError(n.pos, `more than ${this.limits.maxTemplateCalls} template calls`);
        if (++this.depth > this.limits.maxDepth) throw new ExecError(n.pos, `exceeded maximum template depth (${this.limits.maxDepth})`);
        try {
          const arg = n.pipe === null ? undefined : await this.pipe(n.pipe, dot, scope);
          // A called template sees only `$` (its own dot), as in Go.
          await this.list(body, arg, { vars: [{ name: '$', value: arg }] });
        } finally {
          this.depth--;
        }
        return;
      }
      case 'break':
      case 'continue':
        throw new LoopControl(n.t);
    }
  }

  private async range(n: Extract<TNode, { t: 'range' }>, dot: unknown, scope: Scope): Promise<void> {
    const v = await this.pipe({ ...n.pipe, decl: null }, dot, scope);
    let items: [unknown, unknown][];
    if (Array.isArray(v)) items = v.map((x, i) => [BigInt(i), x]);
    else if (typeof v === 'object' && v !== null) items = Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
    else if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint') {
      const count = Number(v);
      // Refuse up front rather than build a huge array only to hit the step limit.
      if (count > this.limits.maxSteps) throw new ExecError(n.pipe.pos, `execution exceeds ${this.limits.maxSteps} steps`);
      items = Array.from({ length: Math.max(0, count) }, (_x, i) => [BigInt(i), BigInt(i)]);
    }
    else if (v === null || v === undefined) items = [];
    else throw new ExecError(n.pipe.pos, `range can't iterate over ${formatValue(v)}`);
    if (items.length === 0) {
      if (n.elseBody !== null) await this.list(n.elseBody, dot, scope);
      return;
    }
    const decl = n.pipe.decl;
    for (const [k, x] of items) {
      this.step(n.pipe.pos);
      const mark = scope.vars.length;
      if (decl !== null) {
        if (decl.names.length === 1) this.setVar(scope, decl.names[0] ?? '$', x, decl.assign, n.pipe.pos);
        else {
          this.setVar(scope, decl.names[0] ?? '$', k, decl.assign, n.pipe.pos);
          this.setVar(scope, decl.names[1] ?? '$', x, decl.assign, n.pipe.pos);
        }
      }
      try {
        await this.list(n.body, x, scope);
      } catch (e) {
        if (!(e instanceof LoopControl)) throw e;
        if (e.kind === 'break') break;
      } finally {
        scope.vars.length = mark;
      }
    }
  }

  private setVar(scope: Scope, name: string, value: unknown, assign: boolean, pos: number): void {
    if (!assign) {
      scope.vars.push({ name, value });
      return;
    }
    for (let i = scope.vars.length - 1; i >= 0; i--) {
      const v = scope.vars[i];
      if (v !== undefined && v.name === name) {
        v.value = value;
        return;
      }
    }
    throw new ExecError(pos, `undefined variable: ${name}`);
  }

  private lookupVar(scope: Scope, name: string, pos: number): unknown {
    for (let i = scope.vars.length - 1; i >= 0; i--) {
      const v = scope.vars[i];
      if (v !== undefined && v.name === name) return v.value;
    }
    throw new ExecError(pos, `undefined variable: ${name}`);
  }

  private async pipe(p: Pipe, dot: unknown, scope: Scope): Promise<unknown> {
    let v: unknown = undefined;
    let first = true;
    for (const c of p.cmds) {
      v = await this.command(c, dot, scope, first ? null : { v });
      first = false;
    }
    if (p.decl !== null) {
      for (const name of p.decl.names) this.setVar(scope, name, v, p.decl.assign, p.pos);
    }
    return v;
  }

  private async command(c: Command, dot: unknown, scope: Scope, piped: { v: unknown } | null): Promise<unknown> {
    this.step(c.pos);
    const [head, ...rest] = c.args;
    if (head === undefined) throw new ExecError(c.pos, 'empty command');
    if (head.t === 'ident') {
      const args: unknown[] = [];
      for (const a of rest) args.push(await this.operand(a, dot, scope, c.pos));
      if (piped !== null) args.push(piped.v);
      return this.call(head.name, args, c.pos);
    }
    if (rest.length > 0 || piped !== null) {
      if (head.t === 'dot' && head.fields.length > 0) throw new ExecError(c.pos, `can't give argument to non-function .${head.fields.join('.')}`);
      throw new ExecError(c.pos, `can't give argument to non-function ${describeOperand(head)}`);
    }
    return this.operand(head, dot, scope, c.pos);
  }

  private async call(name: string, args: unknown[], pos: number): Promise<unknown> {
    if (name === 'query') {
      if (this.ctx.query === null) throw new ExecError(pos, 'error calling query: no query engine is available here');
      if (args.length !== 1 || typeof args[0] !== 'string') throw new ExecError(pos, 'wrong number of args for query: want 1 string');
      try {
        return await this.ctx.query(args[0]);
      } catch (e) {
        throw new ExecError(pos, `error calling query: ${(e as Error).message}`);
      }
    }
    const fn = templateFuncs[name];
    if (fn === undefined) throw new ExecError(pos, `function "${name}" not defined`);
    try {
      return fn(this.ctx, args);
    } catch (e) {
      if (e instanceof TemplateFuncError) throw new ExecError(pos, e.message);
      throw e;
    }
  }

  private async operand(o: Operand, dot: unknown, scope: Scope, pos: number): Promise<unknown> {
    switch (o.t) {
      case 'string':
      case 'number':
      case 'bool':
        return o.v;
      case 'nil':
        return null;
      case 'ident':
        return this.call(o.name, [], pos);
      case 'dot':
        return fieldChain(dot, o.fields, pos);
      case 'var':
        return fieldChain(this.lookupVar(scope, o.name, pos), o.fields, pos);
      case 'pipe': {
        const mark = scope.vars.length;
        const v = await this.pipe(o.pipe, dot, scope);
        scope.vars.length = mark;
        return fieldChain(v, o.fields, pos);
      }
    }
  }
}

function describeOperand(o: Operand): string {
  switch (o.t) {
    case 'string':
      return JSON.stringify(o.v);
    case 'number':
    case 'bool':
      return String(o.v);
    case 'var':
      return o.name;
    default:
      return o.t;
  }
}

function fieldChain(v: unknown, fields: readonly string[], pos: number): unknown {
  for (const f of fields) {
    if (v === null || v === undefined) throw new ExecError(pos, `nil pointer evaluating .${f}`);
    if (typeof v !== 'object' || Array.isArray(v)) throw new ExecError(pos, `can't evaluate field ${f} in type ${typeof v}`);
    const m = v as Record<string, unknown>;
    // A label map is map[string]string in Go: a missing key yields "".
    v = Object.hasOwn(m, f) ? m[f] : Object.values(m).every((x) => typeof x === 'string') ? '' : undefined;
  }
  return v;
}

/** Parses and runs one template. Errors read like Go's: `template: NAME:LINE: …`. */
export async function expandTemplate(text: string, data: TemplateData, name = 'template', opts: ExpandOptions = {}): Promise<ExpandResult> {
  const parsed = parseTemplate(text, name);
  if (!parsed.ok) return { ok: false, error: `template: ${parsed.error}` };
  return runTemplate(parsed.value, data, opts);
}

async function runTemplate(tpl: ParsedTemplate, data: TemplateData, opts: ExpandOptions = {}): Promise<ExpandResult> {
  const limits = {
    ...defaultLimits,
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
    ...(opts.maxOutputBytes !== undefined ? { maxOutputBytes: opts.maxOutputBytes } : {}),
    ...(opts.maxTemplateCalls !== undefined ? { maxTemplateCalls: opts.maxTemplateCalls } : {}),
  };
  const externalLabels = data.externalLabels ?? {};
  const externalURL = data.externalURL ?? '';
  const dot = { Labels: data.labels, ExternalLabels: externalLabels, ExternalURL: externalURL, Value: data.value };
  const ctx: FuncContext = { query: opts.query ?? null, externalURL, pathPrefix: opts.pathPrefix ?? '' };
  const ex = new Executor(tpl, ctx, limits);
  const scope: Scope = {
    vars: [
      { name: '$', value: dot },
      { name: '$labels', value: data.labels },
      { name: '$externalLabels', value: externalLabels },
      { name: '$externalURL', value: externalURL },
      { name: '$value', value: data.value },
    ],
  };
  try {
    await ex.list(tpl.root, dot, scope);
    return { ok: true, text: ex.result() };
  } catch (e) {
    if (e instanceof ExecError) return { ok: false, error: `template: ${tpl.name}:${lineColOf(tpl.source, e.pos)}: executing "${tpl.name}": ${e.message}` };
    if (e instanceof LoopControl) return { ok: false, error: `template: ${tpl.name}: {{${e.kind}}} outside {{range}}` };
    return { ok: false, error: `template: ${tpl.name}: ${(e as Error).message}` };
  }
}


/**
 * An expander with the shape rule evaluation injects (`(template, data, name) → text`), throwing
 * the template's error so the rule can report it next to the alert.
 */
export function ruleTemplateExpander(opts: ExpandOptions = {}): (template: string, data: TemplateData, name: string) => Promise<string> {
  const cache = new Map<string, ReturnType<typeof parseTemplate>>();
  return async (template, data, name) => {
    const key = `${name}\u0000${template}`;
    let parsed = cache.get(key);
    if (parsed === undefined) {
      parsed = parseTemplate(template, name);
      if (cache.size > 10_000) cache.clear();
      cache.set(key, parsed);
    }
    if (!parsed.ok) throw new Error(`template: ${parsed.error}`);
    const r = await runTemplate(parsed.value, data, opts);
    if (!r.ok) throw new Error(r.error);
    return r.text;
  };
}
