/**
 * Cardinality figures of the series index in the shape of Prometheus' /api/v1/status/tsdb
 * (index/postings.go Stats): the top `limit` metric names by series, label names by number of
 * values, label names by bytes of values over their series, and label pairs by series. Read
 * straight from the postings, one pass over them.
 */
import type { SeriesIndex } from './index-series.js';

interface Stat {
  name: string;
  value: number;
}

export interface CardinalityStats {
  numSeries: number;
  numLabelPairs: number;
  seriesCountByMetricName: Stat[];
  labelValueCountByLabelName: Stat[];
  memoryInBytesByLabelName: Stat[];
  seriesCountByLabelValuePair: Stat[];
}

/** Keeps the `limit` largest, ties by name, without sorting everything. */
class TopK {
  private readonly items: Stat[] = [];
  constructor(private readonly limit: number) {}
  push(name: string, value: number): void {
    if (this.items.length >= this.limit && value <= this.items[this.items.length - 1]!.value) return;
    this.items.push({ name, value });
    this.items.sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1));
    if (this.items.length > this.limit) this.items.pop();
  }
  result(): Stat[] {
    return this.items;
  }
}

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

export function cardinalityStats(index: SeriesIndex, limit: number): CardinalityStats {
  const metrics = new TopK(limit);
  const valueCounts = new TopK(limit);
  const memory = new TopK(limit);
  const pairs = new TopK(limit);
  let numLabelPairs = 0;
  for (const [nameId, byValue] of index.postings) {
    const name = index.strings.get(nameId);
    let bytes = 0;
    for (const [valueId, list] of byValue) {
      const value = index.strings.get(valueId);
      const series = list.length;
      if (name === '__name__') metrics.push(value, series);
      pairs.push(`${name}=${value}`, series);
      bytes += byteLength(value) * series;
      numLabelPairs++;
    }
    valueCounts.push(name, byValue.size);
    memory.push(name, bytes);
  }
  return {
    numSeries: index.count,
    numLabelPairs,
    seriesCountByMetricName: metrics.result(),
    labelValueCountByLabelName: valueCounts.result(),
    memoryInBytesByLabelName: memory.result(),
    seriesCountByLabelValuePair: pairs.result(),
  };
}
