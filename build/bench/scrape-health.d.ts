// Types of scrape-health.js for the TypeScript tests that use it.
export function quantile(xs: number[], q: number): number;
export function memoryOf(pid: number): { rss: number; peak: number };
export function rawSamples(
  base: string,
  selector: string,
  fromMs: number,
  toMs: number,
): Promise<{ metric: Record<string, string>; samples: [number, number][] }[]>;
export interface HealthyFigures {
  scrapes: number;
  targets: number;
  durationP50: number;
  durationP90: number;
  durationP99: number;
  durationMax: number;
  jitterP50: number;
  jitterP99: number;
  jitterMax: number;
  gaps: number;
  down: number;
}
export function healthyFigures(base: string, o: { jobRegex: string; intervalMs: number; fromMs: number; toMs: number }): Promise<HealthyFigures>;
export function targetStates(base: string, jobPrefix?: string): Promise<Record<string, { health: string; lastError: string; lastScrapeDuration: number }>>;
