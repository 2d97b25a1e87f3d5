/**
 * Reads prometheus.yml: YAML with node positions → zod schema → a typed `Config`, or a list of
 * errors that each name file, line and field (`prometheus.yml:12: scrape_configs[0].
 * scrape_interval: invalid duration "5x"`). Never throws for bad input.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export class ConfigError {
  constructor(
    readonly file: string,
    /** 1-based; 0 when the problem has no place in the file (e.g. it cannot be read). */
    readonly line: number,
    /** `scrape_configs[0].scrape_interval`, or '' for the whole file. */
    readonly field: string,
    readonly message: string,
  ) {}

  toString(): string {
    const where = this.line > 0 ? `${this.file}:${this.line}` : this.file;
    return this.field === '' ? `${where}: ${this.message}` : `${where}: ${this.field}: ${this.message}`;
  }
}

export type LoadResult =
  | { readonly ok: true; readonly config: Config; readonly file: string; readonly text: string }
  | { readonly ok: false; readonly errors: readonly ConfigError[]; readonly file: string };

/** `['scrape_configs', 0, 'job_name']` → `scrape_configs[0].job_name`. */
function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += (out === '' ? '' : '.') + String(seg);
  }
  return out;
}

type Located = { node: Node | null; keyNode: Node | null };

/** The deepest node along `path` (and the key node naming it), for a line number. */
function locate(root: Node | null, path: readonly PropertyKey[]): Located {
  let node: Node | null = root;
  let keyNode: Node | null = null;
  for (const seg of path) {
    if (node !== null && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) break;
      keyNode = isScalar(pair.key) ? pair.key : null;
      node = (pair.value as Node | null) ?? keyNode;
    } else if (node !== null && isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (item === undefined) break;
      node = item;
      keyNode = null;
    } else {
      break;
    }
  }
  return { node, keyNode };
}

function lineOf(node: Node | null, lc: LineCounter): number {
  const start = node?.range?.[0];
  return start === undefined ? 1 : lc.linePos(start).line;
}

/**
 * Go's YAML decoder decides a scalar's type from the field it fills; `yaml` decides from the
 * text. Hand every scalar to the schema as its source text (so `version: 1.10` stays "1.10"),
 * and drop `key:` pairs with no value (Go leaves such fields at their zero value).
 */
function normalizeScalars(doc: ReturnType<typeof parseDocument>): void {
  visit(doc, {
    Pair(_, pair) {
      if (isPair(pair) && (pair.value === null || (isScalar(pair.value) && pair.value.value === null))) return visit.REMOVE;
      return undefined;
    },
    Scalar(_, node) {
      if (node.value !== null && typeof node.value !== 'string') node.value = node.source ?? String(node.value);
    },
  });
}

const fileKey = /_file$/;
const fileListKeys = new Set(['files', 'rule_files']);

/** Relative paths in the config are relative to the config file, as in Prometheus. */
function resolvePaths(value: unknown, dir: string, depth = 0): void {
  if (depth > 32 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) resolvePaths(v, dir, depth + 1);
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if (fileKey.test(k) && typeof v === 'string' && v !== '' && !isAbsolute(v)) obj[k] = resolve(dir, v);
    else if (fileListKeys.has(k) && Array.isArray(v)) obj[k] = v.map((f) => (typeof f === 'string' && !isAbsolute(f) ? resolve(dir, f) : f));
    else resolvePaths(v, dir, depth + 1);
  }
}

function issueErrors(issue: z.core.$ZodIssue, file: string, root: Node | null, lc: LineCounter): ConfigError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const { keyNode, node } = locate(root, [...issue.path, key]);
      const field = formatFieldPath([...issue.path, key]);
      return new ConfigError(file, lineOf(keyNode ?? node, lc), field, `unknown field ${JSON.stringify(key)}; check the spelling and the indentation`);
    });
  }
  const { node, keyNode } = locate(root, issue.path);
  const field = formatFieldPath(issue.path);
  // A missing required field has no node: point at its parent and say it is missing.
  const missing = issue.code === 'invalid_type' && field !== '' && !hasPath(root, issue.path);
  const message = missing ? 'required field is missing' : issue.code === 'invalid_type' ? typeMessage(issue.expected, node) : issue.message;
  return [new ConfigError(file, lineOf(issue.code === 'invalid_type' ? (node ?? keyNode) : (keyNode ?? node), lc), field, message)];
}

const kindNames: Readonly<Record<string, string>> = { array: 'a list', object: 'a mapping', record: 'a mapping', string: 'a single value' };

/** zod's "expected array, received object" in YAML words. */
function typeMessage(expected: string, node: Node | null): string {
  const got = node === null ? 'nothing' : isMap(node) ? 'a mapping' : isSeq(node) ? 'a list' : 'a single value';
  return `expected ${kindNames[expected] ?? expected}, got ${got}; check the indentation and the \`-\` list markers`;
}

function hasPath(root: Node | null, path: readonly PropertyKey[]): boolean {
  let node: Node | null = root;
  for (const seg of path) {
    if (node !== null && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) return false;
      node = pair.value as Node | null;
    } else if (node !== null && isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (item === undefined) return false;
      node = item;
    } else {
      return false;
    }
  }
  return true;
}

const maxFlowDepth = 64;
const maxIndent = 400;

/**
 * The YAML parser recurses per nesting level; refuse absurd nesting up front (a real config
 * nests under 10 levels) instead of letting it burn a second finding the stack's end.
 * Returns the 1-based line of the first offence, or 0.
 */
function tooDeep(text: string): number {
  let depth = 0;
  let line = 1;
  let quote: string | null = null;
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      lineStart = true;
      indent = 0;
      if (quote === "'") quote = null; // single-quoted scalars rarely span lines; stay lenient
      continue;
    }
    if (lineStart) {
      // Leading spaces and compact "- " markers both add a level.
      if (ch === ' ' || (ch === '-' && text[i + 1] === ' ')) {
        indent++;
        if (indent > maxIndent) return line;
        continue;
      }
      lineStart = false;
    }
    if (quote !== null) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"') i++;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') {
      const nl = text.indexOf('\n', i);
      i = (nl < 0 ? text.length : nl) - 1;
    } else if (ch === '[' || ch === '{') {
      if (++depth > maxFlowDepth) return line;
    } else if (ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
  }
  return 0;
}

/** Parses config text; `file` is used in messages and to resolve relative paths. */
export function parseConfig(text: string, file: string): LoadResult {
  const r = parseYamlWithSchema(text, file, configSchema, { kind: 'prometheus.yml', noun: 'config', example: 'global:, scrape_configs:, …' });
  return r.ok ? { ok: true, file, text, config: r.value } : { ok: false, file, errors: r.errors };
}

/**
 * YAML text → a schema's type, or errors naming file, line and field: the one loader for
 * prometheus.yml and the other YAML files Vigil reads (the web config). Relative `*_file`
 * paths are resolved against the file's directory. Never throws for bad input.
 */
export function parseYamlWithSchema<T>(
  text: string,
  file: string,
  schema: z.ZodType<T>,
  describe: { kind: string; noun: string; example: string },
): { ok: true; value: T } | { ok: false; errors: ConfigError[] } {
  const deepAt = tooDeep(text);
  if (deepAt > 0) {
    return { ok: false, errors: [new ConfigError(file, deepAt, '', `YAML nested too deeply (over ${maxFlowDepth} brackets or ${maxIndent} columns of indentation); check the file is a ${describe.kind}`)] };
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => new ConfigError(file, e.linePos?.[0].line ?? 0, '', `YAML syntax: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`)),
    };
  }
  normalizeScalars(doc);
  const root = (doc.contents as Node | null) ?? null;
  let js: unknown;
  try {
    // maxAliasCount bounds alias expansion ("billion laughs").
    js = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    return { ok: false, errors: [new ConfigError(file, 0, '', `YAML: ${err instanceof Error ? err.message : String(err)}`)] };
  }
  if (typeof js !== 'object' || Array.isArray(js)) {
    return { ok: false, errors: [new ConfigError(file, 1, '', `the ${describe.noun} must be a YAML mapping (${describe.example})`)] };
  }
  resolvePaths(js, dirname(resolve(file)));
  const parsed = schema.safeParse(js);
  if (!parsed.success) {
    const errors = parsed.error.issues.flatMap((i) => issueErrors(i, file, root, lc));
    errors.sort((a, b) => a.line - b.line);
    return { ok: false, errors };
  }
  return { ok: true, value: parsed.data };
}

/** Reads and parses a config file. */
export async function loadConfig(file: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, file, errors: [new ConfigError(file, 0, '', `cannot read the config file: ${why}`)] };
  }
  return parseConfig(text, file);
}
