import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client.js';
import { loadExemplarMarks } from './exemplar-marks.js';
import type { ExemplarMark, ExemplarMarks } from './exemplars-plugin.js';

/**
 * The exemplar overlay of a chart: the exemplars of `queries` within [startMs, endMs], fetched
 * again whenever `version` changes (a new run or new data), with the saved tracing URL template.
 * No queries: no fetch and a null overlay.
 */
export function useExemplars(
  queries: readonly string[],
  startMs: number,
  endMs: number,
  version: unknown,
  unit: string | null,
): { overlay: ExemplarMarks | null; errors: string[]; tracingUrl: string; setTracingUrl: (url: string) => void } {
  // The saved template, read only by charts that show exemplars (then replaced by what is saved here).
  const [loaded, setLoaded] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const tracingUrl = saved ?? loaded;
  const [found, setFound] = useState<{ marks: ExemplarMark[]; errors: string[] }>({ marks: [], errors: [] });
  const key = queries.join('\n');
  useEffect(() => {
    if (key === '') {
      setFound({ marks: [], errors: [] });
      return;
    }
    let live = true;
    api.setup({}).then(
      (st) => live && setLoaded(st.settings.tracingUrl),
      () => {},
    );
    void loadExemplarMarks(api, key.split('\n'), startMs, endMs).then((m) => live && setFound(m));
    return () => {
      live = false;
    };
  }, [key, startMs, endMs, version]);
  const overlay = useMemo(() => (key === '' ? null : { marks: found.marks, tracingUrl, unit }), [key, found, tracingUrl, unit]);
  return { overlay, errors: found.errors, tracingUrl, setTracingUrl: setSaved };
}
