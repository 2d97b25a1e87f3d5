import { describe, expect, it } from 'vitest';
import { engine, flat, flatRange, load, m } from './harness.js';

const e = engine();
const s = load('1m', `
  req{job="api", instance="a"} 1 2
  req{job="api", instance="b"} 3 4
  req{job="db", instance="c"} 5 NaN
  req{job="db", instance="d"} 7 stale
`);
const at = (q: string, t = 0): Promise<unknown> => e.instantQuery(s, q, t).then(flat);

describe('aggregations', () => {
  it('sum / avg / count / min / max / group by and without', async () => {
    expect(await at('sum by (job) (req)')).toEqual({ '{job="api"}': 4, '{job="db"}': 12 });
    expect(await at('avg without (instance) (req)')).toEqual({ '{job="api"}': 2, '{job="db"}': 6 });
    expect(await at('count(req)')).toEqual({ '{}': 4 });
    expect(await at('min(req)')).toEqual({ '{}': 1 });
    expect(await at('max by (job) (req)')).toEqual({ '{job="api"}': 3, '{job="db"}': 7 });
    expect(await at('group by (job) (req)')).toEqual({ '{job="api"}': 1, '{job="db"}': 1 });
  });

  it('stddev / stdvar / quantile', async () => {
    expect(await at('stdvar by (job) (req)')).toEqual({ '{job="api"}': 1, '{job="db"}': 1 });
    expect(await at('stddev(req{job="api"})')).toEqual({ '{}': 1 });
    expect(await at('quantile(0.5, req)')).toEqual({ '{}': 4 });
  });

  it('quantile outside [0, 1] warns', async () => {
    const r = await e.instantQuery(s, 'quantile(2, req)', 0);
    expect(flat(r)).toEqual({ '{}': Infinity });
    expect(r.warnings[0]).toBe('PromQL warning: quantile value should be between 0 and 1, got 2 (1:10)');
  });

  it('max ignores NaN unless it is all there is; sum propagates it', async () => {
    const nan = load('1m', `
      n{i="1"} NaN
      n{i="2"} 3
    `);
    expect(flat(await e.instantQuery(nan, 'max(n)', 0))).toEqual({ '{}': 3 });
    expect(flat(await e.instantQuery(nan, 'min(n)', 0))).toEqual({ '{}': 3 });
    expect(flat(await e.instantQuery(nan, 'sum(n)', 0))).toEqual({ '{}': NaN });
    // At 1m the db group holds only the NaN sample (instance d went stale).
    expect(await at('max by (job) (req)', m('1m'))).toEqual({ '{job="api"}': 4, '{job="db"}': NaN });
  });

  it('count_values writes the value into a label, Go-formatted', async () => {
    const cv = load('1m', `
      v{i="1"} 1e21
      v{i="2"} 1e21
      v{i="3"} 0.5
    `);
    expect(flat(await e.instantQuery(cv, 'count_values("val", v)', 0))).toEqual({ '{val="1000000000000000000000"}': 2, '{val="0.5"}': 1 });
  });

  it('topk / bottomk keep the original series, ordered for instant queries', async () => {
    const r = await e.instantQuery(s, 'topk(2, req)', 0);
    expect(r.result.type === 'vector' && r.result.samples.map((x) => x.v)).toEqual([7, 5]);
    const b = await e.instantQuery(s, 'bottomk by (job) (1, req)', 0);
    expect(flat(b)).toEqual({ 'req{instance="a", job="api"}': 1, 'req{instance="c", job="db"}': 5 });
  });

  it('topk / bottomk per step: the first k of a stable ranking, for small k (insertion) and large k (sort)', async () => {
    // 40 series over 12 steps, values drawn from few choices: many ties, NaN, ±Inf, -0, gaps.
    const choices = ['1', '2', '2', '3', 'NaN', 'Inf', '-Inf', '0', '-0', '5', '_'];
    let x = 11;
    const rows: string[] = [];
    for (let i = 0; i < 40; i++) {
      const vals: string[] = [];
      for (let t = 0; t < 12; t++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        vals.push(choices[x % choices.length]!);
      }
      rows.push(`x{i="${String(i).padStart(2, '0')}"} ${vals.join(' ')}`);
    }
    const data = load('1m', rows.join('\n'));
    const end = m('11m');
    const all = flatRange(await e.rangeQuery(data, 'x', 0, end, m('1m')), 0, end, m('1m'));
    const names = Object.keys(all).sort(); // label order: the group's member order
    for (const op of ['topk', 'bottomk']) {
      for (const k of [1, 2, 3, 7, 32, 33, 40]) {
        const got = flatRange(await e.rangeQuery(data, `${op}(${k}, x)`, 0, end, m('1m')), 0, end, m('1m'));
        for (let step = 0; step < 12; step++) {
          const present = names.filter((n) => all[n]![step] !== null);
          const ranked = present.slice().sort((a, b) => {
            const va = all[a]![step]!;
            const vb = all[b]![step]!;
            if (Number.isNaN(va)) return Number.isNaN(vb) ? 0 : 1;
            if (Number.isNaN(vb)) return -1;
            return op === 'topk' ? vb - va : va - vb;
          });
          const want = ranked.slice(0, k).sort();
          const have = Object.keys(got).filter((n) => got[n]![step] !== null).sort();
          expect(have, `${op}(${k}) at step ${step}`).toEqual(want);
        }
      }
    }
  });

  it('topk with a NaN parameter fails with Prometheus wording', async () => {
    await expect(e.instantQuery(s, 'topk(NaN, req)', 0)).rejects.toThrow('Parameter value is NaN');
  });

  it('limitk keeps k series per group; limit_ratio splits by a stable hash', async () => {
    expect(Object.keys((await at('limitk(1, req)')) as object)).toHaveLength(1);
    const half = (await at('limit_ratio(0.5, req)')) as object;
    const other = (await at('limit_ratio(-0.5, req)')) as object;
    expect(Object.keys(half).length + Object.keys(other).length).toBe(4);
  });

  it('Kahan summation keeps small addends next to large ones', async () => {
    const k = load('1m', `
      f{i="1"} 1e100
      f{i="2"} 1
      f{i="3"} -1e100
    `);
    expect(flat(await e.instantQuery(k, 'sum(f)', 0))).toEqual({ '{}': 1 });
    expect(flat(await e.instantQuery(k, 'avg(f)', 0))).toEqual({ '{}': 1 / 3 });
  });

  it('aggregates every step of a range query', async () => {
    const r = await e.rangeQuery(s, 'count by (job) (req)', 0, m('2m'), m('1m'));
    expect(flatRange(r, 0, m('2m'), m('1m'))).toEqual({ '{job="api"}': [2, 2, 2], '{job="db"}': [2, 1, 1] });
  });
});
