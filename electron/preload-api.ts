/**
 * The Electron transport of the contract, page side: builds the `window.ftpShare` object from an
 * injected `ipcRenderer` (preload.ts passes the real one; tests pass a fake).
 *
 * One function per request of the contract (built by `requestsFromCall`), each a single `invoke`
 * on `ftp-share:<name>` with one argument; and `on(event, listener)`, which hands the page only
 * the payload, never Electron's IPC event (it carries `sender`, through which a page could reach
 * IPC beyond this API: Electron's security checklist, "Do not expose Electron APIs to untrusted
 * web content").
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { requestsFromCall } from '../core/share/contract-calls.js';
import { PUSH_EVENT_NAMES, type FtpShareApi, type PushEventName, type PushEvents } from '../core/share/contract.js';
import { EVENT_CHANNEL, requestChannel } from './channels.js';

/** The part of `ipcRenderer` the API uses. */
export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

/**
 * Makes the API the preload exposes as `window.ftpShare`. The object is frozen: the page can't
 * swap a function for one that calls IPC differently.
 */
export function createFtpShareApi(ipcRenderer: IpcRendererLike): FtpShareApi {
  // Exactly one argument crosses: void requests send `undefined`.
  const requests = requestsFromCall((name, params) => ipcRenderer.invoke(requestChannel(name), params));

  function on<E extends PushEventName>(event: E, listener: (payload: PushEvents[E]) => void): () => void {
    if (!PUSH_EVENT_NAMES.includes(event)) throw new TypeError(`Unknown FTP Share event "${String(event)}"`);
    if (typeof listener !== 'function') throw new TypeError('The listener must be a function');
    const wrapper = (_ipcEvent: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload as PushEvents[E]);
    };
    ipcRenderer.on(EVENT_CHANNEL, wrapper);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipcRenderer.removeListener(EVENT_CHANNEL, wrapper);
    };
  }

  return Object.freeze({ ...requests, on });
}
