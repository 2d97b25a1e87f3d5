/**
 * Loads a blackbox module file: YAML via `yaml` (with line numbers), validation via zod. Every
 * error names the file, the line and the field, e.g.
 * `blackbox.yml:7: modules.http_2xx.http.valid_status_code: unknown field (did you mean …?)`.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import {
  httpProbeSchema,
  icmpProbeSchema,
  moduleFileSchema,
  tcpProbeSchema,
  type ProbeModule,
} from './module-schema.js';

export class ModuleConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly { line: number; path: string; message: string }[],
  ) {
    super(problems.map((p) => `${file}:${p.line}: ${p.path === '' ? '' : p.path + ': '}${p.message}`).join('\n'));
  }
}

type PathKey = string | number;

/** Turns zod issues into file:line:field messages using the YAML node positions. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  lineOf: (path: readonly PathKey[]) => number,
): { line: number; path: string; message: string }[] {
  const out: { line: number; path: string; message: string }[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is PathKey => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ line: lineOf([...path, key]), path: [...path, key].join('.'), message: 'unknown field (not a blackbox_exporter option Vigil knows; check the spelling)' });
      }
      continue;
    }
    out.push({ line: lineOf(path), path: path.join('.'), message: issue.message });
  }
  return out;
}

/** A function mapping a field path to its 1-based line in `text` (the nearest existing parent). */
export function yamlLineLocator(text: string): { value: unknown; errors: { line: number; message: string }[]; lineOf: (p: readonly PathKey[]) => number } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const errors = doc.errors.map((e) => ({ line: counter.linePos(e.pos[0]).line, message: e.message.split('\n')[0] ?? e.message }));
  const lineOf = (path: readonly PathKey[]): number => {
    for (let n = path.length; n >= 0; n--) {
      const prefix = path.slice(0, n);
      // A key's own position is more useful than its value's, so look for the pair first.
      if (n > 0) {
        const parent = prefix.length === 1 ? doc.contents : doc.getIn(prefix.slice(0, -1), true);
        const items = (parent as { items?: { key?: unknown }[] } | null)?.items;
        const last = prefix[n - 1];
        const pair = items?.find((it) => isNode(it.key) && (it.key as { value?: unknown }).value === last);
        const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
        if (range) return counter.linePos(range[0]).line;
      }
      const node = n === 0 ? doc.contents : doc.getIn(prefix, true);
      const range = (node as { range?: [number, number, number] } | null)?.range;
      if (range) return counter.linePos(range[0]).line;
    }
    return 1;
  };
  return { value: errors.length > 0 ? undefined : doc.toJS(), errors, lineOf };
}

/** Fills in the prober's own section with defaults when the module omits it. */
function withDefaults(m: ProbeModule): ProbeModule {
  if (m.prober === 'http' && m.http === undefined) return { ...m, http: httpProbeSchema.parse({}) };
  if (m.prober === 'tcp' && m.tcp === undefined) return { ...m, tcp: tcpProbeSchema.parse({}) };
  if (m.prober === 'icmp' && m.icmp === undefined) return { ...m, icmp: icmpProbeSchema.parse({}) };
  return m;
}

export function parseModules(text: string, file = '<modules>'): Map<string, ProbeModule> {
  const { value, errors, lineOf } = yamlLineLocator(text);
  if (errors.length > 0) throw new ModuleConfigError(file, errors.map((e) => ({ line: e.line, path: '', message: `YAML: ${e.message}` })));
  const parsed = moduleFileSchema.safeParse(value ?? {});
  if (!parsed.success) throw new ModuleConfigError(file, describeIssues(parsed.error.issues, lineOf));
  const out = new Map<string, ProbeModule>();
  for (const [name, m] of Object.entries(parsed.data.modules)) out.set(name, withDefaults(m));
  return out;
}

export function loadModules(file: string): Map<string, ProbeModule> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ModuleConfigError(file, [{ line: 0, path: '', message: `cannot read the module file: ${(err as Error).message}` }]);
  }
  return parseModules(text, file);
}
