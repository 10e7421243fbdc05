/**
 * Toasts: pushed `notice` events and the window's own messages (copied, failed actions). They go
 * away by themselves; errors stay a little longer.
 */
import { createStore } from 'zustand/vanilla';
import type { LogLevel } from '../../core/share/contract.js';

export interface Notice {
  id: number;
  level: LogLevel | 'success';
  text: string;
}

export interface NoticesStore {
  notices: Notice[];
  push(level: Notice['level'], text: string): void;
  dismiss(id: number): void;
}

const LIFETIME_MS = { error: 8_000, warn: 6_000, default: 3_500 };
const MAX_VISIBLE = 4;

export function createNoticesStore() {
  let nextId = 1;
  return createStore<NoticesStore>()((set, get) => ({
    notices: [],
    push(level, text) {
      const id = nextId++;
      // The same message twice in a row (e.g. a double click) shows once.
      if (get().notices.some((n) => n.text === text && n.level === level)) return;
      set({ notices: [...get().notices, { id, level, text }].slice(-MAX_VISIBLE) });
      const ms = level === 'error' ? LIFETIME_MS.error : level === 'warn' ? LIFETIME_MS.warn : LIFETIME_MS.default;
      setTimeout(() => get().dismiss(id), ms);
    },
    dismiss(id) {
      const notices = get().notices.filter((n) => n.id !== id);
      if (notices.length !== get().notices.length) set({ notices });
    },
  }));
}

export type NoticesStoreApi = ReturnType<typeof createNoticesStore>;
