// Types of figures.js for the TypeScript test that checks it.
import type { BenchFile } from './summary-table.js';
export const figuresDir: string;
export function writeFigures(name: string, figures: Record<string, unknown>, dir?: string): string;
export function readFigures(name: string, dir?: string): BenchFile | null;
