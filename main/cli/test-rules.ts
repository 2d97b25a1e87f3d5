import { runRuleTestFile } from '../rules/unittest-run.js';
import { UsageError, type Command } from './command.js';

export const testRulesCommand: Command = {
  words: ['test', 'rules'],
  usage: 'vigil test rules FILE...',
  summary: "run rule unit tests in promtool's test file format; exit 1 when any fails",
  async run(args) {
    const files = args.filter((a) => !a.startsWith('-'));
    if (files.length === 0) throw new UsageError('at least one test FILE is required');
    let failed = false;
    for (const file of files) {
      const r = await runRuleTestFile(file);
      process.stdout.write(r.report + '\n');
      if (!r.ok) failed = true;
    }
    return failed ? 1 : 0;
  },
};
