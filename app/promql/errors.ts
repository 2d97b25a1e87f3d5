/** The one error type of PromQL syntax: parse failures and type-check failures, with a position. */
import type { PosRange } from './ast.js';

export type PromQLErrorKind = 'syntax' | 'type';

export class PromQLParseError extends Error {
  override readonly name = 'PromQLParseError';
  readonly pos: PosRange;
  readonly kind: PromQLErrorKind;

  constructor(message: string, pos: PosRange, kind: PromQLErrorKind) {
    super(message);
    this.pos = pos;
    this.kind = kind;
  }

  /** `1:5: parse error: …`, the form Prometheus' API returns; line and column are 1-based. */
  format(query: string): string {
    const { line, col } = lineCol(query, this.pos.start);
    return `${line}:${col}: parse error: ${this.message}`;
  }
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}
