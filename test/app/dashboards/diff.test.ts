import { describe, expect, it } from 'vitest';
import { changeText, diffJson } from '../../../app/dashboards/diff.js';

describe('dashboard version diff', () => {
  it('lists changed, added and removed leaves by JSON path', () => {
    const before = { title: 'A', panels: [{ id: 1, title: 'CPU', targets: [{ expr: 'up' }] }], tags: ['x'] };
    const after = { title: 'A', panels: [{ id: 1, title: 'CPU %', targets: [{ expr: 'up' }] }, { id: 2 }], refresh: '5s' };
    expect(diffJson(before, after)).toEqual([
      { path: 'panels[0].title', kind: 'changed', before: 'CPU', after: 'CPU %' },
      { path: 'panels[1]', kind: 'added', after: { id: 2 } },
      { path: 'tags', kind: 'removed', before: ['x'] },
      { path: 'refresh', kind: 'added', after: '5s' },
    ]);
    expect(diffJson(before, JSON.parse(JSON.stringify(before)))).toEqual([]);
  });
  it('shows values as compact JSON, cut to a length', () => {
    expect(changeText('CPU')).toBe('"CPU"');
    expect(changeText({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(changeText(undefined)).toBe('');
    const long = changeText('x'.repeat(500), 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith('…')).toBe(true);
  });
});
