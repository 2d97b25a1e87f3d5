// Types of summary-table.js for the TypeScript test that checks it.
export interface BenchFile {
  bench: string;
  at: string;
  load: number[];
  figures: Record<string, unknown>;
}
export interface SummaryRow {
  figure: string;
  unit: string;
  source: string;
  vigil: number | null;
  peer: number | null;
  peerName: string;
  ratio: number | null;
  target: string;
  verdict: 'met' | 'missed' | 'not measured';
}
export function summaryRows(benches: Record<string, BenchFile | null>): SummaryRow[];
export function formatSummary(rows: SummaryRow[], benches: Record<string, BenchFile | null>): string;
