/**
 * Vigil's own metrics (`/metrics`): a tiny registry of counters, gauges and histograms with
 * labels, rendered as Prometheus text 0.0.4. Subsystems either own metric objects or register a
 * collector callback that reads their state at scrape time (cheaper for figures they already keep).
 */

type LabelValues = Readonly<Record<string, string>>;

function labelKey(labels: LabelValues): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]!.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`)
    .join(',');
}

function fmt(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export interface Sample {
  name: string;
  labels: LabelValues;
  value: number;
}

export interface Collector {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'untyped';
  collect(): Sample[];
}

export class Counter implements Collector {
  readonly type = 'counter';
  private readonly values = new Map<string, { labels: LabelValues; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: LabelValues = {}, by = 1): void {
    const k = labelKey(labels);
    const cur = this.values.get(k);
    if (cur) cur.value += by;
    else this.values.set(k, { labels, value: by });
  }
  get(labels: LabelValues = {}): number {
    return this.values.get(labelKey(labels))?.value ?? 0;
  }
  collect(): Sample[] {
    return [...this.values.values()].map((v) => ({ name: this.name, labels: v.labels, value: v.value }));
  }
}

export class Gauge implements Collector {
  readonly type = 'gauge';
  private readonly values = new Map<string, { labels: LabelValues; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  set(value: number, labels: LabelValues = {}): void {
    this.values.set(labelKey(labels), { labels, value });
  }
  collect(): Sample[] {
    return [...this.values.values()].map((v) => ({ name: this.name, labels: v.labels, value: v.value }));
  }
}

export class Histogram implements Collector {
  readonly type = 'histogram';
  private readonly series = new Map<string, { labels: LabelValues; counts: Float64Array; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  ) {}
  observe(value: number, labels: LabelValues = {}): void {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { labels, counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  collect(): Sample[] {
    const out: Sample[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => out.push({ name: `${this.name}_bucket`, labels: { ...s.labels, le: fmt(b) }, value: s.counts[i]! }));
      out.push({ name: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
      out.push({ name: `${this.name}_sum`, labels: s.labels, value: s.sum });
      out.push({ name: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return out;
  }
}

/** A collector computed at scrape time from someone else's state. */
export function callbackCollector(name: string, help: string, type: Collector['type'], collect: () => Sample[] | number): Collector {
  return {
    name,
    help,
    type,
    collect() {
      const r = collect();
      return typeof r === 'number' ? [{ name, labels: {}, value: r }] : r;
    },
  };
}

export class MetricsRegistry {
  private readonly collectors = new Map<string, Collector>();

  register<C extends Collector>(collector: C): C {
    if (this.collectors.has(collector.name)) throw new Error(`metric ${collector.name} registered twice`);
    this.collectors.set(collector.name, collector);
    return collector;
  }

  counter(name: string, help: string): Counter {
    return this.register(new Counter(name, help));
  }
  gauge(name: string, help: string): Gauge {
    return this.register(new Gauge(name, help));
  }
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram {
    return this.register(new Histogram(name, help, buckets));
  }

  /** Prometheus text exposition 0.0.4. A failing collector is skipped, not fatal. */
  render(): string {
    const parts: string[] = [];
    for (const c of [...this.collectors.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      let samples: Sample[];
      try {
        samples = c.collect();
      } catch {
        continue;
      }
      parts.push(renderFamily(c, samples));
    }
    return parts.join('');
  }
}

/** One metric family as Prometheus text 0.0.4: HELP, TYPE, then its samples in the order given. */
export function renderFamily(c: Pick<Collector, 'name' | 'help' | 'type'>, samples: readonly Sample[]): string {
  const parts = [`# HELP ${c.name} ${c.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${c.name} ${c.type}\n`];
  for (const s of samples) {
    const l = labelKey(s.labels);
    parts.push(`${s.name}${l === '' ? '' : `{${l}}`} ${fmt(s.value)}\n`);
  }
  return parts.join('');
}
