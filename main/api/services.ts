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

type AlertingChannel =
  | 'alerts'
  | 'ackAlert'
  | 'unackAlert'
  | 'addAlertNote'
  | 'silences'
  | 'createSilence'
  | 'expireSilence'
  | 'previewSilence'
  | 'rules'
  | 'readRuleText'
  | 'saveRuleText'
  | 'runRuleTests'
  | 'backtest'
  | 'fireDrill';

/** The alerting side of the contract, implemented over rules, notifications and the inbox. */
export type AlertingService = { [K in AlertingChannel]: (request: RequestOf<K>) => Promise<ResponseOf<K>> };
export const alertingChannels: readonly AlertingChannel[] = [
  'alerts',
  'ackAlert',
  'unackAlert',
  'addAlertNote',
  'silences',
  'createSilence',
  'expireSilence',
  'previewSilence',
  'rules',
  'readRuleText',
  'saveRuleText',
  'runRuleTests',
  'backtest',
  'fireDrill',
];
