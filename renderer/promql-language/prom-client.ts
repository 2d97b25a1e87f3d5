/**
 * What the editor needs to know about the data, behind a small interface (the shape of
 * codemirror-promql's PrometheusClient) so completion is testable without the UI or a server.
 */
export interface MetricMetadata {
  name: string;
  type: string;
  help: string;
  unit: string;
}

export interface PromClient {
  /** Label names, scoped to series matching `match` selectors when given. */
  labelNames(match?: string[]): Promise<string[]>;
  /** Values of `name`, scoped by `match`; `search` filters on the server, `limit` bounds the answer. */
  labelValues(name: string, opts?: { match?: string[]; search?: string; limit?: number }): Promise<string[]>;
  /** Metric metadata (type and HELP) by name, optionally filtered. */
  metricMetadata(opts?: { search?: string; limit?: number }): Promise<MetricMetadata[]>;
}

/** Caches answers for a short time so typing does not re-ask the engine on every key. */
export class CachingPromClient implements PromClient {
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();
  constructor(
    private readonly inner: PromClient,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value as Promise<T>;
    const value = load();
    this.cache.set(key, { at: this.now(), value });
    value.catch(() => this.cache.delete(key));
    if (this.cache.size > 500) this.cache.delete(this.cache.keys().next().value!);
    return value;
  }

  labelNames(match?: string[]): Promise<string[]> {
    return this.cached(`n|${match?.join('\n') ?? ''}`, () => this.inner.labelNames(match));
  }
  labelValues(name: string, opts?: { match?: string[]; search?: string; limit?: number }): Promise<string[]> {
    return this.cached(`v|${name}|${opts?.match?.join('\n') ?? ''}|${opts?.search ?? ''}|${opts?.limit ?? ''}`, () =>
      this.inner.labelValues(name, opts),
    );
  }
  metricMetadata(opts?: { search?: string; limit?: number }): Promise<MetricMetadata[]> {
    return this.cached(`m|${opts?.search ?? ''}|${opts?.limit ?? ''}`, () => this.inner.metricMetadata(opts));
  }
}
