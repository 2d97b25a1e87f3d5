// Types of hostile-targets.js for the TypeScript tests that use it.
import type { ServerResponse } from 'node:http';
export interface HostileScale {
  bombBytes: number;
  bigBytes: number;
  millionSeries: number;
  labelBytes: number;
}
export const scales: { full: HostileScale; ci: HostileScale };
export function pump(res: ServerResponse, chunk: Buffer, total: number): void;
export const hostileKinds: Record<string, RegExp>;
export interface Healthy {
  host: string;
  paths: string[];
  close(): Promise<void>;
}
export function healthyTargets(n: number, series?: number): Promise<Healthy>;
export function hostileConfig(o: {
  healthy: Healthy;
  hostileBase: string;
  interval?: string;
  timeout?: string;
  hostileInterval?: string;
  hostileTimeout?: string;
  limits?: Record<string, string | number>;
}): string;
export function spawnHostileTargets(scale?: 'full' | 'ci'): Promise<{ base: string; pid: number; stop(): Promise<void> }>;
