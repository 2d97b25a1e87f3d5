import { describe, expect, it } from 'vitest';
import { chooseBudget, relaunchForHeapLimit } from '../../main/electron/memory-budget.js';

/** Electron's app as far as the budget needs it: switches, relaunch and exit, recorded. */
function fakeApp(switches: Record<string, string> = {}) {
  const relaunches: string[][] = [];
  const exits: number[] = [];
  const sw = new Map(Object.entries(switches));
  return {
    relaunches,
    exits,
    app: {
      commandLine: { getSwitchValue: (n: string) => sw.get(n) ?? '', hasSwitch: (n: string) => sw.has(n) },
      relaunch: (o: { args: string[] }) => void relaunches.push(o.args),
      exit: (c: number) => void exits.push(c),
    },
  };
}

const MiB = 1024 * 1024;

describe('desktop app: memory budget and V8 heap limit', () => {
  it('relaunches once with --js-flags=--max-old-space-size from the budget, keeping the other arguments', () => {
    const f = fakeApp();
    expect(relaunchForHeapLimit(f.app, 300 * MiB, ['/opt/Vigil/vigil', '--dashboards=/d', 'vigil://explore'])).toBe(true);
    expect(f.relaunches).toEqual([['--dashboards=/d', 'vigil://explore', '--js-flags=--max-old-space-size=180', '--vigil-heap-limit-relaunch']]);
    expect(f.exits).toEqual([0]);
  });

  it('keeps js-flags the user gave, and adds the limit to them', () => {
    const f = fakeApp({ 'js-flags': '--expose-gc' });
    relaunchForHeapLimit(f.app, 1024 * MiB, ['/e', '--js-flags=--expose-gc']);
    expect(f.relaunches).toEqual([['--js-flags=--expose-gc --max-old-space-size=614', '--vigil-heap-limit-relaunch']]);
  });

  it('does not relaunch without a budget, with a limit already set, or when relaunched already', () => {
    for (const [budget, switches] of [
      [null, {}],
      [300 * MiB, { 'js-flags': '--max-old-space-size=2048' }],
      [300 * MiB, { 'vigil-heap-limit-relaunch': '' }],
    ] as const) {
      const f = fakeApp(switches);
      expect(relaunchForHeapLimit(f.app, budget, ['/e'])).toBe(false);
      expect(f.relaunches).toEqual([]);
      expect(f.exits).toEqual([]);
    }
  });

  it('--memory-budget=SIZE overrides the saved setting; a bad one is reported and the setting used', () => {
    expect(chooseBudget(fakeApp({ 'memory-budget': '512MiB' }).app, 300 * MiB, () => {})).toEqual({ bytes: 512 * MiB, source: '--memory-budget' });
    expect(chooseBudget(fakeApp().app, 300 * MiB, () => {})).toEqual({ bytes: 300 * MiB, source: 'the app’s setting' });
    const warnings: string[] = [];
    expect(chooseBudget(fakeApp({ 'memory-budget': '12' }).app, null, (m) => warnings.push(m))).toEqual({ bytes: null, source: 'the app’s setting' });
    expect(warnings).toEqual([expect.stringMatching(/--memory-budget=12 is not a size of at least 64MiB/)]);
  });
});
