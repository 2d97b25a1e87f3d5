/**
 * Which collectors run: node_exporter's flags (`--collector.<name>`, `--no-collector.<name>`,
 * `--collector.disable-defaults`) and its per-request `collect[]` / `exclude[]` parameters.
 */
export class CollectorFilterError extends Error {}

/** Every collector is on by default, as node_exporter's defaults for these. */
export function enabledCollectors(known: readonly string[], flags: readonly string[]): Set<string> {
  const enabled = new Set(flags.includes('--collector.disable-defaults') ? [] : known);
  for (const f of flags) {
    if (f === '--collector.disable-defaults') continue;
    const m = /^--(no-)?collector\.([a-z_]+)$/.exec(f);
    if (!m) throw new CollectorFilterError(`${f}: not a collector flag (use --collector.NAME or --no-collector.NAME)`);
    const name = m[2]!;
    if (!known.includes(name)) throw new CollectorFilterError(`${f}: unknown collector "${name}" (known: ${known.join(', ')})`);
    if (m[1]) enabled.delete(name);
    else enabled.add(name);
  }
  return enabled;
}

/** Splits a command line's collector flags from the rest. */
export function takeCollectorFlags(args: readonly string[]): { collectorFlags: string[]; rest: string[] } {
  const collectorFlags: string[] = [];
  const rest: string[] = [];
  for (const a of args) (/^--(no-)?collector\./.test(a) ? collectorFlags : rest).push(a);
  return { collectorFlags, rest };
}

/** node_exporter's per-scrape filter: `collect[]` keeps only those, `exclude[]` drops those; unknown names are errors. */
export function requestCollectors(enabled: ReadonlySet<string>, collect: readonly string[], exclude: readonly string[]): Set<string> {
  if (collect.length > 0 && exclude.length > 0) throw new CollectorFilterError('collect[] and exclude[] cannot be combined');
  for (const n of [...collect, ...exclude]) {
    if (!enabled.has(n)) throw new CollectorFilterError(`unknown or disabled collector "${n}" (enabled: ${[...enabled].sort().join(', ')})`);
  }
  if (collect.length > 0) return new Set(collect);
  return new Set([...enabled].filter((n) => !exclude.includes(n)));
}
