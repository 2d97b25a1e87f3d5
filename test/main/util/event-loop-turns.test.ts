import { describe, expect, it } from 'vitest';
import { EventLoopTurns } from '../../../main/util/event-loop-turns.js';

/** Counts turns of the event loop: one setImmediate tick per turn, each queueing the next. */
function turnCounter(): { turn: () => number; stop: () => void } {
  let turn = 0;
  let stopped = false;
  const tick = (): void => {
    turn++;
    if (!stopped) setImmediate(tick);
  };
  setImmediate(tick);
  return { turn: () => turn, stop: () => (stopped = true) };
}

/** A long task: `slices` slices of busy work, each running until the shared slice is due. */
async function task(name: string, slices: number, turns: EventLoopTurns, log: Array<{ name: string; turn: number }>, turn: () => number): Promise<void> {
  for (let i = 0; i < slices; i++) {
    log.push({ name, turn: turn() });
    while (!turns.due()) {
      // busy: the work of one slice
    }
    await turns.pause();
  }
}

describe('EventLoopTurns', () => {
  it('hands out one slice of long work per turn of the event loop, across tasks', async () => {
    const counter = turnCounter();
    const log: Array<{ name: string; turn: number }> = [];
    // Each task has its own instance, as each query's evaluator does: the slices are shared anyway.
    await Promise.all(['a', 'b', 'c'].map((name) => task(name, 5, new EventLoopTurns(2), log, counter.turn)));
    counter.stop();
    expect(log).toHaveLength(15);
    const perTurn = new Map<number, string[]>();
    for (const l of log) perTurn.set(l.turn, [...(perTurn.get(l.turn) ?? []), l.name]);
    // The first slice of each task starts before any of them paused (the same turn); after that
    // no turn holds two slices.
    const afterStart = log.slice(3);
    const turnsAfterStart = afterStart.map((l) => l.turn);
    expect(new Set(turnsAfterStart).size).toBe(turnsAfterStart.length);
    // Round robin: the tasks take turns in the order they paused.
    expect(afterStart.slice(0, 6).map((l) => l.name)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('does not pause before the slice is due', async () => {
    const turns = new EventLoopTurns(60_000);
    await new EventLoopTurns(0).pause(); // a fresh slice starts now
    expect(turns.due()).toBe(false);
    expect(await turns.pause()).toBe(false);
  });

  it('keeps the loop turning while one task works alone', async () => {
    const counter = turnCounter();
    const turns = new EventLoopTurns(1);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      while (!turns.due()) {
        // busy
      }
      expect(await turns.pause()).toBe(true);
      seen.push(counter.turn());
    }
    counter.stop();
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
  });
});
