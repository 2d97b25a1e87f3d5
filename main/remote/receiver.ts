/**
 * `/api/v1/write` (`vigil serve --web.enable-remote-write-receiver`): Prometheus remote write 1.0
 * into storage, answered as Prometheus 2.x answers. One request is one storage transaction: a
 * sample that is out of order, a duplicate with another value, or out of bounds rolls the whole
 * request back and answers 400 with Prometheus' error text, so storage never holds half a request.
 */
import { DuplicateSampleError, OutOfBoundsError, OutOfOrderError, StorageError, type Appendable } from '../tsdb/interface.js';
import { normalizeLabels, type Label } from '../tsdb/labels.js';
import { decodeWriteRequest, snappyUncompress, type WriteRequest } from './proto.js';

/** A decompressed request larger than this is refused (Prometheus' decodeReadLimit is 32 MiB too). */
const maxDecodedBytes = 32 << 20;

export interface ReceiveResult {
  readonly status: number;
  /** Plain-text body, as Go's http.Error writes it. */
  readonly text: string;
  readonly samples: number;
}

const legacyName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Prometheus' sentinel texts for the append errors a sender cannot fix by retrying. */
function prometheusText(err: StorageError): string {
  if (err instanceof OutOfOrderError) return 'out of order sample';
  if (err instanceof DuplicateSampleError) return 'duplicate sample for timestamp';
  if (err instanceof OutOfBoundsError) return 'out of bounds';
  return err.message;
}

function decode(body: Uint8Array): WriteRequest | string {
  let raw: Uint8Array;
  try {
    raw = snappyUncompress(body, maxDecodedBytes);
  } catch (err) {
    return `snappy: corrupt input (${(err as Error).message})`;
  }
  try {
    return decodeWriteRequest(raw);
  } catch (err) {
    return `proto: cannot parse WriteRequest: ${(err as Error).message}`;
  }
}

export async function receiveWrite(body: Uint8Array, storage: Appendable): Promise<ReceiveResult> {
  const req = decode(body);
  if (typeof req === 'string') return { status: 400, text: req, samples: 0 };
  const app = storage.appender();
  let samples = 0;
  try {
    for (const ts of req.timeseries) {
      const labels: Label[] = ts.labels.map((l) => ({ name: l.name, value: l.value }));
      const bad = labels.find((l) => !legacyName.test(l.name));
      if (bad !== undefined || labels.length === 0) {
        app.rollback();
        return { status: 400, text: `invalid labels for series: ${JSON.stringify(Object.fromEntries(labels.map((l) => [l.name, l.value])))}`, samples: 0 };
      }
      let ref: number | undefined;
      for (const s of ts.samples) {
        ref = app.append(ref ?? normalizeLabels(labels), s.timestamp, s.value);
        samples++;
      }
    }
  } catch (err) {
    app.rollback();
    if (err instanceof StorageError && err.kind !== 'unavailable') return { status: 400, text: prometheusText(err), samples: 0 };
    return { status: 500, text: (err as Error).message, samples: 0 };
  }
  try {
    await app.commit();
  } catch (err) {
    if (err instanceof StorageError && err.kind !== 'unavailable') return { status: 400, text: prometheusText(err), samples: 0 };
    return { status: 500, text: (err as Error).message, samples: 0 };
  }
  return { status: 204, text: '', samples };
}
