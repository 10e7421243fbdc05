/**
 * The app window and the web security around it: sandboxed preload, no Node in the page, a
 * strict Content-Security-Policy, no navigation, no new windows, no permissions.
 *
 * The Electron classes are passed in (main.ts gives the real ones), so Node tests check the
 * options and handlers with fakes.
 */
import type {
  BrowserWindow,
  BrowserWindowConstructorOptions,
  HandlerDetails,
  HeadersReceivedResponse,
  OnHeadersReceivedListenerDetails,
  Session,
  WebPreferences,
  WindowOpenHandlerResponse,
} from 'electron';

/**
 * The page's Content-Security-Policy: only our own scripts and styles, no inline code, no eval,
 * no plugins, no frames, no forms, no network beyond our files (the page talks to the app
 * through IPC only). Pictures may be `data:`/`blob:` URLs (the QR code). React's `style` props
 * go through the CSSOM, which CSP does not restrict.
 *
 * renderer/index.html carries a `<meta>` policy of its own; when both apply, the browser
 * enforces both, so the stricter of each directive wins.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** The window's web preferences: Electron's security checklist, spelled out even where default. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/**
 * Response headers with our CSP in place of any other. Electron's security guide warns that
 * file:// responses may not pass through `webRequest` (electron/electron#23485), which is why
 * renderer/index.html also carries a `<meta>` policy; this header covers every response the
 * session does see.
 */
export function withContentSecurityPolicy(
  headers: Record<string, string | string[]> | undefined,
): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-security-policy' || lower === 'content-security-policy-report-only') continue;
    result[name] = value;
  }
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return result;
}

/** Session-wide protections: the CSP header and no permissions (camera, notifications from the page, …). */
export function secureSession(session: Pick<Session, 'webRequest' | 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.webRequest.onHeadersReceived(
    (details: OnHeadersReceivedListenerDetails, callback: (response: HeadersReceivedResponse) => void) => {
      callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
    },
  );
  // The page needs none; notifications are shown by the main process.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** The answer to every `window.open` and target=_blank link: no new window. */
export function denyWindowOpen(details: Pick<HandlerDetails, 'url'>, openExternal?: (url: string) => void): WindowOpenHandlerResponse {
  // An https link (a help page) opens in the user's browser, and Windows' network settings page
  // (the Troubleshoot card's "Open network settings") in Settings; nothing opens inside the app.
  if (openExternal && (/^https:\/\//i.test(details.url) || details.url === 'ms-settings:network-status')) openExternal(details.url);
  return { action: 'deny' };
}

/** The part of BrowserWindow the app uses. */
export type AppWindow = Pick<
  BrowserWindow,
  | 'show'
  | 'hide'
  | 'focus'
  | 'restore'
  | 'isMinimized'
  | 'isVisible'
  | 'isFocused'
  | 'isDestroyed'
  | 'loadFile'
  | 'on'
  | 'once'
  | 'webContents'
  | 'destroy'
>;

/** What {@link createAppWindow} needs. */
export interface AppWindowOptions<W extends AppWindow = AppWindow> {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => W;
  preloadPath: string;
  indexHtmlPath: string;
  /** Window icon for Linux and Windows (macOS uses the bundle's). */
  iconPath?: string;
  /** Create it without showing it (tests; a window made ahead of time). */
  hidden?: boolean;
  /** Opens an https URL in the user's browser (`shell.openExternal`). */
  openExternal?(url: string): void;
  /** Told when the page could not be loaded (the renderer was not built). */
  onLoadError?(error: unknown): void;
  /** The system's theme is dark (`nativeTheme.shouldUseDarkColors`): picks the background. */
  darkMode?: boolean;
}

/**
 * The window's background before the page paints, per theme: renderer/styles.css's `--bg`, so
 * opening the window in dark mode shows no white flash (a test keeps the two equal).
 */
export const WINDOW_BACKGROUND = { light: '#f6f7f9', dark: '#1b1c1f' } as const;

/** The background for the system's current theme. */
export function windowBackground(dark: boolean): string {
  return dark ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light;
}

/** Size and look of the window. */
export const WINDOW_SIZE = { width: 1040, height: 720, minWidth: 720, minHeight: 520 } as const;

/**
 * Creates the app window, locks it down and loads the renderer. It is shown when its first
 * paint is ready (no white flash), unless `hidden`.
 */
export function createAppWindow<W extends AppWindow>(options: AppWindowOptions<W>): W {
  const window = new options.BrowserWindow({
    ...WINDOW_SIZE,
    title: 'FTP Share',
    show: false,
    backgroundColor: windowBackground(options.darkMode ?? false),
    autoHideMenuBar: true,
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  const contents = window.webContents;
  // The page is a single-page app: any navigation is a bug or an attack (a dropped file, a link).
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler((details) => denyWindowOpen(details, options.openExternal));
  if (!options.hidden) window.once('ready-to-show', () => window.show());
  window.loadFile(options.indexHtmlPath).catch((error: unknown) => options.onLoadError?.(error));
  return window;
}

/** Brings the window to the front (second launch, tray "Open", notification click). */
export function showWindow(window: Pick<AppWindow, 'isMinimized' | 'restore' | 'show' | 'focus'>): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

/** Something went wrong with the page: its process ended, or it could not be loaded. */
export type RendererTrouble =
  /** `render-process-gone`: crashed, killed, out of memory… */
  | { kind: 'gone'; reason: string; exitCode: number }
  /** `did-fail-load` of the main frame. */
  | { kind: 'load-failed'; errorCode: number; description: string; url: string };

/** What to do about a {@link RendererTrouble}, and the line for the log. */
export interface RecoveryStep {
  action: 'ignore' | 'reload' | 'give-up';
  message: string;
}

/** Chromium's net::ERR_ABORTED: a load replaced by another (a reload), not a failure. */
const ERR_ABORTED = -3;

/**
 * Decides how the app recovers its window: a crashed or unloadable page is reloaded once; if it
 * fails again within `windowMs` (the page can't run at all), the app gives up on this window
 * (main.ts closes it and says so; sharing goes on, and the tray opens a fresh window). The page
 * never sits half-dead with a "connecting" banner that nothing will clear.
 */
export class RendererRecovery {
  readonly #windowMs: number;
  readonly #now: () => number;
  #lastReload: number | undefined;

  constructor(options: { windowMs?: number; now?: () => number } = {}) {
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** The next step for `trouble`. */
  next(trouble: RendererTrouble): RecoveryStep {
    if (trouble.kind === 'gone' && trouble.reason === 'clean-exit') return { action: 'ignore', message: '' };
    if (trouble.kind === 'load-failed' && trouble.errorCode === ERR_ABORTED) return { action: 'ignore', message: '' };
    const what =
      trouble.kind === 'gone'
        ? `the window's page stopped (${trouble.reason}, exit code ${trouble.exitCode})`
        : `the window's page could not be loaded (${trouble.description}, ${trouble.errorCode}) from ${trouble.url}`;
    const now = this.#now();
    if (this.#lastReload !== undefined && now - this.#lastReload < this.#windowMs) {
      return { action: 'give-up', message: `FTP Share: ${what} again; the window is closed. Sharing goes on.` };
    }
    this.#lastReload = now;
    return { action: 'reload', message: `FTP Share: ${what}; reloading it.` };
  }
}
