/**
 * What a host collector produces: metric families shaped as node_exporter prints them (name,
 * HELP, TYPE, samples), rendered by the one text-exposition writer in main/util/metrics.ts.
 */
import { renderFamily, type Sample } from '../util/metrics.js';

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'untyped';
  samples: Sample[];
}

/** A family whose samples all carry the family's name. */
export function family(name: string, help: string, type: Family['type'], samples: Array<{ labels?: Record<string, string>; value: number }> = []): Family {
  return { name, help, type, samples: samples.map((s) => ({ name, labels: s.labels ?? {}, value: s.value })) };
}

/** Adds samples to the family called `name`, creating it on first use (order of first use kept). */
export class FamilySet {
  private readonly byName = new Map<string, Family>();
  add(name: string, help: string, type: Family['type'], value: number, labels: Record<string, string> = {}): void {
    let f = this.byName.get(name);
    if (!f) {
      f = family(name, help, type);
      this.byName.set(name, f);
    }
    f.samples.push({ name, labels, value });
  }
  families(): Family[] {
    return [...this.byName.values()];
  }
}

export function renderFamilies(families: readonly Family[]): string {
  return [...families]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => renderFamily(f, f.samples))
    .join('');
}
