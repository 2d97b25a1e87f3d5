import { describe, expect, it } from 'vitest';
import { engine, flat, load } from './harness.js';

const e = engine();
const s = load('1m', `
  cpu{host="a", mode="user"} 10
  cpu{host="a", mode="sys"} 5
  cpu{host="b", mode="user"} 20
  cores{host="a"} 2
  cores{host="b"} 4
  info{host="a", team="x"} 1
  dup{l="alpha"} 1
  dup{l="beta"} 2
  one 1
`);
const at = (q: string): Promise<unknown> => e.instantQuery(s, q, 0).then(flat);

describe('binary operators', () => {
  it('scalar / scalar and vector / scalar arithmetic drop the name', async () => {
    expect(await at('2 ^ 3 - 1')).toBe(7);
    expect(await at('cores * 2')).toEqual({ '{host="a"}': 4, '{host="b"}': 8 });
    expect(await at('10 / cores')).toEqual({ '{host="a"}': 5, '{host="b"}': 2.5 });
  });

  it('comparisons filter (keeping names) or return 0/1 with bool', async () => {
    expect(await at('cores > 3')).toEqual({ 'cores{host="b"}': 4 });
    expect(await at('cores > bool 3')).toEqual({ '{host="a"}': 0, '{host="b"}': 1 });
    expect(await at('3 < cores')).toEqual({ 'cores{host="b"}': 4 });
  });

  it('one-to-one matching with on / ignoring', async () => {
    expect(await at('cpu{mode="user"} / ignoring(mode) cores')).toEqual({ '{host="a"}': 5, '{host="b"}': 5 });
    expect(await at('cpu{mode="user"} / on(host) cores')).toEqual({ '{host="a"}': 5, '{host="b"}': 5 });
  });

  it('many-to-one needs group_left, which can copy labels from the one side', async () => {
    await expect(e.instantQuery(s, 'cpu / on(host) cores', 0)).rejects.toThrow(
      'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
    );
    expect(await at('cpu / on(host) group_left cores')).toEqual({
      '{host="a", mode="user"}': 5,
      '{host="a", mode="sys"}': 2.5,
      '{host="b", mode="user"}': 5,
    });
    expect(await at('cores * on(host) group_left(team) info')).toEqual({ '{host="a", team="x"}': 2 });
  });

  it('duplicate series on the one side is a many-to-many error naming both series', async () => {
    await expect(e.instantQuery(s, 'one > on() dup', 0)).rejects.toThrow(
      'found duplicate series for the match group {} on the right hand-side of the operation: [{__name__="dup", l="alpha"}, {__name__="dup", l="beta"}];many-to-many matching not allowed: matching labels must be unique on one side',
    );
  });

  it('and / or / unless match on all labels but the name', async () => {
    expect(await at('cores and on(host) cpu{mode="sys"}')).toEqual({ 'cores{host="a"}': 2 });
    expect(await at('cores unless on(host) cpu{mode="sys"}')).toEqual({ 'cores{host="b"}': 4 });
    expect(await at('cores{host="a"} or cores')).toEqual({ 'cores{host="a"}': 2, 'cores{host="b"}': 4 });
  });

  it('follows Go for pow and modulo edge cases', async () => {
    expect(await at('1 ^ NaN')).toBe(1);
    expect(await at('NaN ^ 0')).toBe(1);
    expect(await at('-7 % 3')).toBe(-1);
  });

  it('unary minus drops the name', async () => {
    expect(await at('-cores{host="a"}')).toEqual({ '{host="a"}': -2 });
  });
});

describe('fill modifiers', () => {
  const s = load('1m', `
    l{k="a"} 1
    l{k="b"} 2
    r{k="a"} 10
    r{k="c"} 30
  `);
  const fe = engine();
  it('stand in for the missing side only where the modifier asks', async () => {
    expect(flat(await fe.instantQuery(s, 'l + fill(100) r', 0))).toEqual({ '{k="a"}': 11, '{k="b"}': 102, '{k="c"}': 130 });
    expect(flat(await fe.instantQuery(s, 'l + fill_right(100) r', 0))).toEqual({ '{k="a"}': 11, '{k="b"}': 102 });
    expect(flat(await fe.instantQuery(s, 'l - fill_left(100) r', 0))).toEqual({ '{k="a"}': -9, '{k="c"}': 70 });
  });
});
