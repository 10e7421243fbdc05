/**
 * The share's state and settings, as last pushed by (or fetched from) FTP Share, plus what the
 * window itself tracks around them: a request in flight, the last failed action, per-field errors.
 */
import { createStore } from 'zustand/vanilla';
import type { CertificateInfo, ErrorCode, Requests, ShareState } from '../../core/share/contract.js';
import type { HostKind } from '../api.js';

/** The settings type, taken from the contract's request (keeps settings.ts out of the window). */
export type Settings = Requests['getSettings']['result'];

/** A failed action the window shows next to the control that caused it. */
export interface ActionError {
  code: ErrorCode;
  message: string;
}

export interface ServerStore {
  /** Null until the first `getState` answer. */
  state: ShareState | null;
  settings: Settings | null;
  /** `undefined`: not fetched yet; `null`: no certificate. */
  certificate: CertificateInfo | null | undefined;
  /** Which lifecycle request is in flight. */
  busy: 'start' | 'stop' | null;
  /** The last failed start/stop, shown when the state itself carries no error. */
  actionError: ActionError | null;
  /** Validation messages by field path (`port`, `access.password`…), from `invalid-settings`. */
  fieldErrors: Record<string, string>;
  host: HostKind;
  /** What the host can do; starts from the host kind, narrowed when a request says `unsupported`. */
  capabilities: { pickFolders: boolean; openFolder: boolean };
}

export function createServerStore(host: HostKind) {
  return createStore<ServerStore>()(() => ({
    state: null,
    settings: null,
    certificate: undefined,
    busy: null,
    actionError: null,
    fieldErrors: {},
    host,
    // The web host answers `unsupported` for both; Electron has native dialogs and a shell.
    capabilities: { pickFolders: true, openFolder: host === 'electron' },
  }));
}

export type ServerStoreApi = ReturnType<typeof createServerStore>;
