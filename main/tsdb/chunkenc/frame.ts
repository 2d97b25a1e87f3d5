/**
 * The envelope every chunk shares, whatever its encoding (layout in FORMAT.md):
 *
 *   u8 version · uvarint count · uvarint bodyLength · u16le headerCheck · body · u32le crc32
 *
 * The header has its own check so that a damaged length is never mistaken for a truncation;
 * the CRC32 covers header and body. Both are seeded with the encoding id, so bytes decoded with
 * the wrong encoding fail as `checksum` instead of producing garbage.
 */
import { crc32 } from 'node:zlib';
import type { ChunkDecodeErrorKind } from './errors.js';

const FORMAT_VERSION = 1;
export const MAX_COUNT = 65535;
/** Largest body the envelope admits: far above the worst case of 65535 XOR samples (~1.1 MB). */
const MAX_BODY = 1 << 24;

/** CRC32 of the encoding id byte, the seed of both checks (cached: decoding is hot). */
const seeds = Array.from({ length: 256 }, (_, e) => crc32(Uint8Array.of(e)));

function crcSeeded(encoding: number, bytes: Uint8Array): number {
  return crc32(bytes, seeds[encoding & 0xff]!);
}

function uvarintSize(x: number): number {
  let n = 1;
  while (x >= 0x80) {
    x = Math.floor(x / 128);
    n++;
  }
  return n;
}

function putUvarint(out: Uint8Array, at: number, x: number): number {
  while (x >= 0x80) {
    out[at++] = (x & 0x7f) | 0x80;
    x = Math.floor(x / 128);
  }
  out[at++] = x;
  return at;
}

/** Wraps a codec's body into a complete chunk. */
export function wrap(encoding: number, count: number, body: Uint8Array): Uint8Array {
  const headerLen = 1 + uvarintSize(count) + uvarintSize(body.length) + 2;
  const out = new Uint8Array(headerLen + body.length + 4);
  out[0] = FORMAT_VERSION;
  let at = putUvarint(out, 1, count);
  at = putUvarint(out, at, body.length);
  const hcheck = crcSeeded(encoding, out.subarray(0, at)) & 0xffff;
  out[at++] = hcheck & 0xff;
  out[at++] = hcheck >>> 8;
  out.set(body, at);
  at += body.length;
  const crc = crcSeeded(encoding, out.subarray(0, at));
  out[at] = crc & 0xff;
  out[at + 1] = (crc >>> 8) & 0xff;
  out[at + 2] = (crc >>> 16) & 0xff;
  out[at + 3] = crc >>> 24;
  return out;
}

export interface Unwrapped {
  /** Samples the header promises (0 when the header itself is unusable). */
  count: number;
  /** The body bytes that are present (a prefix of the body when truncated). */
  body: Uint8Array;
  /** Set when the chunk is damaged; `body` is then only trustworthy for `truncated`. */
  problem: { kind: ChunkDecodeErrorKind; message: string } | null;
}

const empty = new Uint8Array(0);

function readUvarint(bytes: Uint8Array, at: number, maxBytes: number): [number, number] | null {
  let x = 0;
  let mul = 1;
  for (let i = 0; i < maxBytes; i++) {
    if (at >= bytes.length) return null;
    const b = bytes[at++]!;
    x += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [x, at];
    mul *= 128;
  }
  return [-1, at]; // too long: only damage makes one
}

export function unwrap(encoding: number, bytes: Uint8Array): Unwrapped {
  const fail = (kind: ChunkDecodeErrorKind, message: string): Unwrapped => ({ count: 0, body: empty, problem: { kind, message } });
  if (bytes.length < 1) return fail('truncated', 'chunk is empty');
  const c = readUvarint(bytes, 1, 3);
  const l = c === null ? null : readUvarint(bytes, c[1], 4);
  if (c === null || l === null || l[1] + 2 > bytes.length) {
    return fail('truncated', `chunk header is cut short (${bytes.length} bytes)`);
  }
  const at = l[1];
  const hcheck = bytes[at]! | (bytes[at + 1]! << 8);
  if ((crcSeeded(encoding, bytes.subarray(0, at)) & 0xffff) !== hcheck) {
    return fail('checksum', 'chunk header checksum mismatch');
  }
  if (bytes[0] !== FORMAT_VERSION) {
    return fail('corrupt', `chunk format version ${bytes[0]} is not supported (this build reads ${FORMAT_VERSION}); was it written by a newer Vigil?`);
  }
  const count = c[0];
  const bodyLen = l[0];
  if (count < 1 || count > MAX_COUNT || bodyLen < 0 || bodyLen > MAX_BODY) {
    return fail('corrupt', `chunk header is invalid (count ${count}, body ${bodyLen} bytes)`);
  }
  const bodyStart = at + 2;
  const bodyEnd = bodyStart + bodyLen;
  const total = bodyEnd + 4;
  if (bytes.length < total) {
    // The header checked out, so these bytes are a prefix of the chunk: decode what is there.
    return {
      count,
      body: bytes.subarray(bodyStart, Math.min(bodyEnd, bytes.length)),
      problem: { kind: 'truncated', message: `chunk is truncated: ${bytes.length} of ${total} bytes` },
    };
  }
  const crc = (bytes[bodyEnd]! | (bytes[bodyEnd + 1]! << 8) | (bytes[bodyEnd + 2]! << 16) | (bytes[bodyEnd + 3]! << 24)) >>> 0;
  if (crcSeeded(encoding, bytes.subarray(0, bodyEnd)) !== crc) {
    return { count, body: empty, problem: { kind: 'checksum', message: 'chunk CRC32 mismatch: the bytes were damaged after they were written' } };
  }
  if (bytes.length > total) {
    return {
      count,
      body: bytes.subarray(bodyStart, bodyEnd),
      problem: { kind: 'corrupt', message: `chunk has ${bytes.length - total} unexpected trailing bytes` },
    };
  }
  return { count, body: bytes.subarray(bodyStart, bodyEnd), problem: null };
}
