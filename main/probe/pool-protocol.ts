/**
 * What the probe pool (main/probe/pool.ts) sends its worker threads (main/probe/pool-worker.ts),
 * and the module's wire form: a module holds compiled regexps,
 * which a structured clone would strip of their methods, so it travels as JSON with each regexp
 * replaced by its pattern and anchoring and is compiled again on the worker's side.
 */
import { compileRegex, isGoRegex, type RegexAnchoring } from '../../app/dialect/regex.js';
import type { ProbeModule } from './module-schema.js';

/** One probe for a pool thread (main/util/worker-pool.ts carries it and the ProbeResult back). */
export interface ProbeJob {
  readonly module: string;
  readonly target: string;
  readonly timeoutSeconds?: number;
  readonly pingPath?: string;
}

const regexKey = '\u0000regex';

export function moduleToWire(module: ProbeModule): string {
  return JSON.stringify(module, (_k, v: unknown) => (isGoRegex(v) ? { [regexKey]: v.pattern, anchoring: v.anchoring } : v));
}

export function moduleFromWire(text: string): ProbeModule {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && regexKey in v) {
      const r = v as { [regexKey]: string; anchoring: RegexAnchoring };
      return compileRegex(r[regexKey], r.anchoring);
    }
    return v;
  }) as ProbeModule;
}
