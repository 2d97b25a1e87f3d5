import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePosition, encodePosition, positionFile, readPosition, writePosition } from '../../../main/remote/position.js';
import { tempDir } from '../helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('remote write position file', () => {
  it('round-trips batch ids, large ones included', () => {
    for (const id of [0, 1, 123_456, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER]) expect(decodePosition(encodePosition(id))).toBe(id);
    expect(encodePosition(5).length).toBe(20);
  });

  it('reports damage instead of a wrong position', () => {
    const good = encodePosition(77);
    const flipped = Buffer.from(good);
    flipped[9] = flipped[9]! ^ 1;
    expect(decodePosition(flipped)).toBeInstanceOf(Error);
    expect(String(decodePosition(flipped))).toContain('checksum');
    expect(String(decodePosition(good.subarray(0, 12)))).toContain('12 bytes');
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
    writePosition(file, 42);
    expect(readPosition(file)).toBe(42);
    writePosition(file, 43);
    expect(readPosition(file)).toBe(43);
    writeFileSync(file, readFileSync(file).subarray(0, 10));
    expect(readPosition(file)).toBeInstanceOf(Error);
  });
});
