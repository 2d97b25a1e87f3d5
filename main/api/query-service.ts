import type { RequestOf, ResponseOf } from '../../app/api/channels.js';
import type { QueryPriority } from '../promql/engine.js';

/** How a caller inside the engine can bound a query: cancel it, or give it less time. */
export interface QueryCall {
  /** Aborting cancels the query (a client that went away). */
  readonly signal?: AbortSignal;
  /** Evaluation timeout for this query, capped by the engine's own. */
  readonly timeoutMs?: number;
  /** Queue class: 'interactive' (default: the UI, rules) or 'bulk' (Prometheus' API from outside). */
  readonly priority?: QueryPriority;
}

/**
 * The query side of the contract, implemented over the PromQL engine and storage
 * (main/api/query-service-impl.ts). The Engine delegates to it once storage is open.
 */
export interface QueryService {
  query(request: RequestOf<'query'>, call?: QueryCall): Promise<ResponseOf<'query'>>;
  queryRange(request: RequestOf<'queryRange'>, call?: QueryCall): Promise<ResponseOf<'queryRange'>>;
  estimateQuery(request: RequestOf<'estimateQuery'>): Promise<ResponseOf<'estimateQuery'>>;
  cancelQuery(request: RequestOf<'cancelQuery'>): Promise<ResponseOf<'cancelQuery'>>;
  labelNames(request: RequestOf<'labelNames'>): Promise<ResponseOf<'labelNames'>>;
  labelValues(request: RequestOf<'labelValues'>): Promise<ResponseOf<'labelValues'>>;
  metadata(request: RequestOf<'metadata'>): Promise<ResponseOf<'metadata'>>;
}
