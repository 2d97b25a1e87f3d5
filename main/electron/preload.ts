// The preload runs sandboxed (CommonJS, bundled by build/bundle-preload.js). It exposes exactly
// the contract's named functions as `window.vigil` — no `ipcRenderer`, no generic invoke.
import { contextBridge, ipcRenderer } from 'electron';
import { channelNames, ipcChannel } from '../../app/api/channels.js';

export function buildBridge(invoke: (channel: string, payload: unknown) => Promise<unknown>): Record<string, unknown> {
  const bridge: Record<string, (payload: unknown) => Promise<unknown>> = {};
  for (const name of channelNames) {
    const channel = ipcChannel(name);
    bridge[name] = (payload: unknown) => invoke(channel, payload);
  }
  return Object.freeze(bridge);
}

contextBridge.exposeInMainWorld('vigil', buildBridge((channel, payload) => ipcRenderer.invoke(channel, payload)));
