/**
 * Entry of `vigil import` alone (main/bin/vigil.js picks it): a backfill's time counts start-up,
 * and loading every command — the whole engine — costs ~0.4 s of CPU that an import does not use.
 */
import { importCommand } from './cli/import.js';
import { runCommand } from './cli/dispatch.js';

export function runCli(args: string[]): Promise<number> {
  return runCommand([importCommand], args, () => `Usage: ${importCommand.usage}\n`);
}
