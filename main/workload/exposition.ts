/** Renders workload families as Prometheus text 0.0.4 or OpenMetrics 1.0 sample lines. */
import type { Family } from './fleet.js';

export type Format = 'prometheus' | 'openmetrics';

function sampleName(family: Family): string {
  return family.type === 'counter' ? `${family.name}_total` : family.name;
}

export function familyHeader(family: Family, format: Format): string {
  const name = format === 'openmetrics' ? family.name : sampleName(family);
  return `# HELP ${name} ${family.help}\n# TYPE ${name} ${family.type}\n`;
}

function series(name: string, labels: string, extra?: string): string {
  const all = extra === undefined ? labels : labels === '' ? extra : `${labels},${extra}`;
  return all === '' ? name : `${name}{${all}}`;
}

/**
 * Precomputed line prefixes (`name{labels} `) of every sample a member produces, in the order of
 * `Member.values`, so rendering a page is string concatenation only.
 */
export function memberPrefixes(family: Family, labels: string): string[] {
  if (family.type !== 'histogram') return [series(sampleName(family), labels) + ' '];
  const out = family.buckets!.map((b) => series(`${family.name}_bucket`, labels, `le="${b}"`) + ' ');
  out.push(series(`${family.name}_bucket`, labels, 'le="+Inf"') + ' ');
  out.push(series(`${family.name}_sum`, labels) + ' ', series(`${family.name}_count`, labels) + ' ');
  return out;
}

/** A whole scrape page for one target at its current state. */
export class PageRenderer {
  private readonly prefixes: string[][][];
  constructor(
    private readonly families: readonly Family[],
    private readonly format: Format = 'prometheus',
  ) {
    this.prefixes = families.map((f) => f.members.map((m) => memberPrefixes(f, m.labels)));
  }

  render(): string {
    const parts: string[] = [];
    this.families.forEach((family, fi) => {
      parts.push(familyHeader(family, this.format));
      family.members.forEach((member, mi) => {
        const prefixes = this.prefixes[fi]![mi]!;
        for (let i = 0; i < prefixes.length; i++) parts.push(prefixes[i]! + member.values[i]! + '\n');
      });
    });
    if (this.format === 'openmetrics') parts.push('# EOF\n');
    return parts.join('');
  }
}
