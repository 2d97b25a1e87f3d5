/**
 * Silences: matcher sets active between startsAt and endsAt. Add, expire, list, and preview
 * which alerts a proposed silence would mute. Persisted through `NotifyStore` when given one.
 */
import { randomUUID } from 'node:crypto';
import type { CompiledMatcher } from '../../app/dialect/matcher.js';
import { compileMatcher, matchesLabels, type Matcher } from './matchers.js';
import type { NotifyAlert } from './alert.js';
import type { NotifyStore } from './store.js';

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAtMs: number;
  endsAtMs: number;
  createdBy: string;
  comment: string;
}

export type SilenceState = 'pending' | 'active' | 'expired';

class SilenceError extends Error {}

export class Silences {
  private readonly items = new Map<string, { s: Silence; compiled: CompiledMatcher[] }>();

  constructor(
    private readonly now: () => number,
    private readonly store: NotifyStore | null = null,
  ) {
    for (const s of store?.loadSilences() ?? []) this.items.set(s.id, { s, compiled: s.matchers.map(compileMatcher) });
  }

  static validate(s: Omit<Silence, 'id'>): CompiledMatcher[] {
    if (s.matchers.length === 0) throw new SilenceError('a silence needs at least one matcher');
    if (s.endsAtMs <= s.startsAtMs) throw new SilenceError('a silence must end after it starts');
    const compiled = s.matchers.map(compileMatcher);
    // Alertmanager refuses silences that would match every alert.
    if (compiled.every((m) => m.matches(''))) throw new SilenceError('at least one matcher must not match the empty string, or the silence mutes everything');
    return compiled;
  }

  add(s: Omit<Silence, 'id'> & { id?: string }): Silence {
    const compiled = Silences.validate(s);
    const silence: Silence = { ...s, id: s.id ?? randomUUID() };
    this.items.set(silence.id, { s: silence, compiled });
    this.store?.saveSilence(silence);
    return silence;
  }

  /** Ends a silence now (keeps it for history, as Alertmanager does). */
  expire(id: string): Silence {
    const e = this.items.get(id);
    if (e === undefined) throw new SilenceError(`silence ${id} not found`);
    const now = this.now();
    if (e.s.endsAtMs <= now) return e.s;
    e.s = { ...e.s, endsAtMs: now, startsAtMs: Math.min(e.s.startsAtMs, now) };
    this.store?.saveSilence(e.s);
    return e.s;
  }

  state(s: Silence, nowMs = this.now()): SilenceState {
    if (nowMs < s.startsAtMs) return 'pending';
    return nowMs < s.endsAtMs ? 'active' : 'expired';
  }

  list(): Silence[] {
    return [...this.items.values()].map((e) => e.s);
  }

  /** IDs of active silences muting these labels. */
  mutedBy(labels: Record<string, string>, nowMs = this.now()): string[] {
    const out: string[] = [];
    for (const { s, compiled } of this.items.values()) {
      if (this.state(s, nowMs) === 'active' && matchesLabels(compiled, labels)) out.push(s.id);
    }
    return out;
  }

  /** Which of `alerts` a proposed set of matchers would silence. */
  preview(matchers: Matcher[], alerts: Iterable<NotifyAlert>): NotifyAlert[] {
    const compiled = matchers.map(compileMatcher);
    return [...alerts].filter((a) => matchesLabels(compiled, a.labels));
  }
}
