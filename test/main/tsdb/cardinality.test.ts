// Cardinality figures over the series index, as Prometheus' index/postings.go Stats computes them.
import { describe, it, expect } from 'vitest';
import { SeriesIndex } from '../../../main/tsdb/index-series.js';
import { cardinalityStats } from '../../../main/tsdb/cardinality.js';
import type { Labels } from '../../../main/tsdb/labels.js';

const ls = (o: Record<string, string>): Labels =>
  Object.keys(o)
    .sort()
    .map((name) => ({ name, value: o[name]! }));

describe('cardinalityStats', () => {
  const index = new SeriesIndex();
  for (let i = 0; i < 6; i++) index.getOrCreate(ls({ __name__: 'http_requests_total', job: 'api', path: `/p${i}` }));
  for (let i = 0; i < 3; i++) index.getOrCreate(ls({ __name__: 'up', job: i === 0 ? 'api' : `job${i}` }));
  index.getOrCreate(ls({ __name__: 'node_load1', job: 'node' }));

  it('ranks metrics, labels, label bytes and label pairs by series', () => {
    const s = cardinalityStats(index, 3);
    expect(s.numSeries).toBe(10);
    expect(s.seriesCountByMetricName).toEqual([
      { name: 'http_requests_total', value: 6 },
      { name: 'up', value: 3 },
      { name: 'node_load1', value: 1 },
    ]);
    expect(s.labelValueCountByLabelName).toEqual([
      { name: 'path', value: 6 },
      { name: 'job', value: 4 },
      { name: '__name__', value: 3 },
    ]);
    // Bytes of each value times its series: http_requests_total is 19 bytes × 6 series + up 2 × 3 + node_load1 10 × 1.
    expect(s.memoryInBytesByLabelName.find((x) => x.name === '__name__')).toEqual({ name: '__name__', value: 19 * 6 + 2 * 3 + 10 });
    expect(s.seriesCountByLabelValuePair).toEqual([
      { name: 'job=api', value: 7 },
      { name: '__name__=http_requests_total', value: 6 },
      { name: '__name__=up', value: 3 },
    ]);
    // name=value pairs: 3 metric names, 4 jobs, 6 paths.
    expect(s.numLabelPairs).toBe(13);
  });

  it('keeps at most `limit` entries, ties by name', () => {
    const s = cardinalityStats(index, 1);
    expect(s.seriesCountByMetricName).toEqual([{ name: 'http_requests_total', value: 6 }]);
    const all = cardinalityStats(index, 100);
    expect(all.seriesCountByLabelValuePair.filter((p) => p.value === 1).map((p) => p.name).slice(0, 3)).toEqual(['__name__=node_load1', 'job=job1', 'job=job2']);
  });
});
