/**
 * The window's stores and actions, wired to one transport.
 *
 * Stores are fed only by the contract: pushed events and request results. Actions are the only
 * code that calls the API; every failure ends in one of three places — a field's message
 * (`invalid-settings`), the share card's error (start/stop), or a toast — never in a throw.
 *
 * A change that would disconnect people (one that restarts or stops a running share while
 * someone is connected) is asked about first, here, whichever control made it.
 */
import type { FtpShareApi, ReachabilityReport, Result } from '../../core/share/contract.js';
import type { Transport } from '../api.js';
import { createClockStore } from './clock.js';
import { createConfirmStore } from './confirm.js';
import { createLogsStore } from './logs.js';
import { createNoticesStore } from './notices.js';
import { createServerStore, type Settings } from './server.js';
import { createSessionsStore } from './sessions.js';
import { createTransfersStore } from './transfers.js';

export type Failure = Extract<Result<unknown>, { ok: false }>;

/** Every store of one window. */
export interface AppStores {
  server: ReturnType<typeof createServerStore>;
  sessions: ReturnType<typeof createSessionsStore>;
  transfers: ReturnType<typeof createTransfersStore>;
  logs: ReturnType<typeof createLogsStore>;
  notices: ReturnType<typeof createNoticesStore>;
  clock: ReturnType<typeof createClockStore>;
  confirm: ReturnType<typeof createConfirmStore>;
}

/** How a settings change ended: saved, refused by the share, or not made after the question. */
export type SaveOutcome = 'saved' | 'refused' | 'cancelled';

/** What the window can do; each resolves (never rejects). */
export interface AppActions {
  loadAll(): Promise<void>;
  start(): Promise<boolean>;
  stop(): Promise<boolean>;
  /** Saves a change; false (with field errors or a toast) when refused, or not confirmed. */
  updateSettings(patch: Partial<Settings>): Promise<boolean>;
  /** Like updateSettings, telling a refusal from a change the user decided not to make. */
  saveSettings(patch: Partial<Settings>): Promise<SaveOutcome>;
  /** Asks for the next free port and saves it. */
  useFreePort(): Promise<void>;
  /**
   * Sets `port` (or the next free one) and starts: the one-click fix for "port in use", applied to
   * the web page's port when that is the one at fault (`error.field`).
   */
  usePortAndStart(port?: number): Promise<void>;
  /** The native picker; `unsupported` means the window must ask for a typed path. */
  pickFolders(): Promise<'added' | 'cancelled' | 'unsupported' | 'failed'>;
  /** Adds a typed path; returns the error message (or that it is already shared), or null when added. */
  addFolder(path: string): Promise<string | null>;
  removeFolder(path: string): Promise<void>;
  openFolder(path: string): Promise<void>;
  /** Copies text (host clipboard, else the browser's) and says so. */
  copy(text: string, what: string): Promise<void>;
  generatePassword(): Promise<void>;
  loadCertificate(): Promise<void>;
  regenerateCertificate(): Promise<void>;
  /** Returns the error message, or null when imported. */
  importCertificate(certPath: string, keyPath: string): Promise<string | null>;
  chooseAddress(address: string): Promise<void>;
  /** "New code": a new sign-in token for the web page's QR code (the old one and its sessions end). */
  newSignInCode(): Promise<void>;
  kick(sessionId: string): Promise<void>;
  clearLogs(): Promise<void>;
  clearFinishedTransfers(): Promise<void>;
  /** "Can others reach me?": the findings, or why they could not be had (shown in the card, not a toast). */
  checkReachability(): Promise<Result<ReachabilityReport>>;
}

export function createAppStores(transport: Transport): AppStores {
  return {
    server: createServerStore(transport.host),
    sessions: createSessionsStore(),
    transfers: createTransfersStore(),
    logs: createLogsStore(),
    notices: createNoticesStore(),
    clock: createClockStore(),
    confirm: createConfirmStore(),
  };
}

/**
 * Settings a running share restarts for (the listeners, their connection limits and TLS), by
 * dotted path, and how the question names them. The web page's QR sign-in switch applies live:
 * only its on/off and port restart.
 */
const RESTART_CHANGES: Record<string, string> = {
  port: 'Changing the port',
  ftps: 'Changing the encryption (FTPS)',
  requireTls: 'Changing “Require encryption”',
  passivePorts: 'Changing the passive ports',
  maxConnections: 'Changing the connection limit',
  maxConnectionsPerAddress: 'Changing the connection limit per device',
  'web.enabled': 'Turning the web page on or off',
  'web.port': 'Changing the web page’s port',
};

/** The value at a dotted path (`web.port`) of settings or a patch. */
function valueAt(source: object, path: string): unknown {
  let value: unknown = source;
  for (const key of path.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** The first setting in `patch` that differs from `settings` and restarts a running share. */
function restartingChange(settings: Settings | null, patch: Partial<Settings>): string | undefined {
  if (!settings) return undefined;
  for (const [path, what] of Object.entries(RESTART_CHANGES)) {
    if (!(path.split('.')[0]! in patch)) continue;
    if (JSON.stringify(valueAt(patch, path)) !== JSON.stringify(valueAt(settings, path))) return what;
  }
  return undefined;
}

/** Two folder lists with the same paths in the same order. */
function sameFolders(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((folder, i) => folder === b[i]);
}

export function createActions(api: FtpShareApi, stores: AppStores): AppActions {
  const { server, sessions, transfers, logs, notices, confirm } = stores;
  const toast = (failure: Failure, prefix?: string) =>
    notices.getState().push('error', prefix ? `${prefix}: ${failure.message}` : failure.message);

  /**
   * Asks before `what` restarts (or stops) a running share while people are connected; true when
   * nobody would be disconnected or the user says go ahead.
   */
  const mayDisconnect = async (what: string, outcome: 'restart' | 'stop'): Promise<boolean> => {
    const state = server.getState().state;
    const count = state?.status === 'running' ? state.sessionCount : 0;
    if (count === 0) return true;
    const people = count === 1 ? '1 person' : `${count} people`;
    return confirm.getState().ask(
      outcome === 'restart'
        ? {
            title: `${people} will be disconnected`,
            body: `${what} restarts sharing, which disconnects everyone connected now. They can connect again once it is back.`,
            confirmLabel: 'Restart sharing',
          }
        : {
            title: `${people} will be disconnected`,
            body: `${what} stops sharing, which disconnects everyone connected now.`,
            confirmLabel: 'Stop sharing',
          },
    );
  };

  const refreshState = async () => {
    const r = await api.getState(undefined);
    if (r.ok) server.setState({ state: r.value });
  };

  const actions: AppActions = {
    async loadAll() {
      const [state, settings, sessionRows, snapshot, lines] = await Promise.all([
        api.getState(undefined),
        api.getSettings(undefined),
        api.getSessions(undefined),
        api.getTransfers(undefined),
        api.getLogs(undefined),
      ]);
      if (state.ok) server.setState({ state: state.value });
      if (settings.ok) server.setState({ settings: settings.value });
      if (sessionRows.ok) sessions.getState().apply(sessionRows.value);
      if (snapshot.ok) transfers.getState().apply(snapshot.value);
      if (lines.ok) logs.getState().replace(lines.value);
    },

    async start() {
      server.setState({ busy: 'start', actionError: null });
      const r = await api.start(undefined);
      if (r.ok) server.setState({ state: r.value, busy: null });
      else {
        server.setState({ busy: null, actionError: { code: r.code, message: r.message } });
        if (r.code === 'invalid-settings' && r.fields) applyFieldErrors(r.fields);
        await refreshState();
      }
      return r.ok;
    },

    async stop() {
      server.setState({ busy: 'stop', actionError: null });
      const r = await api.stop(undefined);
      if (r.ok) server.setState({ state: r.value, busy: null });
      else {
        server.setState({ busy: null, actionError: { code: r.code, message: r.message } });
        await refreshState();
      }
      return r.ok;
    },

    async updateSettings(patch) {
      return (await actions.saveSettings(patch)) === 'saved';
    },

    async saveSettings(patch) {
      const current = server.getState().settings;
      const restarting = restartingChange(current, patch);
      if (restarting && !(await mayDisconnect(restarting, 'restart'))) return 'cancelled';
      if (patch.folders && patch.folders.length === 0 && current && current.folders.length > 0) {
        if (!(await mayDisconnect('Removing every folder', 'stop'))) return 'cancelled';
      }
      const r = await api.updateSettings(patch);
      if (r.ok) {
        const fieldErrors = { ...server.getState().fieldErrors };
        for (const key of Object.keys(fieldErrors)) {
          const root = key.split(/[.[]/)[0]!;
          if (root in patch) delete fieldErrors[key];
        }
        server.setState({ settings: r.value, fieldErrors });
        return 'saved';
      }
      if (r.code === 'invalid-settings' && r.fields && r.fields.length > 0) applyFieldErrors(r.fields);
      else toast(r, "Couldn't save the setting");
      return 'refused';
    },

    async useFreePort() {
      const free = await api.findFreePort({});
      if (!free.ok) return toast(free, "Couldn't find a free port");
      if (await actions.updateSettings({ port: free.value })) notices.getState().push('success', `Port ${free.value} is free and saved`);
    },

    async usePortAndStart(port) {
      // The port at fault: FTP's, or the web page's when the share says so.
      const web = server.getState().state?.error?.field === 'webPort' ? server.getState().settings?.web : undefined;
      let chosen = port;
      if (chosen === undefined) {
        const free = await api.findFreePort(web ? { from: web.port + 1 } : {});
        if (!free.ok) return toast(free, "Couldn't find a free port");
        chosen = free.value;
      }
      if (await actions.updateSettings(web ? { web: { ...web, port: chosen } } : { port: chosen })) await actions.start();
    },

    async pickFolders() {
      const r = await api.pickFolders(undefined);
      if (!r.ok) {
        if (r.code === 'unsupported') {
          server.setState({ capabilities: { ...server.getState().capabilities, pickFolders: false } });
          return 'unsupported';
        }
        if (r.code === 'cancelled') return 'cancelled';
        toast(r, "Couldn't open the folder picker");
        return 'failed';
      }
      if (r.value.length === 0) return 'cancelled';
      let added = false;
      for (const path of r.value) {
        const before = server.getState().settings?.folders ?? [];
        const a = await api.addFolder({ path });
        if (a.ok) {
          server.setState({ settings: a.value });
          if (sameFolders(before, a.value.folders)) notices.getState().push('info', alreadyShared(path));
          else added = true;
        } else toast(a, `Couldn't add ${path}`);
      }
      return added ? 'added' : 'failed';
    },

    async addFolder(path) {
      const before = server.getState().settings?.folders ?? [];
      const r = await api.addFolder({ path });
      if (r.ok) {
        server.setState({ settings: r.value });
        // The share answers an already-shared folder with the folders unchanged.
        return sameFolders(before, r.value.folders) ? alreadyShared(path) : null;
      }
      return r.fields?.[0]?.message ?? r.message;
    },

    async removeFolder(path) {
      const folders = server.getState().settings?.folders ?? [];
      if (folders.length === 1 && folders[0] === path && !(await mayDisconnect('Removing the last folder', 'stop'))) return;
      const r = await api.removeFolder({ path });
      if (r.ok) server.setState({ settings: r.value });
      else toast(r, "Couldn't remove the folder");
    },

    async openFolder(path) {
      const r = await api.openFolder({ path });
      if (r.ok) return;
      if (r.code === 'unsupported') {
        server.setState({ capabilities: { ...server.getState().capabilities, openFolder: false } });
        notices.getState().push('info', 'Opening folders works in the desktop app only');
      } else toast(r, "Couldn't open the folder");
    },

    async copy(text, what) {
      const r = await api.copyText({ text });
      let copied = r.ok;
      if (!copied) {
        try {
          await navigator.clipboard.writeText(text);
          copied = true;
        } catch {
          copied = false;
        }
      }
      if (copied) notices.getState().push('success', `${what} copied`);
      else notices.getState().push('error', `Couldn't copy the ${what.toLowerCase()} — select it and copy it by hand`);
    },

    async generatePassword() {
      const r = await api.generatePassword(undefined);
      if (r.ok) {
        const fieldErrors = { ...server.getState().fieldErrors };
        delete fieldErrors['access.password'];
        delete fieldErrors['access.username'];
        server.setState({ settings: r.value, fieldErrors });
        notices.getState().push('success', 'New password saved');
      } else toast(r, "Couldn't make a new password");
    },

    async loadCertificate() {
      const r = await api.getCertificate(undefined);
      if (r.ok) server.setState({ certificate: r.value });
      else server.setState({ certificate: null });
    },

    async regenerateCertificate() {
      if (usesCertificate() && !(await mayDisconnect('Making a new certificate', 'restart'))) return;
      const r = await api.regenerateCertificate(undefined);
      if (r.ok) {
        server.setState({ certificate: r.value });
        notices.getState().push('success', 'New certificate made — clients will ask to trust it again');
      } else toast(r, "Couldn't make a new certificate");
    },

    async importCertificate(certPath, keyPath) {
      if (usesCertificate() && !(await mayDisconnect('Using another certificate', 'restart'))) return 'Nothing was imported: sharing kept running.';
      const r = await api.importCertificate({ certPath, keyPath });
      if (r.ok) {
        server.setState({ certificate: r.value });
        notices.getState().push('success', 'Certificate imported');
        return null;
      }
      return r.message;
    },

    async chooseAddress(address) {
      await actions.updateSettings({ advertisedAddress: address });
      await refreshState();
    },

    async newSignInCode() {
      const r = await api.newSignInCode(undefined);
      if (!r.ok) return toast(r, "Couldn't make a new code");
      server.setState({ state: r.value });
      notices.getState().push('success', 'New code made — the old one no longer signs in');
    },

    async kick(sessionId) {
      const r = await api.kickSession({ sessionId });
      if (!r.ok && r.code !== 'not-found') toast(r, "Couldn't disconnect the client");
    },

    async clearLogs() {
      const r = await api.clearLogs(undefined);
      if (r.ok) logs.getState().clear();
      else toast(r, "Couldn't clear the log");
    },

    async clearFinishedTransfers() {
      const r = await api.clearFinishedTransfers(undefined);
      if (!r.ok) return toast(r, "Couldn't clear the history");
      const t = await api.getTransfers(undefined);
      if (t.ok) transfers.getState().apply(t.value);
    },

    checkReachability() {
      return api.checkReachability(undefined);
    },
  };

  /** Whether the running share uses the certificate (a new one restarts it). */
  function usesCertificate(): boolean {
    const ftps = server.getState().settings?.ftps;
    return ftps !== undefined && ftps !== 'off';
  }

  function alreadyShared(path: string): string {
    return `${path} is already shared`;
  }

  function applyFieldErrors(fields: NonNullable<Failure['fields']>): void {
    const fieldErrors = { ...server.getState().fieldErrors };
    for (const f of fields) fieldErrors[f.field] = f.message;
    server.setState({ fieldErrors });
  }

  return actions;
}

/**
 * Subscribes the stores to the transport's pushed events and loads the whole state now and after
 * every reconnection (events may have been missed meanwhile). Returns the unsubscribe.
 */
export function bindStores(transport: Transport, stores: AppStores, actions: AppActions): () => void {
  const { api, connection } = transport;
  const offs = [
    api.on('state', (state) => {
      // A share that came up clears the last failed attempt; anything else keeps it on screen.
      stores.server.setState(state.status === 'running' ? { state, actionError: null } : { state });
    }),
    api.on('settings', (settings) => stores.server.setState({ settings })),
    api.on('sessions', (rows) => stores.sessions.getState().apply(rows)),
    api.on('transfers', (snapshot) => stores.transfers.getState().apply(snapshot)),
    api.on('log', (lines) => stores.logs.getState().append(lines)),
    api.on('notice', (n) => stores.notices.getState().push(n.level, n.text)),
  ];
  let wasLost = false;
  offs.push(
    connection.subscribe((status) => {
      if (status.state === 'lost') wasLost = true;
      else if (status.state === 'open' && wasLost) {
        wasLost = false;
        void actions.loadAll();
      }
    }),
  );
  void actions.loadAll();
  return () => offs.forEach((off) => off());
}
