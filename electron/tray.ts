/**
 * The tray (menu bar on macOS, notification area on Windows, status icon on Linux) as a small
 * service: a pure model of what it shows, an injected factory that makes the real thing, and
 * one idempotent `render(state)` (the shape of Signal Desktop's tray service).
 *
 * Nothing here imports Electron at run time; tray-electron.ts is the factory over `Tray`,
 * `Menu` and `nativeImage`.
 */
import type { ShareState, ShareStatus } from '../core/share/contract.js';

/** Which icon: sharing or not. */
export type TrayIconName = 'on' | 'off';

/** What a menu item does when clicked. */
export type TrayAction = 'start' | 'stop' | 'copy-address' | 'open' | 'quit';

/** One menu line. The status line is always disabled: it is information, not a command. */
export type TrayItem =
  | { type: 'status'; label: string }
  | { type: 'action'; action: TrayAction; label: string; enabled: boolean }
  | { type: 'separator' };

/** Everything the tray shows. */
export interface TrayModel {
  icon: TrayIconName;
  tooltip: string;
  items: TrayItem[];
}

/** The part of the share's state the tray shows. */
export interface TrayState {
  status: ShareStatus;
  /** The URL clients use, while running. */
  url?: string;
  /** Connected FTP sessions. */
  clients: number;
  /** Why sharing stopped, when status is 'error'. */
  error?: string;
}

/** Longest tooltip: Windows cuts tray tooltips at 127 characters (NOTIFYICONDATA.szTip). */
export const MAX_TOOLTIP_LENGTH = 127;

/** Longest error text in the status line, so the menu stays narrow. */
const MAX_ERROR_IN_MENU = 60;

/** Picks the tray's part of a full {@link ShareState}. */
export function trayStateFrom(state: ShareState): TrayState {
  const tray: TrayState = { status: state.status, clients: state.sessionCount };
  if (state.url !== undefined) tray.url = state.url;
  if (state.status === 'error' && state.error) tray.error = state.error.message;
  return tray;
}

function clients(n: number): string {
  return n === 1 ? '1 client' : `${n} clients`;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/**
 * What the tray shows for a state.
 *
 * | status   | icon | status line                          | toggle                   | copy     |
 * |----------|------|--------------------------------------|--------------------------|----------|
 * | stopped  | off  | Not sharing                          | Start sharing            | disabled |
 * | starting | off  | Starting…                            | Start sharing (disabled) | disabled |
 * | running  | on   | Sharing at ftp://… — N clients       | Stop sharing             | enabled  |
 * | stopping | off  | Stopping…                            | Stop sharing (disabled)  | disabled |
 * | error    | off  | Sharing stopped: <reason>            | Start sharing            | disabled |
 *
 * Then: Copy address, Open FTP Share, Quit.
 */
export function trayModel(state: TrayState): TrayModel {
  const running = state.status === 'running';
  const where = state.url ? `Sharing at ${state.url}` : 'Sharing';
  let status: string;
  let tooltip: string;
  switch (state.status) {
    case 'running':
      status = `${where} — ${clients(state.clients)}`;
      tooltip = `FTP Share — ${state.url ? `sharing at ${state.url}` : 'sharing'} (${clients(state.clients)})`;
      break;
    case 'starting':
      status = 'Starting…';
      tooltip = 'FTP Share — starting…';
      break;
    case 'stopping':
      status = 'Stopping…';
      tooltip = 'FTP Share — stopping…';
      break;
    case 'error':
      status = state.error ? `Sharing stopped: ${shorten(state.error, MAX_ERROR_IN_MENU)}` : 'Sharing stopped by an error';
      tooltip = state.error ? `FTP Share — sharing stopped: ${state.error}` : 'FTP Share — sharing stopped by an error';
      break;
    case 'stopped':
    default:
      status = 'Not sharing';
      tooltip = 'FTP Share — not sharing';
      break;
  }
  const stopSide = state.status === 'running' || state.status === 'stopping';
  const toggle: TrayItem = stopSide
    ? { type: 'action', action: 'stop', label: 'Stop sharing', enabled: running }
    : { type: 'action', action: 'start', label: 'Start sharing', enabled: state.status !== 'starting' };
  return {
    icon: running ? 'on' : 'off',
    tooltip: shorten(tooltip, MAX_TOOLTIP_LENGTH),
    items: [
      { type: 'status', label: status },
      { type: 'separator' },
      toggle,
      { type: 'action', action: 'copy-address', label: 'Copy address', enabled: running && !!state.url },
      { type: 'separator' },
      { type: 'action', action: 'open', label: 'Open FTP Share', enabled: true },
      { type: 'separator' },
      { type: 'action', action: 'quit', label: 'Quit', enabled: true },
    ],
  };
}

/** A live tray, as the factory made it. */
export interface TrayHandle {
  setIcon(icon: TrayIconName): void;
  setToolTip(text: string): void;
  /** Builds and sets the context menu (always set: Linux shows no tray icon without one). */
  setMenu(items: readonly TrayItem[]): void;
  destroy(): void;
}

/** Makes the tray; clicks on its menu items (and on the icon, where that opens the app) call `onAction`. */
export interface TrayFactory {
  create(icon: TrayIconName, onAction: (action: TrayAction) => void): TrayHandle;
}

/**
 * Owns the tray. `render` may be called on every state push: it changes only what differs from
 * what is shown, and rebuilds the menu only when an item changed (rebuilding a menu while it
 * is open closes it on Windows and Linux).
 */
export class TrayService {
  readonly #factory: TrayFactory;
  readonly #onAction: (action: TrayAction) => void;
  #handle: TrayHandle | undefined;
  #shown: { icon: TrayIconName; tooltip: string; items: string } | undefined;
  #model: TrayModel | undefined;

  constructor(factory: TrayFactory, onAction: (action: TrayAction) => void) {
    this.#factory = factory;
    this.#onAction = onAction;
  }

  /** Shows `state`, creating the tray on first use. */
  render(state: TrayState): void {
    const model = trayModel(state);
    this.#model = model;
    const items = JSON.stringify(model.items);
    if (!this.#handle) {
      this.#handle = this.#factory.create(model.icon, (action) => this.#onAction(action));
      this.#handle.setToolTip(model.tooltip);
      this.#handle.setMenu(model.items);
      this.#shown = { icon: model.icon, tooltip: model.tooltip, items };
      return;
    }
    const shown = this.#shown!;
    if (shown.icon !== model.icon) this.#handle.setIcon(model.icon);
    if (shown.tooltip !== model.tooltip) this.#handle.setToolTip(model.tooltip);
    if (shown.items !== items) this.#handle.setMenu(model.items);
    this.#shown = { icon: model.icon, tooltip: model.tooltip, items };
  }

  /** What the tray shows now (the smoke test checks it), or undefined before the first render. */
  get model(): TrayModel | undefined {
    return this.#model;
  }

  /** Removes the tray (on quit). A later `render` creates it again. */
  destroy(): void {
    this.#handle?.destroy();
    this.#handle = undefined;
    this.#shown = undefined;
    this.#model = undefined;
  }
}
