import { describe, expect, it } from 'vitest';
import { engine, flat, load } from './harness.js';

const e = engine();
const s = load('1m', `
  up{job="api", instance="host-1:9090"} 1
  up{job="db", instance="host-2:9100"} 0
`);
const at = (q: string): Promise<unknown> => e.instantQuery(s, q, 0).then(flat);

describe('label_replace and label_join', () => {
  it('replaces with capture groups (Go $1 / ${1} / named)', async () => {
    expect(await at('label_replace(up, "host", "$1", "instance", "(.*):.*")')).toEqual({
      'up{host="host-1", instance="host-1:9090", job="api"}': 1,
      'up{host="host-2", instance="host-2:9100", job="db"}': 0,
    });
    expect(await at('label_replace(up{job="api"}, "port", "${p}", "instance", ".*:(?P<p>\\\\d+)")')).toEqual({
      'up{instance="host-1:9090", job="api", port="9090"}': 1,
    });
  });

  it('leaves series unchanged when the regex does not match the whole value', async () => {
    expect(await at('label_replace(up{job="api"}, "x", "y", "instance", "host")')).toEqual({ 'up{instance="host-1:9090", job="api"}': 1 });
  });

  it('takes Go regex syntax: \\Q…\\E quotes, (?i) folds case, `.` matches a newline', async () => {
    expect(await at('label_replace(up{job="api"}, "x", "$1", "instance", "\\\\Qhost-1\\\\E:(.*)")')).toEqual({ 'up{instance="host-1:9090", job="api", x="9090"}': 1 });
    expect(await at('label_replace(up{job="api"}, "x", "y", "instance", "\\\\Qhost.1\\\\E.*")')).toEqual({ 'up{instance="host-1:9090", job="api"}': 1 });
    expect(await at('label_replace(up{job="api"}, "x", "${1}", "job", "(?i)(API)")')).toEqual({ 'up{instance="host-1:9090", job="api", x="api"}': 1 });
    await expect(e.instantQuery(s, 'label_replace(up, "a", "x", "job", "(?=a)")', 0)).rejects.toThrow(
      'invalid regular expression in label_replace(): (?=a): lookahead (?=) is not supported (RE2 syntax)',
    );
  });

  it('an empty replacement deletes the label', async () => {
    expect(await at('label_replace(up{job="api"}, "job", "", "job", ".*")')).toEqual({ 'up{instance="host-1:9090"}': 1 });
  });

  it('rejects invalid destination names and regexes with Prometheus wording', async () => {
    await expect(e.instantQuery(s, 'label_replace(up, "", "x", "job", ".*")', 0)).rejects.toThrow('invalid destination label name in label_replace(): ');
    await expect(e.instantQuery(s, 'label_replace(up, "a", "x", "job", "(")', 0)).rejects.toThrow('invalid regular expression in label_replace()');
  });

  it('fails when two series end up with the same labels', async () => {
    const two = load('1m', `
      a{x="1"} 1
      a{x="2"} 2
    `);
    await expect(e.instantQuery(two, 'label_replace(a, "x", "same", "x", ".*")', 0)).rejects.toThrow('vector cannot contain metrics with the same labelset');
  });

  it('joins source labels', async () => {
    expect(await at('label_join(up{job="db"}, "both", "/", "job", "instance")')).toEqual({
      'up{both="db/host-2:9100", instance="host-2:9100", job="db"}': 0,
    });
  });

  it('keeps __name__ when label_replace writes it after a name-dropping function', async () => {
    expect(await at('label_replace(abs(up{job="db"}), "__name__", "x_$1", "__name__", "(.*)")')).toEqual({
      'x_up{instance="host-2:9100", job="db"}': 0,
    });
  });
});

describe('delayed name removal', () => {
  it('drops __name__ only at the end, so label functions can still read it', async () => {
    expect(await at('label_replace(abs(up{job="db"}), "was", "$1", "__name__", "(.*)")')).toEqual({
      '{instance="host-2:9100", job="db", was="up"}': 0,
    });
  });

  it('reports a collision once names are gone', async () => {
    const two = load('1m', `
      a{x="1"} 1
      b{x="1"} 2
    `);
    await expect(e.instantQuery(two, 'abs({x="1"})', 0)).rejects.toThrow('vector cannot contain metrics with the same labelset');
  });
});
