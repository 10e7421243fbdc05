/**
 * Log lines as pushed by FTP Share (appended), with the view's filter, search and pause.
 *
 * While paused, new lines are held back (and counted) so the list the user reads stays still;
 * resuming appends them. The window keeps at most {@link MAX_LOG_LINES}, dropping the oldest.
 */
import { createStore } from 'zustand/vanilla';
import type { LogEntry, LogLevel } from '../../core/share/contract.js';

/** The most lines the window keeps (the share keeps its own ring buffer). */
export const MAX_LOG_LINES = 20_000;

/** Levels in increasing severity, for the "this level and above" filter. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LogsStore {
  entries: LogEntry[];
  /** Lines that arrived while paused. */
  held: LogEntry[];
  paused: boolean;
  /** Keep the view scrolled to the newest line. */
  follow: boolean;
  /** Show this level and above. */
  minLevel: LogLevel;
  search: string;
  append(lines: readonly LogEntry[]): void;
  replace(lines: readonly LogEntry[]): void;
  clear(): void;
  setPaused(paused: boolean): void;
  setFollow(follow: boolean): void;
  setMinLevel(level: LogLevel): void;
  setSearch(search: string): void;
}

function capped(lines: LogEntry[]): LogEntry[] {
  return lines.length > MAX_LOG_LINES ? lines.slice(lines.length - MAX_LOG_LINES) : lines;
}

export function createLogsStore() {
  return createStore<LogsStore>()((set, get) => ({
    entries: [],
    held: [],
    paused: false,
    follow: true,
    minLevel: 'info',
    search: '',
    append(lines) {
      if (lines.length === 0) return;
      const { paused, entries, held } = get();
      // Drop lines we already have (a reconnect's getLogs can overlap with pushed lines).
      const last = paused ? (held.at(-1) ?? entries.at(-1)) : entries.at(-1);
      const fresh = last ? lines.filter((l) => l.id > last.id) : lines;
      if (fresh.length === 0) return;
      if (paused) set({ held: capped(held.concat(fresh)) });
      else set({ entries: capped(entries.concat(fresh)) });
    },
    replace(lines) {
      set({ entries: capped([...lines]), held: [] });
    },
    clear() {
      set({ entries: [], held: [] });
    },
    setPaused(paused) {
      if (paused === get().paused) return;
      if (paused) set({ paused: true });
      else set({ paused: false, entries: capped(get().entries.concat(get().held)), held: [] });
    },
    setFollow(follow) {
      if (follow !== get().follow) set({ follow });
    },
    setMinLevel(minLevel) {
      set({ minLevel });
    },
    setSearch(search) {
      set({ search });
    },
  }));
}

export type LogsStoreApi = ReturnType<typeof createLogsStore>;

/** The lines that pass the level filter and the (case-insensitive) search. */
export function filterLogs(entries: readonly LogEntry[], minLevel: LogLevel, search: string): LogEntry[] {
  const min = LOG_LEVELS.indexOf(minLevel);
  const needle = search.trim().toLowerCase();
  return entries.filter(
    (e) => LOG_LEVELS.indexOf(e.level) >= min && (needle === '' || e.text.toLowerCase().includes(needle) || (e.sessionId ?? '').toLowerCase().includes(needle)),
  );
}
