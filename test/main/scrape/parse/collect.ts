import { createParser, type TextParser } from '../../../../main/scrape/parse/parser.js';

export interface Entry {
  kind: string;
  line: number;
  id?: string;
  labels?: Record<string, string>;
  value?: number;
  ts?: number | null;
  meta?: unknown;
}

/** Runs a parser to the end and records every entry in a comparable shape. */
export function collect(body: string | Uint8Array, contentType = 'text/plain; version=0.0.4'): Entry[] {
  const p: TextParser = createParser(typeof body === 'string' ? Buffer.from(body) : body, contentType);
  const out: Entry[] = [];
  for (let kind = p.next(); kind !== 'eof'; kind = p.next()) {
    const e: Entry = { kind, line: p.line() };
    if (kind === 'series') {
      e.id = p.seriesId();
      e.labels = Object.fromEntries(p.labels().map((l) => [l.name, l.value]));
      e.value = p.value();
      e.ts = p.timestamp();
    } else if (kind === 'help') e.meta = p.help();
    else if (kind === 'type') e.meta = p.metricType();
    else if (kind === 'unit') e.meta = p.unit();
    else e.meta = p.comment();
    out.push(e);
  }
  return out;
}

export const openMetrics = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
