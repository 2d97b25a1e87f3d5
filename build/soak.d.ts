// Types of soak.js for its CI-sized test.
import type { HealthyFigures } from './bench/scrape-health.js';
export interface SoakRound {
  round: number;
  /** Samples acknowledged before the previous kill, checked after this start. */
  checked: number;
  lost: number;
  startSeconds: number;
  peak?: number;
  figures?: HealthyFigures;
}
export interface SoakSummary {
  kills: number;
  lost: number;
  acknowledgedChecked: number;
  startSecondsMax: number;
  startSecondsP50: number;
  durationP99Max: number;
  jitterP99Max: number;
  gaps: number;
  peakMax: number;
}
export function runSoak(o?: {
  kills?: number;
  minRun?: number;
  maxRun?: number;
  healthy?: number;
  scale?: 'ci' | 'full';
  log?: (line: string) => void;
}): Promise<{ rounds: SoakRound[]; summary: SoakSummary }>;
