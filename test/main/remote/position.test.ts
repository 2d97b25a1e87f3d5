import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePosition, encodePosition, positionFile, readPosition, writePosition } from '../../../main/remote/position.js';
import { tempDir } from '../helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('remote write position file', () => {
  it('round-trips batch ids, large ones included', () => {
    for (const id of [0, 1, 123_456, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER]) {
      const p = { done: id, roundEnd: id, roundShards: 3 };
      expect(decodePosition(encodePosition(p))).toEqual(p);
    }
    expect(encodePosition({ done: 5, roundEnd: 9, roundShards: 2 }).length).toBe(32);
  });

  it('reports damage instead of a wrong position', () => {
    const good = encodePosition({ done: 77, roundEnd: 80, roundShards: 1 });
    const flipped = Buffer.from(good);
    flipped[9] = flipped[9]! ^ 1;
    expect(decodePosition(flipped)).toBeInstanceOf(Error);
    expect(String(decodePosition(flipped))).toContain('checksum');
    expect(String(decodePosition(good.subarray(0, 12)))).toContain('12 bytes');
    const shards = Buffer.from(good);
    shards[24] = 9;
    expect(decodePosition(shards)).toBeInstanceOf(Error);
    const magic = Buffer.from(good);
    magic[0] = 0;
    expect(String(decodePosition(magic))).toContain('magic');
  });

  it('writes atomically into a folder it creates; a missing file reads as null', () => {
    const t = tempDir('vigil-pos-');
    cleanups.push(t.cleanup);
    const file = positionFile(join(t.dir, 'remote-write'), 'http://a/api/v1/write', 'a');
    expect(positionFile(join(t.dir, 'remote-write'), 'http://a/api/v1/write', 'b')).not.toBe(file);
    expect(readPosition(file)).toBeNull();
    writePosition(file, { done: 42, roundEnd: 50, roundShards: 2 });
    expect(readPosition(file)).toEqual({ done: 42, roundEnd: 50, roundShards: 2 });
    writePosition(file, { done: 50, roundEnd: 0, roundShards: 0 });
    expect(readPosition(file)).toEqual({ done: 50, roundEnd: 0, roundShards: 0 });
    writeFileSync(file, readFileSync(file).subarray(0, 10));
    expect(readPosition(file)).toBeInstanceOf(Error);
  });
});
