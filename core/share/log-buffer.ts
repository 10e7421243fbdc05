/**
 * The share's log: a ring buffer of the last lines, and the redaction every line passes through.
 *
 * Log lines come from many places (server events, settings changes, certificate work), and some
 * carry text a client typed (a user name, a path). A password can reach them by accident: a user
 * typing it into the user-name field, a client sending it as a path. So no caller is trusted:
 * {@link Redactor} replaces every secret the service knows, and anything shaped like a private
 * key, before a line is stored or pushed.
 */
import type { LogEntry, LogLevel } from './contract.js';

/** Lines kept by default. */
export const DEFAULT_LOG_CAPACITY = 5000;

/** Longest log line kept (characters); a longer one is cut, so one client can't bloat the log. */
export const MAX_LOG_LINE_LENGTH = 2000;

/** What a redacted secret is replaced with. */
export const REDACTED = '***';

/** Secrets shorter than this are not searched for (a one-letter password would mangle every line). */
const MIN_SECRET_LENGTH = 3;

/** PEM private keys of any kind, complete or cut off. */
const PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

/** Removes known secrets and key material from text meant for logs, events or messages. */
export class Redactor {
  readonly #secrets = new Set<string>();

  /** Remembers a secret (a password, old or current); it is redacted from now on. */
  addSecret(secret: string | undefined): void {
    if (secret && secret.length >= MIN_SECRET_LENGTH) this.#secrets.add(secret);
  }

  /** The text with every known secret and every private key replaced by `***`. */
  redact(text: string): string {
    let out = text.replace(PRIVATE_KEY, REDACTED);
    // Longest first, so a secret containing another is replaced whole.
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }
}

/** A fixed-size ring of log entries with increasing ids. */
export class LogBuffer {
  readonly #capacity: number;
  readonly #ring: (LogEntry | undefined)[];
  #head = 0;
  #size = 0;
  #nextId = 1;

  constructor(capacity = DEFAULT_LOG_CAPACITY) {
    this.#capacity = Math.max(1, capacity);
    this.#ring = new Array<LogEntry | undefined>(this.#capacity);
  }

  /** Appends a line (already redacted) and returns the entry; the oldest falls out when full. */
  add(level: LogLevel, text: string, time: number, sessionId?: string): LogEntry {
    const clipped = text.length > MAX_LOG_LINE_LENGTH ? `${text.slice(0, MAX_LOG_LINE_LENGTH)}…` : text;
    const entry: LogEntry = { id: this.#nextId++, time, level, text: clipped };
    if (sessionId !== undefined) entry.sessionId = sessionId;
    this.#ring[(this.#head + this.#size) % this.#capacity] = entry;
    if (this.#size < this.#capacity) this.#size++;
    else this.#head = (this.#head + 1) % this.#capacity;
    return entry;
  }

  /** Every kept entry, oldest first. */
  entries(): LogEntry[] {
    const out: LogEntry[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#ring[(this.#head + i) % this.#capacity]!);
    return out;
  }

  get size(): number {
    return this.#size;
  }

  /** Empties the log; ids keep increasing. */
  clear(): void {
    this.#ring.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }
}
