import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conformanceCli } from '../promql/promqltest/cli.js';
import type { StorageFactory } from '../promql/promqltest/runner.js';
import { TSDB } from '../tsdb/db.js';
import { silentLogger } from '../util/log.js';
import type { Command } from './command.js';

/**
 * A fresh real storage (SQLite, chunk codecs, head) per script, in a temporary directory: floats
 * and native histograms both go through the appender, the log, the head and the chunk codecs.
 */
export const tsdbStorageFactory: StorageFactory = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-conformance-'));
  const db = await TSDB.open({ dir, worker: false, logger: silentLogger, retentionIntervalMs: 0 });
  return {
    queryable: db,
    appendable: db,
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

export const conformanceCommand: Command = {
  words: ['conformance'],
  usage: 'vigil conformance [--no-experimental] [FILE.test...]',
  summary: "run Prometheus' PromQL test scripts through this engine and storage",
  run: (args) => conformanceCli(args, tsdbStorageFactory),
};
