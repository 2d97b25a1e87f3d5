import { describe, expect, it } from 'vitest';
import { hasHeapLimit, oldSpaceMbFor, serveHeapArgs } from '../../../main/memory/heap-limit.js';

describe('heap limit from the memory budget', () => {
  it('is 60 % of the budget, at least 128 MiB', () => {
    expect(oldSpaceMbFor(1024 * 1024 * 1024)).toBe(614);
    expect(oldSpaceMbFor(300 * 1024 * 1024)).toBe(180);
    expect(oldSpaceMbFor(100 * 1024 * 1024)).toBe(128);
  });

  it('vigil serve re-executes Node with --max-old-space-size only when a budget is given and no limit is', () => {
    expect(serveHeapArgs(['serve', '--memory-budget', '300MiB'], [], undefined)).toEqual(['--max-old-space-size=180']);
    expect(serveHeapArgs(['serve', '--port', '0', '--memory-budget=1GiB'], ['--enable-source-maps'], '')).toEqual(['--enable-source-maps', '--max-old-space-size=614']);
    expect(serveHeapArgs(['serve'], [], undefined)).toBeNull();
    expect(serveHeapArgs(['import', '--memory-budget', '300MiB'], [], undefined)).toBeNull();
    expect(serveHeapArgs(['serve', '--memory-budget', 'lots'], [], undefined)).toBeNull(); // the flag parser reports it
    expect(serveHeapArgs(['serve', '--memory-budget', '300MiB'], ['--max-old-space-size=999'], undefined)).toBeNull();
    expect(serveHeapArgs(['serve', '--memory-budget', '300MiB'], [], '--trace-gc --max_old_space_size=999')).toBeNull();
  });

  it('recognises the flag in both spellings', () => {
    expect(hasHeapLimit(['--max-old-space-size=1'])).toBe(true);
    expect(hasHeapLimit(['--max_old_space_size=1'])).toBe(true);
    expect(hasHeapLimit(['--max-semi-space-size=1'])).toBe(false);
  });
});
