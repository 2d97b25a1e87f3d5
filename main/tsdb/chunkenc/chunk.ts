/**
 * Chunk codecs: the storage engine's only entry point into this folder. A chunk is 1..65535
 * samples of one series, encoded by one codec and wrapped in a checked envelope (frame.ts);
 * byte layouts are in FORMAT.md. No I/O here: the storage persists `bytes` and `encoding`.
 */
import type { Codec, DecodeOutcome } from './codec.js';
import { decimalCodec } from './decimal.js';
import { ChunkDecodeError } from './errors.js';
import { MAX_COUNT, type Unwrapped, unwrap, wrap } from './frame.js';
import { xorCodec } from './xor.js';
import { decodeHistogramBody, encodeHistogramBody, fitsIntegerBody, histogramRuns, type HistogramSlot } from './histogram.js';

export { ChunkDecodeError } from './errors.js';
export type { HistogramSlot } from './histogram.js';
/** Most samples one chunk can hold (the count is a u16 in spirit; the storage cuts well below). */

/** Persisted in SQLite: append new values, never reorder or reuse. */
export const Encoding = { XOR: 1, Decimal: 2 } as const;
export type EncodingId = (typeof Encoding)[keyof typeof Encoding];

/** The codec of each persisted encoding id. */
const codecs: Record<EncodingId, Codec> = {
  [Encoding.XOR]: xorCodec,
  [Encoding.Decimal]: decimalCodec,
};
/** Order encodeChunk tries codecs in: the usually-smallest first, so lower bounds can skip the rest. */
const tryOrder: readonly EncodingId[] = [Encoding.Decimal, Encoding.XOR];

export interface EncodedChunk {
  encoding: EncodingId;
  bytes: Uint8Array;
  count: number;
  minT: number;
  maxT: number;
}

/**
 * Decoded samples. `t` and `v` may be two views of one ArrayBuffer (one allocation per chunk):
 * to transfer them with postMessage, list `t.buffer` once, or copy.
 */
export interface DecodeResult {
  t: Float64Array;
  v: Float64Array;
  error: ChunkDecodeError | null;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Throws RangeError unless [start, end) holds 1..65535 samples with valid timestamps. */
function checkInput(t: Float64Array, v: Float64Array, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > t.length || end > v.length) {
    throw new RangeError(`chunk range [${start}, ${end}) is outside the sample arrays (t: ${t.length}, v: ${v.length})`);
  }
  const n = end - start;
  if (n < 1 || n > MAX_COUNT) throw new RangeError(`a chunk holds 1..${MAX_COUNT} samples, got ${n}`);
  // One tight loop that only finds the first bad index; messages are built outside it. (With the
  // throws inside, V8 ran this loop ~100× slower, and it runs for every sample stored.)
  let prev = -Infinity;
  let bad = -1;
  for (let i = start; i < end; i++) {
    const ti = t[i]!;
    if (!(ti >= -MAX_SAFE && ti <= MAX_SAFE && Math.floor(ti) === ti && ti > prev)) {
      bad = i;
      break;
    }
    prev = ti;
  }
  if (bad >= 0) {
    const ti = t[bad]!;
    if (!Number.isSafeInteger(ti)) throw new RangeError(`timestamp ${ti} at index ${bad} is not a safe integer of milliseconds`);
    throw new RangeError(`timestamp ${ti} at index ${bad} is not after the previous one (${t[bad - 1]}); chunk timestamps must strictly increase`);
  }
}

function isEncodingId(x: number): x is EncodingId {
  return Object.hasOwn(codecs, x);
}

/** Encodes with one codec; returns null when that codec cannot represent the samples exactly. */
export function encodeWith(encoding: EncodingId, t: Float64Array, v: Float64Array, start = 0, end = t.length): Uint8Array | null {
  checkInput(t, v, start, end);
  if (!isEncodingId(encoding)) throw new RangeError(`unknown chunk encoding ${String(encoding)}`);
  return encodeChecked(encoding, t, v, start, end);
}

function encodeChecked(encoding: EncodingId, t: Float64Array, v: Float64Array, start: number, end: number): Uint8Array | null {
  const body = codecs[encoding].encode(t, v, start, end);
  return body === null ? null : wrap(encoding, end - start, body);
}

/** Encodes samples [start, end) with every codec that accepts them and returns the smallest. */
export function encodeChunk(t: Float64Array, v: Float64Array, start = 0, end = t.length): EncodedChunk {
  checkInput(t, v, start, end);
  let best: EncodedChunk | null = null;
  let bestBody = Infinity;
  for (const encoding of tryOrder) {
    const codec = codecs[encoding];
    // The envelope grows with the body, so a body that cannot be smaller cannot win.
    if (codec.minBodyBytes !== undefined && codec.minBodyBytes(t, v, start, end) >= bestBody) continue;
    const body = codec.encode(t, v, start, end);
    if (body === null) continue;
    const bytes = wrap(encoding, end - start, body);
    if (best === null || bytes.length < best.bytes.length) {
      best = { encoding, bytes, count: end - start, minT: t[start]!, maxT: t[end - 1]! };
      bestBody = body.length;
    }
  }
  // XOR represents every float64 and every safe-integer timestamp, so this never happens.
  if (best === null) throw new Error('no chunk codec accepted the samples');
  return best;
}


/** Never throws. Returns the samples decoded and, if the bytes are damaged, the error plus the valid prefix before it. */
export function decodeChunk(encoding: number, bytes: Uint8Array): DecodeResult {
  if (!isEncodingId(encoding)) {
    return { t: new Float64Array(0), v: new Float64Array(0), error: new ChunkDecodeError('unknown_encoding', `unknown chunk encoding ${encoding}; was it written by a newer Vigil?`) };
  }
  try {
    return decodeKnown(encoding, bytes);
  } catch (err) {
    // Not expected (decoders are bounds-checked); a bug must not take the storage down with it.
    return { t: new Float64Array(0), v: new Float64Array(0), error: new ChunkDecodeError('corrupt', `chunk decoder failed: ${String(err)}`) };
  }
}

function decodeKnown(encoding: EncodingId, bytes: Uint8Array): DecodeResult {
  const frame = unwrap(encoding, bytes);
  if (frame.count === 0 || (frame.problem !== null && frame.problem.kind === 'checksum')) {
    return { t: new Float64Array(0), v: new Float64Array(0), error: frameError(frame) };
  }
  // One allocation for both columns: a typed-array allocation costs more than decoding 50 samples.
  const buf = new ArrayBuffer(16 * frame.count);
  const t = new Float64Array(buf, 0, frame.count);
  const v = new Float64Array(buf, 8 * frame.count, frame.count);
  const { n, error } = decodeFrame(encoding, frame, t, v);
  if (n === frame.count) return { t, v, error };
  return { t: t.slice(0, n), v: v.slice(0, n), error };
}

function frameError(frame: Unwrapped): ChunkDecodeError {
  return new ChunkDecodeError(frame.problem?.kind ?? 'corrupt', frame.problem?.message ?? 'empty chunk');
}

function decodeFrame(encoding: EncodingId, frame: Unwrapped, t: Float64Array, v: Float64Array, timesOnly = false): { n: number; error: ChunkDecodeError | null } {
  const codec = codecs[encoding];
  let out: DecodeOutcome;
  if (timesOnly && codec.decodeTimes) {
    out = codec.decodeTimes(frame.body, frame.count, t);
    v.fill(0, 0, out.n);
  } else {
    out = codec.decode(frame.body, frame.count, t, v);
  }
  let error: ChunkDecodeError | null = null;
  if (frame.problem !== null) {
    error = new ChunkDecodeError(frame.problem.kind, `${frame.problem.message}; ${out.n} of ${frame.count} samples recovered`);
  } else if (out.bad !== null) {
    // The checksum matched, so these bytes are what some writer produced: not a transmission error.
    error = new ChunkDecodeError('corrupt', `${codec.name} chunk body is invalid after ${out.n} of ${frame.count} samples`);
  }
  return { n: out.n, error };
}

export interface DecodeIntoResult {
  /** Samples written at t[at..at+n), v[at..at+n). */
  n: number;
  error: ChunkDecodeError | null;
}

/**
 * As `decodeChunk`, but writes into the caller's arrays from index `at`, so a querier can lay a
 * series' chunks end to end without a copy or an allocation per chunk. Never throws. A chunk with
 * more samples than fit (the caller's count disagrees with the chunk's) decodes the samples that
 * fit and reports `corrupt`. `timesOnly`: the caller reads the values only to tell staleness
 * markers (NaN) apart; a codec whose values are never NaN (Decimal) then writes 0 for each value
 * instead of decoding it (the same samples and the same errors otherwise).
 */
export function decodeChunkInto(encoding: number, bytes: Uint8Array, t: Float64Array, v: Float64Array, at = 0, timesOnly = false): DecodeIntoResult {
  if (!isEncodingId(encoding)) {
    return { n: 0, error: new ChunkDecodeError('unknown_encoding', `unknown chunk encoding ${encoding}; was it written by a newer Vigil?`) };
  }
  try {
    const room = Math.max(0, Math.min(t.length, v.length) - at);
    const frame = unwrap(encoding, bytes);
    if (frame.count === 0 || (frame.problem !== null && frame.problem.kind === 'checksum')) return { n: 0, error: frameError(frame) };
    if (frame.count <= room) return decodeFrame(encoding, frame, t.subarray(at, at + frame.count), v.subarray(at, at + frame.count), timesOnly);
    const whole = decodeKnown(encoding, bytes);
    const n = Math.min(room, whole.t.length);
    t.set(whole.t.subarray(0, n), at);
    v.set(whole.v.subarray(0, n), at);
    return { n, error: new ChunkDecodeError('corrupt', `chunk holds ${frame.count} samples, more than the ${room} expected; ${n} decoded`) };
  } catch (err) {
    return { n: 0, error: new ChunkDecodeError('corrupt', `chunk decoder failed: ${String(err)}`) };
  }
}

// ---------------------------------------------------------------------------------------------
// Native histogram chunks (bodies in histogram.ts). Their ids continue `Encoding`'s numbering;
// they are kept out of the float `codecs` table because their samples are histograms.

/** Persisted in SQLite beside `Encoding`: never reorder or reuse. */
export const HistogramEncoding = { Int: 3, Float: 4 } as const;
type HistogramEncodingId = (typeof HistogramEncoding)[keyof typeof HistogramEncoding];

export function isHistogramEncoding(encoding: number): encoding is HistogramEncodingId {
  return encoding === HistogramEncoding.Int || encoding === HistogramEncoding.Float;
}

export interface EncodedHistogramChunk {
  encoding: HistogramEncodingId;
  bytes: Uint8Array;
  count: number;
  minT: number;
  maxT: number;
}

/**
 * Encodes histogram samples [start, end) (null: a staleness marker) into as many chunks as
 * layout and counter-reset-hint changes need (usually one): the integer body when every count
 * of a run is an integer, else the float body.
 */
export function encodeHistogramChunks(t: Float64Array, h: readonly HistogramSlot[], start = 0, end = t.length): EncodedHistogramChunk[] {
  checkInput(t, t, start, end);
  if (h.length < end) throw new RangeError(`histogram chunk range [${start}, ${end}) is outside the ${h.length} histograms`);
  const out: EncodedHistogramChunk[] = [];
  for (const [s, e] of histogramRuns(h, start, end)) {
    const integer = fitsIntegerBody(h, s, e);
    const encoding = integer ? HistogramEncoding.Int : HistogramEncoding.Float;
    const body = encodeHistogramBody(t, h, s, e, integer);
    out.push({ encoding, bytes: wrap(encoding, e - s, body), count: e - s, minT: t[s]!, maxT: t[e - 1]! });
  }
  return out;
}

export interface HistogramDecodeResult {
  t: Float64Array;
  /** Parallel to `t`; null is a staleness marker. */
  h: HistogramSlot[];
  error: ChunkDecodeError | null;
}

/** As decodeChunk, for histogram encodings: never throws; a damaged chunk yields a valid prefix and the error. */
export function decodeHistogramChunk(encoding: number, bytes: Uint8Array): HistogramDecodeResult {
  const none = (error: ChunkDecodeError): HistogramDecodeResult => ({ t: new Float64Array(0), h: [], error });
  if (!isHistogramEncoding(encoding)) return none(new ChunkDecodeError('unknown_encoding', `chunk encoding ${encoding} is not a histogram encoding`));
  try {
    const frame = unwrap(encoding, bytes);
    if (frame.count === 0 || (frame.problem !== null && frame.problem.kind === 'checksum')) return none(frameError(frame));
    const t = new Float64Array(frame.count);
    const h: HistogramSlot[] = new Array<HistogramSlot>(frame.count);
    const out = decodeHistogramBody(frame.body, frame.count, t, h);
    let error: ChunkDecodeError | null = null;
    if (frame.problem !== null) error = new ChunkDecodeError(frame.problem.kind, `${frame.problem.message}; ${out.n} of ${frame.count} samples recovered`);
    else if (out.bad !== null) error = new ChunkDecodeError('corrupt', `histogram chunk body is invalid after ${out.n} of ${frame.count} samples`);
    h.length = out.n;
    return { t: out.n === frame.count ? t : t.slice(0, out.n), h, error };
  } catch (err) {
    return none(new ChunkDecodeError('corrupt', `histogram chunk decoder failed: ${String(err)}`));
  }
}
