import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conformanceCli } from '../promql/promqltest/cli.js';
import type { StorageFactory } from '../promql/promqltest/runner.js';
import { OverlayStorage } from '../rules/overlay-storage.js';
import { TSDB } from '../tsdb/db.js';
import type { Appendable, Appender } from '../tsdb/interface.js';
import { silentLogger } from '../util/log.js';
import type { Command } from './command.js';

/**
 * A fresh real storage (SQLite, chunk codecs, head) per script, in a temporary directory. The
 * on-disk TSDB has no histogram chunk encoding yet, so native histogram samples go to an
 * in-memory overlay read together with it (the rules' OverlayStorage); floats still go to disk.
 */
export const tsdbStorageFactory: StorageFactory = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-conformance-'));
  const db = await TSDB.open({ dir, worker: false, logger: silentLogger, retentionIntervalMs: 0 });
  const merged = new OverlayStorage(db);
  const appendable: Appendable = {
    appender(): Appender {
      const floats = db.appender();
      const histograms = merged.overlay.appender();
      return {
        append: (s, t, v) => floats.append(s, t, v),
        appendHistogram: (s, t, h) => {
          if (typeof s === 'number') throw new Error('conformance storage: append histograms by labels, not by series ref');
          return histograms.appendHistogram!(s, t, h);
        },
        commit: async () => {
          await floats.commit();
          await histograms.commit();
        },
        rollback: () => {
          floats.rollback();
          histograms.rollback();
        },
      };
    },
  };
  return {
    queryable: merged,
    appendable,
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
