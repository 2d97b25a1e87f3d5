/**
 * Fetches the exemplars of chart queries through the typed contract (`queryExemplars`) and turns
 * them into the marks exemplars-plugin.ts draws. One failing query leaves the others' marks.
 */
import type { WorkbenchApi } from '../../app/api/channels.js';
import type { ExemplarMark } from './exemplars-plugin.js';

/** Colours by query (the order the queries are given), distinct from the line palette's first hues. */
const palette = ['#f2c94c', '#eb5757', '#bb6bd9', '#27ae60', '#56ccf2'];

function seriesText(labels: Readonly<Record<string, string>>): string {
  const { __name__: name = '', ...rest } = labels;
  const inner = Object.entries(rest)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
  return `${name}{${inner}}`;
}

export async function loadExemplarMarks(
  api: Pick<WorkbenchApi, 'queryExemplars'>,
  queries: readonly string[],
  startMs: number,
  endMs: number,
): Promise<{ marks: ExemplarMark[]; errors: string[] }> {
  const marks: ExemplarMark[] = [];
  const errors: string[] = [];
  const answers = await Promise.all(
    queries.map((query) =>
      api.queryExemplars({ query, start: startMs, end: endMs }).then(
        (r) => ({ r, err: null }),
        (e: unknown) => ({ r: null, err: `exemplars of ${query}: ${e instanceof Error ? e.message : String(e)}` }),
      ),
    ),
  );
  answers.forEach(({ r, err }, i) => {
    if (err !== null) errors.push(err);
    for (const s of r?.series ?? []) {
      const series = seriesText(s.seriesLabels);
      for (const e of s.exemplars) marks.push({ t: e.t, value: e.value, labels: e.labels, series, color: palette[i % palette.length]! });
    }
  });
  return { marks, errors };
}
