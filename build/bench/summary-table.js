// Issue #18's table from the benches' figure files (build/bench/figures.js): one row per figure
// with Vigil's value, the peer's, their ratio, the target and whether it is met. A figure a bench
// did not produce is "not measured" — never estimated — and its verdict is "not measured" too.

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const at = (obj, path) => path.split('.').reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);

/** How a target judges a row: by the ratio Vigil/peer, or by Vigil's own value. */
const ratioBelow = (limit, strict = true) => ({ text: `${strict ? '<' : '≤'} ${limit}× peer`, met: (r) => r.ratio !== null && (strict ? r.ratio < limit : r.ratio <= limit) });
const ratioAbove = (limit, strict = true) => ({ text: `${strict ? '>' : '≥'} ${limit}× peer`, met: (r) => r.ratio !== null && (strict ? r.ratio > limit : r.ratio >= limit) });
const valueBelow = (limit, unit, strict = true) => ({ text: `${strict ? '<' : '≤'} ${limit}${unit}`, met: (r) => r.vigil !== null && (strict ? r.vigil < Number(limit) : r.vigil <= Number(limit)) });

const percentOver = (x, base) => (num(x) !== null && num(base) !== null && base > 0 ? (100 * (x - base)) / base : null);

/**
 * Rows of the table from `{ tsdb, scrape, 'wide-query', ui, probe }` (each what readFigures
 * returned, or null). Row: { figure, unit, vigil, peer, peerName, ratio, target, verdict, source }.
 */
export function summaryRows(benches) {
  const rows = [];
  const add = (figure, unit, source, vigil, peer, peerName, target) => {
    const v = num(vigil);
    const p = num(peer);
    const row = { figure, unit, source, vigil: v, peer: p, peerName, ratio: target.text.includes('peer') && v !== null && p !== null && p !== 0 ? v / p : null, target: target.text };
    row.verdict = v === null || (target.text.includes('peer') && p === null) ? 'not measured' : target.met(row) ? 'met' : 'missed';
    rows.push(row);
  };
  const tsdb = benches.tsdb?.figures;
  for (const q of ['Q1', 'Q2', 'Q3', 'Q4', 'Q5']) {
    add(`${q} range query median`, 'ms', 'tsdb', at(tsdb, `vigil.queries.${q}.ms`), at(tsdb, `victoriaMetrics.queries.${q}.ms`), 'VictoriaMetrics', ratioBelow(1));
  }
  add('import W-offline, whole command', 'samples/s', 'tsdb', at(tsdb, 'vigil.importRate'), at(tsdb, 'victoriaMetrics.importRate'), 'VictoriaMetrics', ratioAbove(1));
  add('on-disk bytes per sample, all-in', 'B', 'tsdb', at(tsdb, 'vigil.bytesAll'), at(tsdb, 'victoriaMetrics.bytesAll'), 'VictoriaMetrics', ratioBelow(0.8, false));
  const scrape = benches.scrape?.figures;
  add('resident bytes per series, steady scrape', 'B', 'scrape', at(scrape, 'vigil.rssPerSeries'), at(scrape, 'victoriaMetrics.rssPerSeries'), 'VictoriaMetrics', ratioBelow(1));
  // Written by scrape.js --together (Vigil and Prometheus scraping the same fleet at once).
  add('CPU-s per 1 M scraped samples, sharing the machine with Prometheus', 'CPU-s', 'scrape', at(scrape, 'vigil.cpuPerMTogether'), at(scrape, 'prometheus.cpuPerMTogether'), 'Prometheus', ratioBelow(0.6, false));
  const wide = benches['wide-query']?.figures;
  add('RSS right after a 100k-series query, over steady', '%', 'wide-query', percentOver(at(wide, 'vigil.after'), at(wide, 'vigil.steady')), percentOver(at(wide, 'prometheus.after'), at(wide, 'prometheus.steady')), 'Prometheus', valueBelow('+15', ' %', false));
  // "Back within 60 s": 60 s later, RSS is within 15 % of steady as well.
  add(`the same, ${at(wide, 'afterSeconds') ?? 60} s later`, '%', 'wide-query', percentOver(at(wide, 'vigil.later'), at(wide, 'vigil.steady')), percentOver(at(wide, 'prometheus.later'), at(wide, 'prometheus.steady')), 'Prometheus', valueBelow('+15', ' %', false));
  const probe = benches.probe?.figures;
  add('HTTPS probes per second, 200 targets', 'probes/s', 'probe', at(probe, 'best.vigil.probesPerSecond'), at(probe, 'best.blackbox.probesPerSecond'), 'blackbox_exporter', ratioAbove(1, false));
  add('CPU per HTTPS probe', 'CPU-ms', 'probe', at(probe, 'best.vigil.cpuMsPerProbe'), at(probe, 'best.blackbox.cpuMsPerProbe'), 'blackbox_exporter', ratioBelow(1, false));
  const ui = benches.ui?.figures;
  add('completion with 200k metric names, key → suggestion p95', 'ms', 'ui', at(ui, 'completionP95Ms'), null, '—', valueBelow(50, ' ms'));
  add('longest main-thread task during a query', 'ms', 'ui', at(ui, 'longestTaskMs'), null, '—', valueBelow(50, ' ms'));
  return rows;
}

const fmt = (v) => (v === null ? 'not measured' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

/** The rows as a Markdown table, then where each bench's figures came from. */
export function formatSummary(rows, benches) {
  const header = ['figure', 'Vigil', 'peer', 'ratio', 'target', 'verdict'];
  const lines = rows.map((r) => [
    `${r.figure} (${r.unit})`,
    fmt(r.vigil),
    r.peerName === '—' ? '—' : `${fmt(r.peer)} (${r.peerName})`,
    r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`,
    r.target,
    r.verdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  const out = [row(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...lines.map(row)];
  out.push('');
  for (const [name, b] of Object.entries(benches)) {
    out.push(b === null ? `${name}: no figures (test-results/bench/${name}.json missing)` : `${name}: ${b.figures.workload ?? 'workload not recorded'}; figures of ${b.at}, load ${b.load.map((l) => l.toFixed(1)).join(' ')}`);
  }
  const count = (v) => rows.filter((r) => r.verdict === v).length;
  out.push(`${count('met')} met, ${count('missed')} missed, ${count('not measured')} not measured of ${rows.length} figures`);
  return out.join('\n');
}
