import { readBuildInfo } from './build-info.js';
import { UsageError, type Command } from './cli/command.js';
import { serveCommand } from './cli/serve.js';
import { workloadDumpCommand, workloadServeCommand } from './cli/workload.js';
import { checkMetricsCommand } from './cli/check-metrics.js';
import { checkConfigCommand } from './cli/check-config.js';
import { checkRulesCommand } from './cli/check-rules.js';
import { testRulesCommand } from './cli/test-rules.js';
import { importCommand } from './cli/import.js';
import { probeCommand } from './cli/probe.js';
import { conformanceCommand } from './cli/conformance.js';
import { backupCommand, restoreCommand } from './cli/backup.js';
import { dashboardExportCommand, dashboardImportCommand, dashboardListCommand } from './cli/dashboard.js';

/** Every `vigil` command. Later subsystems add theirs here (check, import, backup, test rules…). */
export const commands: readonly Command[] = [
  serveCommand,
  checkConfigCommand,
  checkRulesCommand,
  checkMetricsCommand,
  testRulesCommand,
  importCommand,
  backupCommand,
  restoreCommand,
  dashboardListCommand,
  dashboardImportCommand,
  dashboardExportCommand,
  probeCommand,
  conformanceCommand,
  workloadServeCommand,
  workloadDumpCommand,
];

export function helpText(): string {
  const lines = commands.map((c) => `  ${c.usage}\n      ${c.summary}`);
  return [
    'Vigil — a desktop observability workbench (scrape, probe, store, query, alert).',
    '',
    'Usage: vigil <command> [options]',
    '',
    'Commands:',
    ...lines,
    '  vigil --help\n      show this help',
    '  vigil --version\n      print the version',
    '',
  ].join('\n');
}

function findCommand(args: string[]): { command: Command; rest: string[] } | null {
  let best: { command: Command; rest: string[] } | null = null;
  for (const command of commands) {
    const n = command.words.length;
    if (args.length >= n && command.words.every((w, i) => args[i] === w)) {
      if (best === null || n > best.command.words.length) best = { command, rest: args.slice(n) };
    }
  }
  return best;
}

export async function runCli(args: string[]): Promise<number> {
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  if (args[0] === '--version' || args[0] === 'version') {
    const info = readBuildInfo();
    process.stdout.write(`vigil ${info.version} (${info.revision}) ${info.runtime}\n`);
    return 0;
  }
  const found = findCommand(args);
  if (found === null) {
    process.stderr.write(`vigil: unknown command ${JSON.stringify(args.join(' '))}\n\n${helpText()}`);
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    process.stdout.write(`Usage: ${found.command.usage}\n\n${found.command.summary}\n`);
    return 0;
  }
  try {
    return await found.command.run(found.rest);
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`vigil ${found.command.words.join(' ')}: ${(err as Error).message}\n`);
    if (usage) process.stderr.write(`Usage: ${found.command.usage}\n`);
    return usage ? 2 : 1;
  }
}
