/** Sample pages for parser tests and the fuzzer: a W-fleet (docs/benchmarks.md) page in both formats, and edge cases. */
import { buildTarget } from '../../../../main/workload/fleet.js';
import { PageRenderer } from '../../../../main/workload/exposition.js';

export function fleetPage(series: number, format: 'prometheus' | 'openmetrics', seed = 7): string {
  const families = buildTarget({ seed, target: 0, series });
  for (const f of families) for (const m of f.members) m.advance(15);
  return new PageRenderer(families, format).render();
}

export const omEdgeCases = [
  '# TYPE a counter\n# HELP a help \\"x\\" \\\\ \\n\n# UNIT a_seconds seconds\na_total{l="v"} 1 123.456 # {id="x"} 1.0 123\na_created 1.6e9\n# EOF\n',
  '# TYPE s stateset\ns{s="a"} 1\ns{s="b"} 0\n# TYPE i info\ni_info{v="1"} 1\n# TYPE g gaugehistogram\ng_gbucket{le="+Inf"} 3\ng_gcount 3\ng_gsum 1\n# EOF',
];
