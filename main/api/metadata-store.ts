/**
 * Metric metadata (TYPE, HELP, UNIT) learned from scraped pages and imported files, by metric
 * family name, for `/api/v1/metadata` and the editor's completion. In memory: it is rebuilt by
 * the next scrape after a restart, as in Prometheus.
 */
export interface MetricMetadata {
  type: string;
  help: string;
  unit: string;
}

export class MetadataStore {
  private readonly byName = new Map<string, MetricMetadata>();

  set(name: string, patch: Partial<MetricMetadata>): void {
    const cur = this.byName.get(name);
    if (cur) {
      if (patch.type !== undefined) cur.type = patch.type;
      if (patch.help !== undefined) cur.help = patch.help;
      if (patch.unit !== undefined) cur.unit = patch.unit;
      return;
    }
    this.byName.set(name, { type: patch.type ?? '', help: patch.help ?? '', unit: patch.unit ?? '' });
  }

  /** Metadata of a sample's metric name: exact, or of its family (`_total`, `_bucket`, `_sum`, `_count`). */
  lookup(metric: string): MetricMetadata | undefined {
    const exact = this.byName.get(metric);
    if (exact) return exact;
    const family = metric.replace(/_(total|bucket|sum|count|created|info)$/, '');
    return family === metric ? undefined : this.byName.get(family);
  }

  get size(): number {
    return this.byName.size;
  }
}
