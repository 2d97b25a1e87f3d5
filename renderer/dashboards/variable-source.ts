import type { WorkbenchApi } from '../../app/api/channels.js';
import { queryResultText, type VariableSource } from '../../app/dashboards/variables.js';

/** Query variables' reads over the contract channels (labelNames, labelValues, query). */
export function variableSource(client: WorkbenchApi): VariableSource {
  return {
    async labelNames(match, fromMs, toMs) {
      return (await client.labelNames({ ...(match ? { match: [match] } : {}), start: fromMs, end: toMs, limit: 10_000 })).values;
    },
    async labelValues(label, match, fromMs, toMs) {
      return (await client.labelValues({ name: label, ...(match ? { match: [match] } : {}), start: fromMs, end: toMs, limit: 10_000 })).values;
    },
    async queryResult(expr, timeMs) {
      const r = (await client.query({ query: expr, time: timeMs })).result;
      switch (r.resultType) {
        case 'vector':
          return r.samples.map((s) => queryResultText(s.labels, String(s.v), s.t));
        case 'scalar':
        case 'string':
          return [String(r.v)];
        default:
          return [];
      }
    },
  };
}
