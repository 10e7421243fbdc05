/**
 * React access to one window's stores and actions. Components read with narrow selectors
 * (`useServer((s) => s.state?.status)`) so a pushed snapshot re-renders only what it changed.
 */
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { AppActions, AppStores } from './app-stores.js';
import type { ServerStore } from './server.js';
import type { SessionsStore } from './sessions.js';
import type { TransfersStore } from './transfers.js';
import type { LogsStore } from './logs.js';
import type { NoticesStore } from './notices.js';
import type { ConfirmStore } from './confirm.js';
import type { ConnectionMonitor, ConnectionStatus } from '../api.js';

export interface AppContextValue {
  stores: AppStores;
  actions: AppActions;
  connection: ConnectionMonitor;
}

const AppContext = createContext<AppContextValue | null>(null);

export function AppProvider({ value, children }: { value: AppContextValue; children: ReactNode }) {
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp() outside <AppProvider>');
  return value;
}

export function useActions(): AppActions {
  return useApp().actions;
}

function useSlice<S, T>(pick: (stores: AppStores) => StoreApi<S>, selector: (state: S) => T): T {
  return useStore(pick(useApp().stores), selector);
}

export const useServer = <T,>(selector: (s: ServerStore) => T): T => useSlice((x) => x.server, selector);
export const useSessions = <T,>(selector: (s: SessionsStore) => T): T => useSlice((x) => x.sessions, selector);
export const useTransfers = <T,>(selector: (s: TransfersStore) => T): T => useSlice((x) => x.transfers, selector);
export const useLogs = <T,>(selector: (s: LogsStore) => T): T => useSlice((x) => x.logs, selector);
export const useNotices = <T,>(selector: (s: NoticesStore) => T): T => useSlice((x) => x.notices, selector);
export const useClock = <T,>(selector: (s: { now: number }) => T): T => useSlice((x) => x.clock, selector);
export const useConfirm = <T,>(selector: (s: ConfirmStore) => T): T => useSlice((x) => x.confirm, selector);

/** The link to FTP Share, as it changes. */
export function useConnection(): ConnectionStatus {
  const { connection } = useApp();
  return useSyncExternalStore(
    (listener) => connection.subscribe(listener),
    () => connection.get(),
  );
}

/**
 * Why the window can't trust what it shows, or null while linked: `lost` (reconnecting),
 * `stopped` (FTP Share is gone) or `replaced` (it runs again at a new address). The first
 * connection of a window that just opened counts as linked: nothing is shown yet anyway.
 */
export function useLinkDown(): 'lost' | 'stopped' | 'replaced' | null {
  const status = useConnection();
  if (status.state === 'open' || (status.state === 'connecting' && status.attempt === 0)) return null;
  return status.state === 'connecting' ? 'lost' : status.state;
}
