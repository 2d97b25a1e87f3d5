import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { formatExposition } from '../../../main/probe/exposition.js';
import { formatGoFloat } from '../../../main/util/go-float.js';

describe('formatGoFloat (Go strconv.FormatFloat(v, "g", -1, 64))', () => {
  it('matches the values in blackbox_exporter output', () => {
    const cases: [number, string][] = [
      [1.2949e-5, '1.2949e-05'],
      [0.007427077, '0.007427077'],
      [3668918509, '3.668918509e+09'],
      [1798258757, '1.798258757e+09'],
      [-62135596800, '-6.21355968e+10'],
      [200, '200'],
      [1.1, '1.1'],
      [-1, '-1'],
      [0, '0'],
      [1e6, '1e+06'],
      [999999, '999999'],
      [0.0001, '0.0001'],
      [1e-5, '1e-05'],
      [1e21, '1e+21'],
      [NaN, 'NaN'],
      [Infinity, '+Inf'],
      [-Infinity, '-Inf'],
    ];
    for (const [v, want] of cases) expect(formatGoFloat(v)).toBe(want);
  });

  it('round-trips every double', () => {
    fc.assert(fc.property(fc.double({ noNaN: true }), (v) => Object.is(Number(formatGoFloat(v).replace('+Inf', 'Infinity').replace('-Inf', '-Infinity')), v)));
  });
});

describe('formatExposition', () => {
  it('sorts families by name and samples by label values, with HELP and TYPE', () => {
    const text = formatExposition([
      { name: 'probe_success', labels: {}, value: 1 },
      { name: 'probe_http_duration_seconds', labels: { phase: 'tls' }, value: 0.5 },
      { name: 'probe_http_duration_seconds', labels: { phase: 'connect' }, value: 0.25 },
      { name: 'probe_ssl_last_chain_info', labels: { subject: 'CN=a "b"\\c', issuer: 'x' }, value: 1 },
    ]);
    expect(text).toBe(
      [
        '# HELP probe_http_duration_seconds Duration of http request by phase, summed over all redirects',
        '# TYPE probe_http_duration_seconds gauge',
        'probe_http_duration_seconds{phase="connect"} 0.25',
        'probe_http_duration_seconds{phase="tls"} 0.5',
        '# HELP probe_ssl_last_chain_info Contains SSL leaf certificate information',
        '# TYPE probe_ssl_last_chain_info gauge',
        'probe_ssl_last_chain_info{issuer="x",subject="CN=a \\"b\\"\\\\c"} 1',
        '# HELP probe_success Displays whether or not the probe was a success',
        '# TYPE probe_success gauge',
        'probe_success 1',
        '',
      ].join('\n'),
    );
  });
});
