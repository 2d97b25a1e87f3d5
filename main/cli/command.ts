/** One `vigil` sub-command. `run` returns the process exit code. */
export interface Command {
  /** Words that select the command, e.g. `['check', 'config']`. */
  readonly words: readonly string[];
  readonly usage: string;
  readonly summary: string;
  run(args: string[]): Promise<number>;
}

/** Thrown for bad command-line input; printed without a stack trace, exit code 2. */
export class UsageError extends Error {}
