/** Why a chunk could not be decoded in full. `kind` is stable: storage counts and logs it. */
export type ChunkDecodeErrorKind = 'unknown_encoding' | 'checksum' | 'truncated' | 'corrupt';

export class ChunkDecodeError extends Error {
  override readonly name = 'ChunkDecodeError';
  constructor(
    readonly kind: ChunkDecodeErrorKind,
    message: string,
  ) {
    super(message);
  }
}
