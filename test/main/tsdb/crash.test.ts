import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TSDB } from '../../../main/tsdb/db.js';
import { isStaleNaN } from '../../../main/tsdb/interface.js';
import { labelsKey } from '../../../main/tsdb/labels.js';
import { tempDir } from '../helpers.js';
import { bundle } from './bundle.js';
import { crashBase, fleetLabels, sampleValue } from './fixtures/crash-data.js';

const series = 2000;
const rounds = 20;

/**
 * Runs the child until `killAfterMs` after its first ack (or after spawn, to hit recovery),
 * SIGKILLs it, returns the acked batch numbers.
 */
function runChild(script: string, dir: string, start: number, killAfterMs: number, fromSpawn: boolean): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, dir, String(start), String(series)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: number[] = [];
    let buf = '';
    let err = '';
    let timer: NodeJS.Timeout | null = null;
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    const safety = setTimeout(kill, fromSpawn ? killAfterMs : 10_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.startsWith('ack ')) acks.push(Number(l.slice(4)));
      if (!fromSpawn && timer === null && acks.length > 0) timer = setTimeout(kill, killAfterMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(safety);
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own (code ${code}): ${err}`));
      else resolve(acks);
    });
  });
}

describe('crash safety (SIGKILL during ingest)', () => {
  const tmp = tempDir('vigil-crash-');
  const labels = fleetLabels(series);
  const indexOf = new Map(labels.map((l, i) => [labelsKey(l), i]));
  let script = '';
  beforeAll(async () => {
    await bundle(join(tmp.dir, 'bin'), { 'crash-child': 'test/main/tsdb/fixtures/crash-child.ts' });
    script = join(tmp.dir, 'bin', 'crash-child.js');
  }, 60_000);
  afterAll(() => tmp.cleanup());

  // Every 4th round is killed at a random moment after spawn, often during recovery itself.
  it(`keeps every acknowledged sample and no partial batch over ${rounds} kills`, async () => {
    const dir = join(tmp.dir, 'data');
    let lastAck = -1;
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < rounds; round++) {
      const t0 = Date.now();
      const acks = await runChild(script, dir, lastAck + 1, Math.floor(round % 4 === 3 ? 150 + rand() * 700 : rand() * 200), round % 4 === 3);
      if (acks.length > 0) lastAck = Math.max(lastAck, ...acks);
      const t1 = Date.now();
      const db = await TSDB.open({ dir, worker: false });
      if (process.env['VIGIL_CRASH_VERBOSE']) console.log(`round ${round}: child ${t1 - t0} ms, ${acks.length} acks, open ${Date.now() - t1} ms`);
      try {
        expect(db.quickCheck().ok).toBe(true);
        // Check the recent window fully; the final round checks everything.
        const from = round === rounds - 1 ? 0 : Math.max(0, lastAck - 40);
        const q = await db.querier(crashBase + from * 1000, Infinity);
        const set = await q.select([{ op: '=~', name: '__name__', value: '.+' }]);
        expect(set.series.length).toBe(labels.length);
        // Plain loops, one expect per round: expect() per sample would dominate the run time.
        const problems: string[] = [];
        let newest = -1;
        for (const s of set.series) {
          const i = indexOf.get(labelsKey(s.labels));
          if (i === undefined) {
            problems.push(`unknown series ${labelsKey(s.labels)}`);
            continue;
          }
          const { t, v } = s.samples();
          const last = (t[t.length - 1]! - crashBase) / 1000;
          if (newest < 0) newest = last;
          // All series end at the same batch: a batch is visible whole or not at all.
          if (last !== newest) problems.push(`series ${i} ends at batch ${last}, others at ${newest}`);
          if (t.length !== last - from + 1) problems.push(`series ${i} has ${t.length} samples in [${from}, ${last}]`);
          for (let j = 0; j < t.length && problems.length < 20; j++) {
            const k = (t[j]! - crashBase) / 1000;
            if (k !== from + j) problems.push(`series ${i}: sample ${j} is batch ${k}, expected ${from + j}`);
            const want = sampleValue(i, k);
            if (Number.isNaN(want) ? !isStaleNaN(v[j]!) : v[j] !== want) problems.push(`series ${i} batch ${k}: value ${v[j]}, expected ${want}`);
          }
          if (problems.length >= 20) break;
        }
        expect(problems).toEqual([]);
        expect(newest).toBeGreaterThanOrEqual(lastAck);
        lastAck = Math.max(lastAck, newest);
      } finally {
        await db.close();
      }
    }
    expect(lastAck).toBeGreaterThan(rounds);
  }, 90_000);
});
