/**
 * YAML documents that remember where each value came from, so a config error can say
 * `file: line:col: …`. Shared by notification config and rule files (main/rules may import
 * main/notify, not the other way round).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

export type YamlPath = readonly (string | number)[];

export interface Position {
  line: number; // 1-based
  col: number; // 1-based
}

export interface PositionedYaml {
  readonly value: unknown;
  /** Position of the value at `path`, or of the nearest ancestor that exists; null for the root of an empty file. */
  positionOf(path: YamlPath): Position | null;
  /** Position of the key that holds `path` (the map entry), falling back to the value. */
  keyPositionOf(path: YamlPath): Position | null;
  /** Syntax errors with their positions, already formatted as `line:col: message`. */
  readonly errors: readonly string[];
}

export function parseYamlWithPositions(text: string): PositionedYaml {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const errors = doc.errors.map((e) => {
    const p = at(e.pos[0]);
    return `${p.line}:${p.col}: ${e.message.split('\n')[0] ?? e.message}`;
  });
  const walk = (path: YamlPath, wantKey: boolean): Position | null => {
    let node: unknown = doc.contents;
    let best: Position | null = node !== null && isNodeWithRange(node) ? at(node.range[0]) : null;
    for (const [i, step] of path.entries()) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
        if (pair === undefined) return best;
        const last = i === path.length - 1 && wantKey;
        if (last && isNodeWithRange(pair.key)) return at(pair.key.range[0]);
        node = pair.value;
        if (isNodeWithRange(pair.value)) best = at(pair.value.range[0]);
        else if (isNodeWithRange(pair.key)) best = at(pair.key.range[0]);
      } else if (isSeq(node) && typeof step === 'number') {
        const item: unknown = node.items[step];
        if (item === undefined) return best;
        node = item;
        if (isNodeWithRange(item)) best = at(item.range[0]);
      } else {
        return best;
      }
    }
    return best;
  };
  let value: unknown = null;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    errors.push(`0:0: ${(e as Error).message}`);
  }
  return { value, errors, positionOf: (p) => walk(p, false), keyPositionOf: (p) => walk(p, true) };
}

function isNodeWithRange(n: unknown): n is Node & { range: [number, number, number] } {
  return typeof n === 'object' && n !== null && Array.isArray((n as { range?: unknown }).range);
}

export function formatPosition(p: Position | null): string {
  return p === null ? '0:0' : `${p.line}:${p.col}`;
}
