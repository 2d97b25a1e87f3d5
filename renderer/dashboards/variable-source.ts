import type { WorkbenchApi } from '../../app/api/channels.js';
import { localSourceUid } from '../../app/api/remote-sources.js';
import { queryResultText, type VariableSource } from '../../app/dashboards/variables.js';

/**
 * Query variables' reads over the contract channels (labelNames, labelValues, query), sent to the
 * variable's remote data source when it has one (the engine proxies them), and the list of data
 * sources a `datasource` variable offers (remoteSources, without secrets).
 */
export function variableSource(client: WorkbenchApi): VariableSource {
  const on = (source: string | undefined) => (source === undefined ? {} : { source });
  return {
    async labelNames(match, fromMs, toMs, source) {
      return (await client.labelNames({ ...(match ? { match: [match] } : {}), start: fromMs, end: toMs, limit: 10_000, ...on(source) })).values;
    },
    async labelValues(label, match, fromMs, toMs, source) {
      return (await client.labelValues({ name: label, ...(match ? { match: [match] } : {}), start: fromMs, end: toMs, limit: 10_000, ...on(source) })).values;
    },
    async queryResult(expr, timeMs, source) {
      const r = (await client.query({ query: expr, time: timeMs, ...on(source) })).result;
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
    async dataSources() {
      const { sources } = await client.remoteSources({});
      return [{ text: 'Vigil', value: localSourceUid }, ...sources.map((s) => ({ text: s.name, value: s.uid }))];
    },
  };
}
