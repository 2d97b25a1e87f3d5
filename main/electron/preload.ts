// The preload runs sandboxed (CommonJS, bundled by build/bundle-preload.js). It exposes exactly
// the contract's named functions as `window.vigil` — no `ipcRenderer`, no generic invoke.
import { contextBridge, ipcRenderer } from 'electron';
import { channelNames, ipcChannel } from '../../app/api/channels.js';
import { ipcEventChannel } from '../../app/api/events.js';

type Listen = (listener: (event: unknown) => void) => () => void;

export function buildBridge(invoke: (channel: string, payload: unknown) => Promise<unknown>, listen: Listen): Record<string, unknown> {
  const bridge: Record<string, unknown> = {};
  for (const name of channelNames) {
    const channel = ipcChannel(name);
    bridge[name] = (payload: unknown) => invoke(channel, payload);
  }
  // Engine events (notifications, navigation); the page gets the payload only, never the IPC event.
  bridge['onEvent'] = (listener: (event: unknown) => void) => listen(listener);
  return Object.freeze(bridge);
}

contextBridge.exposeInMainWorld(
  'vigil',
  buildBridge(
    (channel, payload) => ipcRenderer.invoke(channel, payload),
    (listener) => {
      const handler = (_event: unknown, payload: unknown) => listener(payload);
      ipcRenderer.on(ipcEventChannel, handler);
      return () => ipcRenderer.removeListener(ipcEventChannel, handler);
    },
  ),
);
