import type { Variable } from './model.js';

/**
 * Variable references in Grafana's syntaxes: `$name`, `${name}`, `${name:format}`,
 * `${name.field}`, `[[name]]` and `[[name:format]]` (Grafana's variableRegex).
 */
const variableRef = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/** Names of the variables a text refers to, in order of first use. */
function referencedVariables(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(variableRef)) {
    const name = m[1] ?? m[2] ?? m[4];
    if (name !== undefined) out.add(name);
  }
  return [...out];
}

/**
 * The dashboard variables (of `names`) a panel refers to anywhere in its model (queries, legends,
 * title, interval, links): a panel with none can load before the variables resolve.
 */
export function panelVariableNames(panel: unknown, names: readonly string[]): string[] {
  const known = new Set(names);
  return referencedVariables(JSON.stringify(panel)).filter((n) => known.has(n));
}

/** The text of a variable whose value depends on other variables: query, regex, datasource. */
function dependencyText(v: Variable): string {
  const query = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
  const ds = typeof v.datasource === 'string' ? v.datasource : v.datasource && typeof v.datasource === 'object' ? (v.datasource.uid ?? '') : '';
  return [query, v.regex ?? '', ds].join('\n');
}

/** For each variable, the other dashboard variables it uses (unknown names are not edges). */
export function variableDependencies(list: readonly Variable[]): Map<string, string[]> {
  const names = new Set(list.map((v) => v.name));
  const deps = new Map<string, string[]>();
  for (const v of list) deps.set(v.name, referencedVariables(dependencyText(v)).filter((n) => names.has(n)));
  return deps;
}

/** A loop of variables that use each other (`[a, b, a]`), or null when there is none. */
export function findVariableLoop(list: readonly Variable[]): string[] | null {
  const deps = variableDependencies(list);
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === 'done') return null;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const next of deps.get(name) ?? []) {
      const loop = visit(next);
      if (loop) return loop;
    }
    path.pop();
    state.set(name, 'done');
    return null;
  };
  for (const name of deps.keys()) {
    const loop = visit(name);
    if (loop) return loop;
  }
  return null;
}
