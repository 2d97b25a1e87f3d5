import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { channelNames, ipcChannel, type WorkbenchApi } from '../../app/api/channels.js';
import type { RangeQueryResponse } from '../../app/api/query.js';
import { packRange, type PackedRangeResponse } from '../../app/api/range-packed.js';
import { dispatch, type Envelope } from '../api/dispatch.js';
import { isAppUrl } from './origin.js';

/**
 * Accepts only calls from the main frame of our own renderer: a frame must exist, be the top
 * frame, and be showing a page of the `app://vigil` origin. Embedded frames and navigated-away
 * pages are refused.
 */
export function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

/** What an IPC handler answers: the dispatcher's envelope, or a range answer `packed` (see below). */
type IpcEnvelope = Envelope | { ok: true; packed: PackedRangeResponse };

/**
 * Registers one `ipcMain.handle` per contract channel and nothing else. Each handler checks the
 * sender, then hands the payload to the shared dispatcher, which validates request and response.
 * Results travel as envelopes because Electron flattens thrown errors to a string. A range
 * answer, once validated, travels `packed` in typed arrays: the structured clone then copies a few
 * buffers instead of a million-element array that the page would have to walk on its main thread.
 */
export function registerIpcHandlers(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  api: WorkbenchApi,
  trusted: (event: IpcMainInvokeEvent) => boolean = isTrustedSender,
): () => void {
  for (const name of channelNames) {
    const channel = ipcChannel(name);
    ipcMain.handle(channel, async (event, payload: unknown): Promise<IpcEnvelope> => {
      const where = `IPC ${channel}`;
      if (!trusted(event)) {
        return { ok: false, error: { kind: 'forbidden', message: `${where}: sender is not the Vigil window`, where } };
      }
      const answer = await dispatch(api, name, payload, where);
      if (name === 'queryRange' && answer.ok) return { ok: true, packed: packRange(answer.value as RangeQueryResponse) };
      return answer;
    });
  }
  return () => {
    for (const name of channelNames) ipcMain.removeHandler(ipcChannel(name));
  };
}
