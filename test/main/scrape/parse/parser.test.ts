import { describe, expect, it } from 'vitest';
import { ExpositionParseError, createParser, formatOf } from '../../../../main/scrape/parse/parser.js';
import { collect, openMetrics } from './collect.js';

function errorOf(body: string, contentType?: string): ExpositionParseError {
  try {
    collect(body, contentType);
  } catch (e) {
    if (e instanceof ExpositionParseError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('Prometheus text 0.0.4', () => {
  it('reads metadata, series, labels, values and timestamps', () => {
    const page = [
      '# HELP http_requests_total Total requests.\\nSecond line with \\\\ backslash.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="GET",code="200"} 1027 1395066363000',
      'http_requests_total{code="400", method="POST",} 3',
      '',
      '# a free comment',
      'weird\t{  b = "x\\"y\\\\z\\n" , a="" }\t-Inf',
      'nan_value NaN',
      'big 1.5e+10 -7',
      '',
    ].join('\n');
    const entries = collect(page);
    expect(entries.map((e) => e.kind)).toEqual(['help', 'type', 'series', 'series', 'comment', 'series', 'series', 'series']);
    expect(entries[0]!.meta).toEqual({ name: 'http_requests_total', text: 'Total requests.\nSecond line with \\ backslash.' });
    expect(entries[1]!.meta).toEqual({ name: 'http_requests_total', type: 'counter' });
    expect(entries[2]).toMatchObject({
      line: 3,
      id: 'http_requests_total{method="GET",code="200"}',
      labels: { __name__: 'http_requests_total', code: '200', method: 'GET' },
      value: 1027,
      ts: 1395066363000,
    });
    expect(entries[3]).toMatchObject({ line: 4, labels: { code: '400', method: 'POST' }, value: 3, ts: null });
    expect(entries[4]).toMatchObject({ line: 6, meta: 'a free comment' });
    // Empty label values mean "absent"; escapes are decoded; blanks around tokens are allowed.
    expect(entries[5]).toMatchObject({ line: 7, labels: { __name__: 'weird', b: 'x"y\\z\n' }, value: -Infinity });
    expect(Number.isNaN(entries[6]!.value)).toBe(true);
    expect(entries[7]).toMatchObject({ value: 1.5e10, ts: -7 });
  });

  it('sorts labels and keeps them sorted with __name__', () => {
    const p = createParser(Buffer.from('m{z="1",a="2",__x="3"} 1\n'), 'text/plain');
    expect(p.next()).toBe('series');
    expect(p.labels().map((l) => l.name)).toEqual(['__name__', '__x', 'a', 'z']);
    expect(p.next()).toBe('eof');
    expect(p.next()).toBe('eof');
  });

  it('accepts a page without a final newline and values in every float form', () => {
    const values = ['0', '-0.5', '+3', '.5', '5.', '1e3', '1E-3', 'Inf', '+Inf', 'inf', '-inf', '123456789012345678901'];
    const page = values.map((v, i) => `m{i="${i}"} ${v}`).join('\n');
    const got = collect(page).map((e) => e.value);
    expect(got).toEqual([0, -0.5, 3, 0.5, 5, 1000, 0.001, Infinity, Infinity, Infinity, -Infinity, Number('123456789012345678901')]);
  });

  it.each([
    ['m{a="b"} x1', 'line 1: invalid value "x1"'],
    ['m{a="b"}', 'line 1: expected value after metric, got EOF'],
    ['ok 1\nm{a=b} 1', 'line 2: expected label value, got "b}"'],
    ['m{a="b" c="d"} 1', 'line 1: expected comma or "}" after label value, got "c=\\"d\\"}"'],
    ['m{1a="b"} 1', 'line 1: expected label name, got "1a=\\"b\\"}"'],
    ['m{a"b"} 1', 'line 1: expected equal, got "\\"b\\"}"'],
    ['m{a="b\n"} 1', 'line 1: unterminated label value, got "\\n"'],
    ['m{a="b', 'line 1: unterminated label value, got EOF'],
    ['m 1 2 3', 'line 1: expected end of line after timestamp, got "3"'],
    ['m 1 1.5', 'line 1: invalid timestamp "1.5"'],
    ['1m 1', 'line 1: expected metric name, got "1m"'],
    ['# TYPE m gaugez', 'line 1: invalid metric type "gaugez"'],
    ['# TYPE m info', 'line 1: invalid metric type "info"'],
    ['\n\nm{a="1",a="2"} 1', 'line 3: duplicate label name "a"'],
    ['m -', 'line 1: invalid value "-"'],
    ['m 0x10', 'line 1: invalid value "0x10"'],
  ])('rejects %j with a line number', (page, message) => {
    const err = errorOf(page);
    expect(err.message).toBe(message);
    expect(err.line).toBe(Number(/^line (\d+)/.exec(message)![1]));
  });

  it('shortens a long offending token', () => {
    expect(errorOf(`m{a=${'x'.repeat(5000)}} 1`).message.length).toBeLessThan(100);
  });
});

describe('OpenMetrics 1.0', () => {
  it('reads metadata, units, exemplars, seconds timestamps and _created series', () => {
    const page = [
      '# TYPE foo_seconds histogram',
      '# UNIT foo_seconds seconds',
      '# HELP foo_seconds Latency with a \\"quote\\".',
      'foo_seconds_bucket{le="0.1"} 8 # {trace_id="abc"} 0.05 1520879607.789',
      'foo_seconds_bucket{le="+Inf"} 17 1520879607.789 # {} 2',
      'foo_seconds_count 17',
      'foo_seconds_sum 324789.3',
      'foo_seconds_created 1520430000.123',
      '# TYPE st stateset',
      'st{st="a"} 1',
      '# TYPE i info',
      'i_info{version="1.0"} 1',
      '# EOF',
      '',
    ].join('\n');
    const entries = collect(page, openMetrics);
    expect(entries.map((e) => e.kind)).toEqual([
      'type', 'unit', 'help', 'series', 'series', 'series', 'series', 'series', 'type', 'series', 'type', 'series',
    ]);
    expect(entries[1]!.meta).toEqual({ name: 'foo_seconds', unit: 'seconds' });
    expect(entries[2]!.meta).toEqual({ name: 'foo_seconds', text: 'Latency with a "quote".' });
    expect(entries[3]).toMatchObject({ id: 'foo_seconds_bucket{le="0.1"}', value: 8, ts: null });
    expect(entries[4]).toMatchObject({ value: 17, ts: 1520879607789 });
    expect(entries[7]).toMatchObject({ labels: { __name__: 'foo_seconds_created' }, value: 1520430000.123 });
    expect(entries[8]!.meta).toEqual({ name: 'st', type: 'stateset' });
  });

  it('accepts # EOF without a trailing newline', () => {
    expect(collect('a 1\n# EOF', openMetrics)).toHaveLength(1);
  });

  it.each([
    ['a 1\n', 'line 2: data does not end with "# EOF"'],
    ['a 1\n# EOF\nb 2\n', 'line 3: unexpected data after "# EOF"'],
    ['a 1\n\n# EOF\n', 'line 2: unexpected empty line'],
    ['# free comment\n# EOF\n', 'line 1: expected "# HELP", "# TYPE", "# UNIT" or "# EOF", got "#"'],
    ['a  1\n# EOF\n', 'line 1: expected value, got " 1"'],
    ['a{b="c", d="e"} 1\n# EOF\n', 'line 1: expected label name, got " d=\\"e\\"}"'],
    ['a 1 NaN\n# EOF\n', 'line 1: invalid timestamp'],
    ['a 1 # {x="y"}\n# EOF\n', 'line 1: expected exemplar value after exemplar labels, got "\\n"'],
    ['# TYPE a untyped\n# EOF\n', 'line 1: invalid metric type "untyped"'],
  ])('rejects %j', (page, message) => {
    expect(errorOf(page, openMetrics).message).toBe(message);
  });
});

describe('content type', () => {
  it('chooses OpenMetrics only for its media type', () => {
    expect(formatOf('application/openmetrics-text; version=1.0.0')).toBe('openmetrics');
    expect(formatOf('Application/OpenMetrics-Text')).toBe('openmetrics');
    expect(formatOf('text/plain; version=0.0.4')).toBe('text');
    expect(formatOf('')).toBe('text');
  });

  it('parses a Uint8Array that is not a Buffer, at an offset', () => {
    const bytes = new TextEncoder().encode('xxm{a="é"} 2\n');
    const p = createParser(bytes.subarray(2), 'text/plain');
    expect(p.next()).toBe('series');
    expect(p.labels()).toEqual([
      { name: '__name__', value: 'm' },
      { name: 'a', value: 'é' },
    ]);
  });
});
