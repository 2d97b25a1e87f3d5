/**
 * The one error a parser throws. `line` is 1-based; the message starts with it so a user reading
 * a log or the Targets page can go straight to the bad line of the page.
 */
export class ExpositionParseError extends Error {
  override readonly name = 'ExpositionParseError';
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}
