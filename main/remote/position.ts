/**
 * The persisted position of one remote-write endpoint: the newest log batch the receiver has
 * acknowledged in full, and the round in flight (so that after a crash the same round is sent
 * again with the same split into requests). Layout (32 bytes, little-endian) in FORMAT.md.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

const magic = 0x50575256; // "VRWP" read as a little-endian u32
const version = 1;
const size = 32;

export interface Position {
  /** Newest batch id sent in full (or dropped on a non-recoverable answer). */
  readonly done: number;
  /** Last batch id of the round being sent, 0 when none is in flight. */
  readonly roundEnd: number;
  /** Shards the round in flight was split into. */
  readonly roundShards: number;
}

/** The file of an endpoint: named by url and name, so queue settings can change and keep it. */
export function positionFile(dir: string, url: string, name: string): string {
  const id = createHash('sha256').update(`${url}\n${name}`).digest('hex').slice(0, 16);
  return join(dir, `${id}.pos`);
}

export function encodePosition(p: Position): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt32LE(magic, 0);
  b.writeUInt8(version, 4);
  b.writeBigUInt64LE(BigInt(p.done), 8);
  b.writeBigUInt64LE(BigInt(p.roundEnd), 16);
  b.writeUInt32LE(p.roundShards, 24);
  b.writeUInt32LE(crc32(b.subarray(0, 28)), 28);
  return b;
}

/** The position, or an error saying what is wrong with the bytes. */
export function decodePosition(b: Uint8Array): Position | Error {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length !== size) return new Error(`${buf.length} bytes, expected ${size}`);
  if (buf.readUInt32LE(0) !== magic) return new Error('bad magic');
  if (buf.readUInt8(4) !== version) return new Error(`unknown version ${buf.readUInt8(4)}`);
  if (buf.readUInt32LE(28) !== crc32(buf.subarray(0, 28))) return new Error('checksum mismatch');
  const done = buf.readBigUInt64LE(8);
  const roundEnd = buf.readBigUInt64LE(16);
  if (done > BigInt(Number.MAX_SAFE_INTEGER) || roundEnd > BigInt(Number.MAX_SAFE_INTEGER)) return new Error('batch id out of range');
  return { done: Number(done), roundEnd: Number(roundEnd), roundShards: buf.readUInt32LE(24) };
}

/** Reads a position: null when the file does not exist; an Error when it is unreadable or damaged. */
export function readPosition(file: string): Position | null | Error {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return err as Error;
  }
  return decodePosition(bytes);
}

/**
 * Replaces the file atomically (write beside it, rename over it). No fsync: a process crash
 * keeps what was written; after power loss an older position only means samples sent twice.
 */
export function writePosition(file: string, p: Position): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, encodePosition(p));
  renameSync(tmp, file);
}
