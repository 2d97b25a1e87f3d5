/**
 * Acknowledgements: "I am on it" for one firing instance of an alert. An acknowledged alert
 * gets no repeat notifications; a change (it resolves, fires anew with a new start time) ends
 * the acknowledgement, so the next firing notifies again.
 */
import type { NotifyStore } from './store.js';

export interface Ack {
  fingerprint: string;
  startsAtMs: number;
  atMs: number;
  by: string;
  comment: string;
}

export class Acks {
  private readonly mem = new Map<string, Ack>();
  constructor(private readonly store: NotifyStore | null = null) {}

  acknowledge(a: Ack): void {
    this.mem.set(a.fingerprint, a);
    this.store?.saveAck(a);
  }

  clear(fingerprint: string): void {
    this.mem.delete(fingerprint);
    this.store?.deleteAck(fingerprint);
  }

  get(fingerprint: string): Ack | null {
    const a = this.mem.get(fingerprint) ?? this.store?.getAck(fingerprint) ?? null;
    if (a !== null) this.mem.set(fingerprint, a);
    return a;
  }

  /** Whether this firing instance (same fingerprint and start) is acknowledged. */
  covers(fingerprint: string, startsAtMs: number): boolean {
    return this.get(fingerprint)?.startsAtMs === startsAtMs;
  }
}
