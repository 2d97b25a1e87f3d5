import { readFile } from 'node:fs/promises';
import { parseRuleFile, type ParseRulesOptions } from '../rules/rulefile.js';
import { UsageError, type Command } from './command.js';

export interface CheckRulesIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

/**
 * Checks rule files the way `promtool check rules` does and prints the same report:
 * `Checking FILE` / `  SUCCESS: N rules found` on stdout, `  FAILED:` and the errors on stderr.
 */
export async function checkRuleFiles(files: readonly string[], io: CheckRulesIO, opts: ParseRulesOptions = {}): Promise<number> {
  let failed = false;
  for (const file of files) {
    io.out(`Checking ${file}\n`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      failed = true;
      io.err(`  FAILED:\n${file}: cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check the path\n`);
      io.out('\n');
      continue;
    }
    const r = parseRuleFile(file, text, opts);
    if (r.ok) io.out(`  SUCCESS: ${r.ruleCount} rules found\n`);
    else {
      failed = true;
      io.err(`  FAILED:\n${r.errors.join('\n')}\n`);
    }
    io.out('\n');
  }
  return failed ? 1 : 0;
}

export const checkRulesCommand: Command = {
  words: ['check', 'rules'],
  usage: 'vigil check rules FILE…',
  summary: 'check Prometheus rule files (same verdicts and report as promtool check rules)',
  async run(args) {
    if (args.length === 0) throw new UsageError('check rules needs at least one rule file');
    return checkRuleFiles(args, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
  },
};
