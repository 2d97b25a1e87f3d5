/// <reference lib="webworker" />
// Fetches a contract call over HTTP, parses and validates the answer off the main thread, and
// posts the result back: a range query for 100 series × 10k points is ~10 MB of JSON whose
// parsing and checking would otherwise block the UI for a few hundred milliseconds.
import { channels, isChannelName } from '../../app/api/channels.js';
import type { RangeQueryResponse } from '../../app/api/query.js';
import { packRange, packedBuffers } from '../../app/api/range-packed.js';

interface Job {
  id: number;
  url: string;
  name: string;
  body: string;
}

self.onmessage = async (e: MessageEvent<Job>) => {
  const { id, url, name, body } = e.data;
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      postMessage({ id, ok: false, error: json ?? res.statusText });
      return;
    }
    if (!isChannelName(name)) throw new Error(`unknown channel ${name}`);
    const parsed = channels[name].response.safeParse(json);
    if (!parsed.success) {
      postMessage({ id, ok: false, error: { kind: 'internal', message: `invalid response from ${name}: ${parsed.error.message}` } });
      return;
    }
    if (name === 'queryRange') {
      // A range answer can hold ~1M values: send them as transferable typed arrays, so the page
      // receives them without deserialising a million-element structure on its main thread.
      const packed = packRange(parsed.data as RangeQueryResponse);
      postMessage({ id, ok: true, packed }, { transfer: packedBuffers(packed) });
      return;
    }
    postMessage({ id, ok: true, value: parsed.data });
  } catch (err) {
    postMessage({ id, ok: false, error: { kind: 'unavailable', message: `cannot reach the Vigil engine: ${(err as Error).message}` } });
  }
};
