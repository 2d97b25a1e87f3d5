/**
 * `vigil check config FILE…`: promtool's check, same output (`SUCCESS: FILE is valid prometheus
 * config file syntax`), exit 1 when any file has errors. Also checks that rule files exist.
 */
import { access } from 'node:fs/promises';
import { loadConfig } from '../config/load.js';
import { UsageError, type Command } from './command.js';
import { hasGlobMeta } from '../util/glob.js';

export interface CheckOutput {
  out(line: string): void;
  err(line: string): void;
}

const stdio: CheckOutput = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/** promtool's layout: `  FAILED: first error`, later errors indented below it. */
function report(io: CheckOutput, lines: readonly string[]): void {
  lines.forEach((line, i) => io.err(i === 0 ? `  FAILED: ${line}` : `          ${line}`));
  io.out('');
}

/** Checks each file; returns the exit code. */
export async function checkConfigFiles(files: readonly string[], io: CheckOutput = stdio): Promise<number> {
  let failed = false;
  for (const file of files) {
    io.out(`Checking ${file}`);
    const r = await loadConfig(file);
    if (!r.ok) {
      failed = true;
      report(io, r.errors.map(String));
      continue;
    }
    const missing: string[] = [];
    for (const rf of r.config.rule_files) {
      if (hasGlobMeta(rf)) continue; // a glob may match nothing yet; promtool accepts it
      try {
        await access(rf);
      } catch {
        missing.push(rf);
      }
    }
    if (missing.length > 0) {
      failed = true;
      report(io, missing.map((m) => `${file}: rule_files: ${JSON.stringify(m)} does not exist`));
      continue;
    }
    io.out(` SUCCESS: ${file} is valid prometheus config file syntax`);
    io.out('');
  }
  return failed ? 1 : 0;
}

export const checkConfigCommand: Command = {
  words: ['check', 'config'],
  usage: 'vigil check config FILE...',
  summary: 'check prometheus.yml files (promtool check config)',
  async run(args) {
    if (args.length === 0) throw new UsageError('give at least one config file: vigil check config prometheus.yml');
    const flag = args.find((a) => a.startsWith('-'));
    if (flag !== undefined) throw new UsageError(`unknown option ${flag}`);
    return checkConfigFiles(args);
  },
};
