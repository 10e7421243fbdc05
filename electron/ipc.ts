/**
 * The Electron transport of the contract, main-process side: one `ipcMain.handle` per request
 * name, a sender check on every call, and pushed events forwarded to the window.
 *
 * Everything here is a pure function over injected Electron objects (typed with Electron's own
 * `IpcMain` / `IpcMainInvokeEvent` / `WebContents`), so Node tests drive it with fakes; main.ts
 * passes the real `ipcMain` and window.
 */
import path from 'node:path';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { REQUEST_NAMES, type FtpShareBackend, type RequestFunctions, type Result } from '../core/share/contract.js';
import { EVENT_CHANNEL, requestChannel } from './channels.js';

/** The part of `ipcMain` the binding uses. */
export type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler'>;

/** Where pushed events go: the window's `webContents`. */
export type PushTarget = Pick<WebContents, 'send' | 'isDestroyed'>;

/** What every refused call gets back (a result, not a throw: see contract.ts). */
export const REFUSED_SENDER: Result<never> = {
  ok: false,
  code: 'unsupported',
  message: 'This request is only accepted from the FTP Share window.',
};

/** How {@link bindRequestHandlers} is wired. */
export interface RequestBinding {
  ipcMain: IpcMainLike;
  /**
   * The implementation: the app's ShareBackend (the ShareService, which answers pickFolders,
   * openFolder and copyText through the desktop host of share-host.ts).
   */
  requests: RequestFunctions;
  /** Decides, per call, whether the sender may use the API (see {@link createAppFrameCheck}). */
  isTrustedSender(event: IpcMainInvokeEvent): boolean;
  /** Told about a request that threw instead of returning a result (a bug in the service). */
  onHandlerError?(name: string, error: unknown): void;
}

/**
 * Registers a handler for every name in the contract's `REQUEST_NAMES` on `ftp-share:<name>`
 * (the preload calls the same names, through contract-calls.ts).
 *
 * Each handler first checks the sender and answers {@link REFUSED_SENDER} to anything but the
 * app's own page; then it calls the request with the one parameter the preload sends (extra
 * arguments are ignored). A request that throws becomes `{ ok: false, code: 'internal' }`:
 * Electron would otherwise pass only the error's message, prefixed with its own text.
 *
 * @returns a function that removes every handler (for a clean shutdown or a test).
 */
export function bindRequestHandlers(binding: RequestBinding): () => void {
  const { ipcMain, requests, isTrustedSender, onHandlerError } = binding;
  for (const name of REQUEST_NAMES) {
    const request = requests[name] as (params: unknown) => Promise<Result<unknown>>;
    if (typeof request !== 'function') throw new TypeError(`No implementation for request "${name}"`);
    ipcMain.handle(requestChannel(name), async (event: IpcMainInvokeEvent, params: unknown) => {
      if (!isTrustedSender(event)) return REFUSED_SENDER;
      try {
        // `call` keeps `this` for class-based implementations such as the ShareService.
        return await request.call(requests, params);
      } catch (error) {
        onHandlerError?.(name, error);
        return { ok: false, code: 'internal', message: 'Something went wrong inside FTP Share.' } satisfies Result<never>;
      }
    });
  }
  return () => {
    for (const name of REQUEST_NAMES) ipcMain.removeHandler(requestChannel(name));
  };
}

/**
 * Sends every pushed event to the window as `('ftp-share:event', event, payload)`.
 *
 * `getTarget` is asked on every event, so a window that is closed and re-created (or not yet
 * created) is followed; events with no live window are dropped (the window asks for a full
 * snapshot with `getState` when it opens).
 *
 * @returns the unsubscribe.
 */
export function forwardPushEvents(source: Pick<FtpShareBackend, 'onPush'>, getTarget: () => PushTarget | null): () => void {
  return source.onPush((event, payload) => {
    const target = getTarget();
    if (!target || target.isDestroyed()) return;
    target.send(EVENT_CHANNEL, event, payload);
  });
}

/** What {@link createAppFrameCheck} compares a sender with. */
export interface AppFrameOptions {
  /** The app window's `webContents`, or null while there is none. */
  getAppContents(): Pick<WebContents, 'id'> | null;
  /** Absolute path of the renderer's `index.html` (the only page the window loads). */
  indexHtmlPath: string;
  /** For tests of Windows paths; defaults to `process.platform`. */
  platform?: NodeJS.Platform;
}

/**
 * The sender check of every handler: the call must come from the app window's `webContents`,
 * from its main frame (not an iframe), showing our own `index.html` from the file:// bundle.
 *
 * Electron's security checklist ("Validate the sender of all IPC messages") asks for this: a
 * frame that got into the window (an iframe, a page it navigated to by a bug) must not reach
 * the file system through the API. `senderFrame` is null once the frame navigated away or was
 * destroyed; such calls are refused too.
 */
export function createAppFrameCheck(options: AppFrameOptions): (event: IpcMainInvokeEvent) => boolean {
  const platform = options.platform ?? process.platform;
  return (event) => {
    const contents = options.getAppContents();
    if (!contents || !event.sender || event.sender.id !== contents.id) return false;
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    return isAppPageUrl(frame.url, options.indexHtmlPath, platform);
  };
}

/**
 * True when `url` is the file:// URL of `indexHtmlPath` (query and fragment ignored: a router
 * may use the hash). Compares decoded paths, not URL strings, because Chromium and Node encode
 * some characters differently; case-insensitively on Windows.
 */
export function isAppPageUrl(url: string, indexHtmlPath: string, platform: NodeJS.Platform = process.platform): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'file:') return false;
  // An encoded separator could make a different URL decode to our path; Chromium never
  // produces one for a real file.
  if (/%2f|%5c/i.test(parsed.pathname)) return false;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return false;
  }
  if (platform === 'win32') {
    // file:///C:/x/index.html → C:\x\index.html; file://server/share/x → \\server\share\x (UNC).
    const local = parsed.host ? `//${parsed.host}${pathname}` : pathname.replace(/^\/(?=[A-Za-z]:)/, '');
    return local.replace(/\//g, '\\').toLowerCase() === path.win32.resolve(indexHtmlPath).toLowerCase();
  }
  if (parsed.host !== '' && parsed.host !== 'localhost') return false;
  // The URL parser has already resolved `.` and `..` segments.
  return pathname === path.posix.resolve(indexHtmlPath);
}
