// npm run bench, last step: prints issue #18's table (figure, Vigil, peer, ratio, target, verdict)
// from the figure files the benches before it wrote to test-results/bench/ (build/bench/figures.js).
//   node build/bench/summary.js
import { readFigures } from './figures.js';
import { formatSummary, summaryRows } from './summary-table.js';

const benches = Object.fromEntries(['tsdb', 'scrape', 'wide-query', 'ui', 'probe'].map((name) => [name, readFigures(name)]));
console.log(`\n# Issue #18 — Vigil beside its peers (${new Date().toISOString()})\n`);
console.log(formatSummary(summaryRows(benches), benches));
