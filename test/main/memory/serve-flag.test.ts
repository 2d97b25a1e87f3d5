import { describe, expect, it } from 'vitest';
import { parseServeFlags } from '../../../main/cli/serve.js';

describe('vigil serve --memory-budget', () => {
  it('reads a size, absent means no budget', () => {
    expect(parseServeFlags(['--memory-budget', '300MiB']).memoryBudgetBytes).toBe(300 * 1024 * 1024);
    expect(parseServeFlags(['--memory-budget=1GB']).memoryBudgetBytes).toBe(1e9);
    expect(parseServeFlags([]).memoryBudgetBytes).toBeNull();
  });

  it('refuses what is not a size, or less than Vigil needs to start', () => {
    expect(() => parseServeFlags(['--memory-budget', 'lots'])).toThrow(/--memory-budget must be a size such as 256MiB or 1GiB, got "lots"/);
    expect(() => parseServeFlags(['--memory-budget', '10MiB'])).toThrow(/--memory-budget must be at least 64MiB/);
  });
});
