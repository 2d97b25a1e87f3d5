import { readBuildInfo } from './build-info.js';
import type { Command } from './cli/command.js';
import { runCommand } from './cli/dispatch.js';
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
  return runCommand(commands, args, helpText);
}
