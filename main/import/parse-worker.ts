/**
 * Worker thread of `vigil import`: parses the file (parse-blocks.ts) while the main thread appends
 * the previous blocks. At most `ahead` blocks are out at a time: main sends each block's columns
 * back when done, which asks for one more, so a slow store never makes the parsed file pile up.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseBlocks, type ColumnBuffers, type ReadOptions } from './parse-blocks.js';

export interface ParseWorkerData extends ReadOptions {
  readonly file: string;
  readonly ahead: number;
}

const data = workerData as ParseWorkerData;
const port = parentPort!;
let credits = data.ahead;
let wake: (() => void) | null = null;
const spare: ColumnBuffers[] = [];
// Main sends each block's columns back when it is done with it: room for one more block.
port.on('message', (back: ColumnBuffers) => {
  spare.push(back);
  credits++;
  wake?.();
});

for (const b of parseBlocks(data.file, data, spare)) {
  while (credits === 0) await new Promise<void>((r) => (wake = r));
  credits--;
  port.postMessage(b, [b.series.buffer, b.t.buffer, b.v.buffer, b.line.buffer] as ArrayBuffer[]);
}
port.postMessage(null);
port.close();
