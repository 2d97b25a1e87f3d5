import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Sparkline } from '../../../renderer/dashboards/panels/Sparkline.js';

const draw = (values: Array<number | null>) => renderToStaticMarkup(<Sparkline values={values} color="#73bf69" width={100} height={20} />);

describe("a stat panel's sparkline", () => {
  it('draws a single value (a first scrape) as a dot where it falls in time', () => {
    expect(draw([null, null, 42])).toContain('<circle cx="100.0" cy="10"');
    expect(draw([42])).toContain('<circle cx="0.0"');
  });
  it('draws a line through two or more values, and nothing without any', () => {
    expect(draw([1, null, 3])).toContain('<polyline points="0.0,20.0 100.0,0.0"');
    expect(draw([null, null])).toBe('');
  });
});
