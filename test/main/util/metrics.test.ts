import { describe, expect, it } from 'vitest';
import { MetricsRegistry, callbackCollector } from '../../../main/util/metrics.js';

describe('metrics registry', () => {
  it('renders counters, gauges, histograms and callbacks as Prometheus text', () => {
    const r = new MetricsRegistry();
    const c = r.counter('vigil_scrapes_total', 'Scrapes.');
    c.inc({ job: 'a' });
    c.inc({ job: 'a' }, 2);
    r.gauge('vigil_head_series', 'Series in the head.').set(42);
    const h = r.histogram('vigil_query_seconds', 'Query time.', [0.1, 1]);
    h.observe(0.05);
    h.observe(0.5);
    r.register(callbackCollector('vigil_up', 'Always 1.', 'gauge', () => 1));
    const text = r.render();
    expect(text).toContain('# TYPE vigil_scrapes_total counter\nvigil_scrapes_total{job="a"} 3\n');
    expect(text).toContain('vigil_head_series 42\n');
    expect(text).toContain('vigil_query_seconds_bucket{le="0.1"} 1\n');
    expect(text).toContain('vigil_query_seconds_bucket{le="1"} 2\n');
    expect(text).toContain('vigil_query_seconds_bucket{le="+Inf"} 2\n');
    expect(text).toContain('vigil_query_seconds_count 2\n');
    expect(text).toContain('vigil_up 1\n');
    expect(() => r.counter('vigil_up', 'again')).toThrow(/registered twice/);
  });

  it('escapes label values', () => {
    const r = new MetricsRegistry();
    r.gauge('g', 'h').set(1, { path: 'a"b\\c\nd' });
    expect(r.render()).toContain('g{path="a\\"b\\\\c\\nd"} 1');
  });
});
