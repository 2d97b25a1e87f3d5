import { parseModules } from '../../../main/probe/module-config.js';
import type { ProbeModule } from '../../../main/probe/module-schema.js';
import type { ProbeResult, ProbeSample } from '../../../main/probe/types.js';

/** One module from a YAML snippet (the `modules:` body of a blackbox file). */
export function moduleFrom(yaml: string): ProbeModule {
  const m = parseModules(`modules:\n  m:\n${yaml.replace(/^/gm, '    ')}\n`).get('m');
  if (!m) throw new Error('module not parsed');
  return m;
}

export function sample(r: ProbeResult, name: string, labels: Record<string, string> = {}): number | undefined {
  return r.samples.find((s) => s.name === name && sameLabels(s, labels))?.value;
}

function sameLabels(s: ProbeSample, labels: Record<string, string>): boolean {
  const a = Object.keys(s.labels);
  return a.length === Object.keys(labels).length && a.every((k) => s.labels[k] === labels[k]);
}

export function names(r: ProbeResult): string[] {
  return [...new Set(r.samples.map((s) => s.name))].sort();
}

export function logText(r: ProbeResult): string {
  return r.log.map((e) => `${e.level} ${e.phase} ${e.msg} ${JSON.stringify(e.fields ?? {})}`).join('\n');
}
