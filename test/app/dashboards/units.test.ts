import { describe, expect, it } from 'vitest';
import { displayValue, formatValue, mapValue, thresholdColor, cssColor, type ValueMapping } from '../../../app/dashboards/units.js';
import { inferSharedUnit, inferUnit } from '../../../app/dashboards/unit-inference.js';

describe('Grafana units', () => {
  it('bytes are IEC, decbytes SI, bits likewise', () => {
    expect(formatValue(1536, 'bytes')).toBe('1.50 KiB');
    expect(formatValue(1024 ** 3 * 2, 'bytes')).toBe('2 GiB');
    expect(formatValue(1500, 'decbytes')).toBe('1.50 kB');
    expect(formatValue(2048, 'bits')).toBe('2 Kib');
    expect(formatValue(10, 'bytes')).toBe('10 B');
  });
  it('percent and percentunit', () => {
    expect(formatValue(42.5, 'percent', 1)).toBe('42.5%');
    expect(formatValue(0.25, 'percentunit')).toBe('25%');
  });
  it('time units climb to the largest unit reached and never show seconds below ms', () => {
    expect(formatValue(90, 's')).toBe('1.50 min');
    expect(formatValue(5, 's')).toBe('5 s');
    expect(formatValue(0.25, 's')).toBe('250 ms');
    expect(formatValue(1500, 'ms')).toBe('1.50 s');
    expect(formatValue(7200, 's')).toBe('2 hour');
    expect(formatValue(500, 'µs')).toBe('500 µs');
    expect(formatValue(2_000_000, 'ns')).toBe('2 ms');
  });
  it('short, none, reqps, ops, custom suffixes, unknown ids kept visible', () => {
    expect(formatValue(1_500_000, 'short')).toBe('1.50 Mil');
    expect(formatValue(1234.5678, 'none', 2)).toBe('1234.57');
    expect(formatValue(1500, 'reqps')).toBe('1.50 K req/s');
    expect(formatValue(3, 'ops')).toBe('3 ops/s');
    expect(formatValue(3, 'suffix: widgets')).toBe('3 widgets');
    expect(formatValue(3, 'lengthm')).toBe('3 lengthm');
  });
  it('explicit decimals win over automatic ones; non-finite values print as Prometheus does', () => {
    expect(formatValue(1 / 3, 'none', 3)).toBe('0.333');
    expect(formatValue(NaN, 's')).toBe('NaN');
    expect(formatValue(Infinity, 's')).toBe('+Inf');
    expect(formatValue(null, 's')).toBe('—');
  });
  it('dateTimeAsIso formats a millisecond timestamp', () => {
    expect(formatValue(new Date(2024, 0, 2, 3, 4, 5).getTime(), 'dateTimeAsIso')).toBe('2024-01-02 03:04:05');
  });
});

describe('thresholds and value mappings', () => {
  const t = { mode: 'absolute' as const, steps: [{ value: null, color: 'green' }, { value: 80, color: 'red' }] };
  it('absolute: the highest step at or below the value', () => {
    expect(thresholdColor(50, t)).toBe(cssColor('green'));
    expect(thresholdColor(80, t)).toBe(cssColor('red'));
  });
  it('percentage: placed within min/max first', () => {
    const p = { mode: 'percentage' as const, steps: [{ value: null, color: 'green' }, { value: 50, color: '#ff0000' }] };
    expect(thresholdColor(600, p, 0, 1000)).toBe('#ff0000');
    expect(thresholdColor(400, p, 0, 1000)).toBe(cssColor('green'));
  });
  const mappings: ValueMapping[] = [
    { type: 'value', options: { '1': { text: 'UP', color: 'green' } } },
    { type: 'range', options: { from: 2, to: 10, result: { text: 'few' } } },
    { type: 'regex', options: { pattern: '/^1(\\d\\d)$/', result: { text: 'one-$1' } } },
    { type: 'special', options: { match: 'null', result: { text: 'no data' } } },
  ];
  it('value, range, regex and special mappings, in order', () => {
    expect(mapValue(1, mappings)).toEqual({ text: 'UP', color: 'green' });
    expect(mapValue(5, mappings)?.text).toBe('few');
    expect(mapValue(123, mappings)?.text).toBe('one-23');
    expect(mapValue(null, mappings)?.text).toBe('no data');
    expect(mapValue(50, mappings)).toBeNull();
  });
  it('displayValue: mapping text and colour, else the formatted value coloured by threshold', () => {
    expect(displayValue(1, { mappings, thresholds: t })).toEqual({ text: 'UP', color: cssColor('green') });
    expect(displayValue(90, { unit: 'percent', thresholds: t })).toEqual({ text: '90%', color: cssColor('red') });
  });
});

describe('unit inference: shown only when the expression provably keeps it', () => {
  it('the bug: 100 - avg(rate(cpu seconds)) * 100 is not seconds', () => {
    expect(inferUnit('100 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[1m])) * 100')).toBeNull();
  });
  it('rate of a _seconds_total counter is seconds per second: no unit', () => {
    expect(inferUnit('rate(node_cpu_seconds_total[5m])')).toBeNull();
  });
  it('rate of bytes is bytes per second', () => {
    expect(inferUnit('rate(node_network_receive_bytes_total[5m])')).toBe('Bps');
  });
  it('plain metrics and aggregations that keep the unit', () => {
    expect(inferUnit('process_cpu_seconds_total')).toBe('s');
    expect(inferUnit('sum(node_memory_MemFree_bytes)')).toBe('bytes');
    expect(inferUnit('avg by (job) (scrape_duration_seconds)')).toBe('s');
    expect(inferUnit('max(max_over_time(scrape_duration_seconds[5m]))')).toBe('s');
    expect(inferUnit('increase(node_cpu_seconds_total[1h])')).toBe('s');
    expect(inferUnit('node_memory_MemFree_bytes * 1')).toBe('bytes');
    expect(inferUnit('scrape_duration_seconds > 0.5')).toBe('s');
  });
  it('arithmetic with a constant other than ×1 drops the unit', () => {
    expect(inferUnit('scrape_duration_seconds * 1000')).toBeNull();
    expect(inferUnit('node_memory_MemFree_bytes / 1024')).toBeNull();
    expect(inferUnit('scrape_duration_seconds + 1')).toBeNull();
  });
  it('count drops the unit; _count series are counts', () => {
    expect(inferUnit('count(scrape_duration_seconds)')).toBeNull();
    expect(inferUnit('http_request_duration_seconds_count')).toBeNull();
  });
  it('histogram_quantile over _seconds_bucket keeps seconds', () => {
    expect(inferUnit('histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))')).toBe('s');
    expect(inferUnit('http_request_duration_seconds_bucket')).toBeNull();
  });
  it('sum of two same-unit series keeps it; different units or unparseable give none', () => {
    expect(inferUnit('a_bytes + b_bytes')).toBe('bytes');
    expect(inferUnit('a_bytes + b_seconds')).toBeNull();
    expect(inferUnit('rate(')).toBeNull();
    expect(inferSharedUnit(['a_seconds', 'sum(b_seconds)'])).toBe('s');
    expect(inferSharedUnit(['a_seconds', 'b_bytes'])).toBeNull();
  });
});
