import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../../../main/config/byte-size.js';

describe('byte sizes (body_size_limit)', () => {
  it.each([
    ['10MB', 10 * 1024 * 1024],
    ['512KiB', 512 * 1024],
    ['1GB', 1024 ** 3],
    ['0', 0],
    ['100B', 100],
    ['10 parsecs', null],
    ['MB', null],
  ])('parseByteSize(%j) = %s', (text, n) => {
    expect(parseByteSize(text)).toBe(n);
  });
});
