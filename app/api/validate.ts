import { ApiError, describeZodError } from './errors.js';
import { channels, isChannelName, type ChannelName, type RequestOf, type ResponseOf } from './channels.js';

/** Checks that `name` is a contract channel; throws `unknown_channel` otherwise. */
export function requireChannel(name: unknown, where: string): ChannelName {
  if (!isChannelName(name)) {
    throw new ApiError({
      kind: 'unknown_channel',
      message: `unknown API channel ${JSON.stringify(String(name)).slice(0, 80)}`,
      where,
    });
  }
  return name;
}

export function parseRequest<K extends ChannelName>(name: K, payload: unknown, where: string): RequestOf<K> {
  const result = channels[name].request.safeParse(payload);
  if (!result.success) {
    throw new ApiError({
      kind: 'bad_request',
      message: `invalid request for ${name}: ${describeZodError(result.error)}`,
      where,
    });
  }
  return result.data as RequestOf<K>;
}

export function parseResponse<K extends ChannelName>(name: K, payload: unknown, where: string): ResponseOf<K> {
  const result = channels[name].response.safeParse(payload);
  if (!result.success) {
    throw new ApiError({
      kind: 'internal',
      message: `invalid response from ${name}: ${describeZodError(result.error)}`,
      where,
    });
  }
  return result.data as ResponseOf<K>;
}
