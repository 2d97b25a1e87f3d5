import type { RequestOf, ResponseOf } from '../../app/api/channels.js';

/** The scrape side of the contract (targets page), implemented over the scrape manager. */
export interface TargetsService {
  targets(request: RequestOf<'targets'>): Promise<ResponseOf<'targets'>>;
  lintTarget(request: RequestOf<'lintTarget'>): Promise<ResponseOf<'lintTarget'>>;
}

/** The probe side of the contract, implemented over the probe scheduler. */
export interface ProbesService {
  probes(request: RequestOf<'probes'>): Promise<ResponseOf<'probes'>>;
}
