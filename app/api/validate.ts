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

/** Answers frozen whole by `freezeAnswer`, with the channel and value their check gave. */
const checkedAnswers = new WeakMap<object, { name: ChannelName; value: unknown } | null>();

/**
 * Freezes an answer the engine hands out again and again (the topology's kept graph), deeply, so
 * it cannot change: `parseResponse` then checks it once, not on every call (a graph of 1,000
 * edges takes 15–80 ms to check on a loaded machine).
 */
export function freezeAnswer<T extends object>(answer: T): T {
  deepFreeze(answer);
  checkedAnswers.set(answer, null);
  return answer;
}

/** Checked values of frozen answers (frozen too): their JSON text can be kept (`isFrozenAnswer`). */
const frozenChecked = new WeakSet<object>();

function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}

/** Whether `v` is the checked value of an answer frozen by `freezeAnswer` (it cannot change). */
export function isFrozenAnswer(v: unknown): boolean {
  return typeof v === 'object' && v !== null && frozenChecked.has(v);
}

export function parseResponse<K extends ChannelName>(name: K, payload: unknown, where: string): ResponseOf<K> {
  const kept = typeof payload === 'object' && payload !== null ? checkedAnswers.get(payload) : undefined;
  if (kept != null && kept.name === name) return kept.value as ResponseOf<K>;
  const result = channels[name].response.safeParse(payload);
  if (!result.success) {
    throw new ApiError({
      kind: 'internal',
      message: `invalid response from ${name}: ${describeZodError(result.error)}`,
      where,
    });
  }
  if (kept === null && typeof result.data === 'object' && result.data !== null) {
    deepFreeze(result.data);
    frozenChecked.add(result.data);
    checkedAnswers.set(payload as object, { name, value: result.data });
  }
  return result.data as ResponseOf<K>;
}
