/** Finds the command that `args` name among `commands` and runs it, with usage errors printed as such. */
import { UsageError, type Command } from './command.js';

function findCommand(commands: readonly Command[], args: string[]): { command: Command; rest: string[] } | null {
  let best: { command: Command; rest: string[] } | null = null;
  for (const command of commands) {
    const n = command.words.length;
    if (args.length >= n && command.words.every((w, i) => args[i] === w)) {
      if (best === null || n > best.command.words.length) best = { command, rest: args.slice(n) };
    }
  }
  return best;
}

export async function runCommand(commands: readonly Command[], args: string[], helpText: () => string): Promise<number> {
  const found = findCommand(commands, args);
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
