/**
 * Prometheus relabeling (model/relabel/relabel.go): applies relabel_configs to a label set.
 * `relabel` is the hot path (targets and, via metric_relabel_configs, every scraped series);
 * `relabelSteps` replays the same rules and records each step for the relabel debugger.
 */
import { createHash } from 'node:crypto';
import { compileRegex, expandTemplate, type GoRegex } from '../../app/dialect/regex.js';
import { legacyLabelNameRe } from '../config/schema-common.js';
import type { RelabelAction, RelabelConfig } from '../config/schema-relabel.js';
import { compareStrings, type Label, type Labels } from '../tsdb/labels.js';
import type { RelabelStep } from './target-types.js';

interface Compiled {
  readonly cfg: RelabelConfig;
  readonly re: GoRegex;
  /** Replace fast path: default regex and no `$` in target/replacement, as Prometheus checks. */
  readonly plainReplace: boolean;
}

const compiledCache = new WeakMap<RelabelConfig, Compiled>();

function compile(cfg: RelabelConfig): Compiled {
  let c = compiledCache.get(cfg);
  if (c === undefined) {
    c = {
      cfg,
      re: compileRegex(cfg.regex, 'prometheus'),
      plainReplace: cfg.regex === '(.*)' && !cfg.target_label.includes('$') && !cfg.replacement.includes('$'),
    };
    compiledCache.set(cfg, c);
  }
  return c;
}

function md5Mod(value: string, modulus: number): string {
  const hash = createHash('md5').update(value, 'utf8').digest();
  // Prometheus uses the last 8 bytes as a big-endian uint64, then mod N.
  const n = hash.readBigUInt64BE(8) % BigInt(modulus);
  return n.toString();
}

/**
 * A label set being relabeled. Reads go to the original sorted array until a rule changes
 * something; only then is a map built. keep/drop-only rule lists (the usual
 * metric_relabel_configs) therefore allocate nothing and return the input unchanged.
 *
 * Iteration order (it decides which value wins when labelmap maps two names onto one) is
 * Prometheus' labels.Builder.Range: untouched original labels in sorted order, then labels set
 * by earlier rules in the order they were first set. A Map keeps that order if a label is
 * moved to the end the first time a rule sets it.
 */
class Builder {
  private map: Map<string, string> | null = null;
  /** Names set by a rule since they were last deleted (Prometheus' Builder.add). */
  private readonly added = new Set<string>();

  constructor(private base: Labels) {}

  get(name: string): string {
    if (this.map !== null) return this.map.get(name) ?? '';
    for (const l of this.base) if (l.name === name) return l.value;
    return '';
  }

  set(name: string, value: string): void {
    const m = this.mutable();
    if (value === '') {
      m.delete(name);
      this.added.delete(name);
      return;
    }
    if (!this.added.has(name)) {
      m.delete(name); // move to the end, after the untouched labels
      this.added.add(name);
    }
    m.set(name, value);
  }

  /** Keeps the labels whose name passes `keep`; filters the sorted array without a map. */
  filterNames(keep: (name: string) => boolean): void {
    if (this.map !== null) {
      for (const name of [...this.map.keys()]) {
        if (keep(name)) continue;
        this.map.delete(name);
        this.added.delete(name);
      }
    } else if (!this.base.every((l) => keep(l.name))) {
      this.base = this.base.filter((l) => keep(l.name));
    }
  }

  /** A snapshot of the current pairs (safe to iterate while mutating). */
  entries(): [string, string][] {
    return this.map !== null ? [...this.map] : this.base.map((l) => [l.name, l.value]);
  }

  labels(): Labels {
    if (this.map === null) return this.base;
    const out: Label[] = [];
    for (const [name, value] of this.map) out.push({ name, value });
    return out.sort((a, b) => compareStrings(a.name, b.name));
  }

  private mutable(): Map<string, string> {
    if (this.map === null) this.map = new Map(this.base.map((l) => [l.name, l.value]));
    return this.map;
  }
}

/** One rule; false means the label set is dropped. */
const actions: Readonly<Record<RelabelAction, (c: Compiled, lb: Builder, val: string) => boolean>> = {
  drop: (c, _lb, val) => !c.re.test(val),
  keep: (c, _lb, val) => c.re.test(val),
  dropequal: (c, lb, val) => lb.get(c.cfg.target_label) !== val,
  keepequal: (c, lb, val) => lb.get(c.cfg.target_label) === val,
  replace: (c, lb, val) => {
    if (val === '' && c.plainReplace) {
      lb.set(c.cfg.target_label, c.cfg.replacement);
      return true;
    }
    const m = c.re.exec(val);
    if (m === null) return true;
    const target = expandTemplate(c.cfg.target_label, m);
    if (!legacyLabelNameRe.test(target)) return true;
    lb.set(target, expandTemplate(c.cfg.replacement, m));
    return true;
  },
  lowercase: (c, lb, val) => {
    lb.set(c.cfg.target_label, val.toLowerCase());
    return true;
  },
  uppercase: (c, lb, val) => {
    lb.set(c.cfg.target_label, val.toUpperCase());
    return true;
  },
  hashmod: (c, lb, val) => {
    lb.set(c.cfg.target_label, md5Mod(val, c.cfg.modulus));
    return true;
  },
  labelmap: (c, lb) => {
    for (const [name, value] of lb.entries()) {
      const m = c.re.exec(name);
      if (m !== null) lb.set(expandTemplate(c.cfg.replacement, m), value);
    }
    return true;
  },
  labeldrop: (c, lb) => {
    lb.filterNames((name) => !c.re.test(name));
    return true;
  },
  labelkeep: (c, lb) => {
    lb.filterNames((name) => c.re.test(name));
    return true;
  },
};

function sourceValue(c: Compiled, lb: Builder): string {
  const names = c.cfg.source_labels;
  if (names.length === 1) return lb.get(names[0]!);
  let val = '';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) val += c.cfg.separator;
    val += lb.get(names[i]!);
  }
  return val;
}

/**
 * Applies `configs` in order; null when a keep/drop rule drops the set. The input is never
 * mutated; when no rule changed anything the input itself is returned.
 */
export function relabel(labels: Labels, configs: readonly RelabelConfig[]): Labels | null {
  if (configs.length === 0) return labels;
  const lb = new Builder(labels);
  for (const cfg of configs) {
    const c = compile(cfg);
    if (!actions[cfg.action](c, lb, sourceValue(c, lb))) return null;
  }
  return lb.labels();
}

/** Like `relabel`, recording every rule's before/after; stops at the rule that drops. */
export function relabelSteps(labels: Labels, configs: readonly RelabelConfig[]): RelabelStep[] {
  const steps: RelabelStep[] = [];
  // One builder for all steps, as in `relabel`, so label order (and thus results) agree.
  const lb = new Builder(labels);
  let before = labels;
  for (let index = 0; index < configs.length; index++) {
    const cfg = configs[index]!;
    const c = compile(cfg);
    const kept = actions[cfg.action](c, lb, sourceValue(c, lb));
    const after = kept ? lb.labels() : before;
    steps.push({ index, action: cfg.action, before, after, dropped: !kept });
    if (!kept) break;
    before = after;
  }
  return steps;
}

/** Binds a rule list into a function, as the scrape loop wants for metric_relabel_configs. */
export function relabelFn(configs: readonly RelabelConfig[]): (labels: Labels) => Labels | null {
  if (configs.length === 0) return (labels) => labels;
  for (const cfg of configs) compile(cfg); // fail early on a bad regex, not on the first sample
  return (labels) => relabel(labels, configs);
}
