/** What each codec file implements; chunk.ts holds the table of codecs and the envelope. */
export interface DecodeOutcome {
  /** Samples decoded completely, from the start (a valid prefix when the body is a prefix). */
  n: number;
  /** `truncated`: the bits ran out; `corrupt`: a field holds a value no encoder writes. */
  bad: 'truncated' | 'corrupt' | null;
}

export interface Codec {
  readonly name: string;
  /**
   * Encodes samples [start, end) (already validated: 1..65535 samples, safe-integer timestamps,
   * strictly increasing) into a body, or returns null when it cannot represent them exactly.
   */
  encode(t: Float64Array, v: Float64Array, start: number, end: number): Uint8Array | null;
  /**
   * Decodes up to `count` samples into `t` and `v` (both of length ≥ count). Must stay memory
   * safe and terminate on any bytes: the envelope's CRC catches accidents, not malice.
   */
  decode(body: Uint8Array, count: number, t: Float64Array, v: Float64Array): DecodeOutcome;
  /**
   * Optional, for codecs whose values are never NaN: as `decode` (the same n and bad) but only
   * `t` is written. Callers that only ask whether a sample is a staleness marker use it.
   */
  decodeTimes?(body: Uint8Array, count: number, t: Float64Array): DecodeOutcome;
  /**
   * Optional: a cheap lower bound on the body length `encode` would produce, so encodeChunk can
   * skip a codec that cannot beat the smallest body found so far.
   */
  minBodyBytes?(t: Float64Array, v: Float64Array, start: number, end: number): number;
}

/** Little-endian hosts keep a float64's high word at uint32 index 1. */
export const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
export const LO = 1 - HI;

/** A uint32 view of a Float64Array: float bits without ever reading the value as a number. */
export function wordsOf(a: Float64Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
}
