import type { RequestOf, ResponseOf } from '../../app/api/channels.js';

/**
 * The query side of the contract, implemented over the PromQL engine and storage
 * (main/api/query-service-impl.ts). The Engine delegates to it once storage is open.
 */
export interface QueryService {
  query(request: RequestOf<'query'>): Promise<ResponseOf<'query'>>;
  queryRange(request: RequestOf<'queryRange'>): Promise<ResponseOf<'queryRange'>>;
  estimateQuery(request: RequestOf<'estimateQuery'>): Promise<ResponseOf<'estimateQuery'>>;
  cancelQuery(request: RequestOf<'cancelQuery'>): Promise<ResponseOf<'cancelQuery'>>;
  labelNames(request: RequestOf<'labelNames'>): Promise<ResponseOf<'labelNames'>>;
  labelValues(request: RequestOf<'labelValues'>): Promise<ResponseOf<'labelValues'>>;
  metadata(request: RequestOf<'metadata'>): Promise<ResponseOf<'metadata'>>;
}
