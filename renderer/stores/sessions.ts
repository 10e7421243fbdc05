/**
 * Live FTP sessions, normalised so that a row re-renders only when its own session changed.
 */
import { createStore } from 'zustand/vanilla';
import type { SessionRow } from '../../core/share/contract.js';
import { reconcile, type Normalised } from './reconcile.js';

export interface SessionsStore extends Normalised<SessionRow> {
  /** Replaces the list with a pushed or fetched snapshot. */
  apply(rows: readonly SessionRow[]): void;
}

export function createSessionsStore() {
  return createStore<SessionsStore>()((set, get) => ({
    ids: [],
    byId: {},
    apply(rows) {
      const prev = get();
      const next = reconcile(prev, rows, (r) => r.sessionId);
      if (next !== prev) set({ ids: next.ids, byId: next.byId });
    },
  }));
}

export type SessionsStoreApi = ReturnType<typeof createSessionsStore>;
