import { formatLintProblems, lintPage } from '../scrape/lint.js';
import type { Command } from './command.js';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** `promtool check metrics`, same rules and exit codes: 1 unparsable, 3 problems found. */
export const checkMetricsCommand: Command = {
  words: ['check', 'metrics'],
  usage: 'vigil check metrics < page.txt',
  summary: "lint a metrics page from standard input with promtool's check-metrics rules",
  async run() {
    const r = lintPage(await readStdin(), 'text/plain; version=0.0.4');
    if (r.error !== undefined) {
      process.stderr.write(`error while linting: ${r.error}\n`);
      return 1;
    }
    process.stderr.write(formatLintProblems(r.problems));
    return r.problems.length > 0 ? 3 : 0;
  },
};
