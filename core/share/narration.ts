/**
 * What the log says about each server event: one table from event to line, used by the app's log
 * (the ShareService) and by the `ftp-share` command, so both say the same thing in the same words.
 *
 * Levels:
 * - `info`: what happened: connections, logins, every change to the files (uploads, deletes,
 *   renames, folders made or removed) and downloads, each with its session and address;
 * - `warn`: refusals the person sharing wants to know about (a failed login, a write refused by
 *   read-only, a path refused by the resolver, a connection turned away by a limit), failed
 *   transfers and the server's warnings;
 * - `error`: the server's own failures;
 * - `debug`: the raw protocol: every command as received (PASS arrives as `***`), and the start
 *   of each transfer.
 *
 * Text a client chose (user and file names, command arguments) goes through escapeForLog, so one
 * event is one line that can't drive a terminal. No event carries a password.
 */
import type { ServerEventName, ServerEvents, WriteOperation } from '../ftp/events.js';
import { escapeForLog } from '../ftp/replies.js';
import type { LogLevel } from './contract.js';
import { endedDeliberately } from './activity.js';

/** One log line about a server event. */
export interface NarratedLine {
  level: LogLevel;
  text: string;
  /** The session the line is about, when there is one. */
  sessionId?: string;
}

/** What a line may need beyond its event: the client address of a session. */
export interface NarrationContext {
  addressOf(sessionId: string): string | undefined;
}

type Narrator<K extends ServerEventName> = (event: ServerEvents[K], context: NarrationContext) => NarratedLine | undefined;

/** The events that make a line, and the line each makes. Events not listed make none. */
export type NarrationTable = { [K in ServerEventName]?: Narrator<K> };

/** Longest client-sent path quoted in a refusal (a hostile one may be 4 KiB). */
const MAX_QUOTED_PATH = 200;

/** "1.5 MB", "300 bytes": binary multiples, as file managers show them. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

const name = (text: string): string => escapeForLog(text);
const from = (address: string | undefined): string => (address ? ` (from ${address})` : '');

const OPERATION_TEXT: Record<WriteOperation, string> = {
  upload: 'upload',
  delete: 'delete',
  rename: 'rename',
  'folder-create': 'make the folder',
  'folder-remove': 'remove the folder',
  chmod: 'change the permissions of',
  'set-time': 'change the time of',
};

const line = (level: LogLevel, text: string, sessionId?: string): NarratedLine =>
  sessionId === undefined ? { level, text } : { level, text, sessionId };

/** The table itself: see the module comment for what each level holds. */
export const NARRATION: NarrationTable = {
  error: (e) => line('error', `Server error: ${e.message}`),
  warning: (e) => line('warn', e.message),
  // A browser on another device is the proof that reaching this computer works: say so plainly.
  'session-opened': (e) =>
    e.protocol === 'web'
      ? line('info', `A device opened the web page: ${name(e.client ?? 'a browser')} (from ${e.remoteAddress}${e.secure ? ', HTTPS' : ''})`, e.sessionId)
      : line('info', `Connection from ${e.remoteAddress}${e.secure ? ' (TLS)' : ''}`, e.sessionId),
  'session-closed': (e, c) => {
    const address = c.addressOf(e.sessionId);
    return line('info', `Disconnected${address ? ` ${address}` : ''} (${e.reason})`, e.sessionId);
  },
  login: (e) => line('info', `Logged in as ${name(e.user)}`, e.sessionId),
  'login-failed': (e) => line('warn', `Login failed for user "${name(e.user)}" from ${e.remoteAddress}`, e.sessionId),
  'address-throttled': (e) => {
    const window = e.windowMs >= 60_000 ? `${Math.round(e.windowMs / 60_000)} min` : `${Math.round(e.windowMs / 1000)} s`;
    return line('warn', `${e.failures} failed logins from ${e.remoteAddress} within ${window}: its replies now wait ${(e.delayMs / 1000).toFixed(1)} s until it logs in`);
  },
  'connection-refused': (e) => {
    const limit = `${e.limit} connection${e.limit === 1 ? '' : 's'}`;
    const which = e.reason === 'too-many-connections' ? `the limit of ${limit} at once` : `the limit of ${limit} from one address`;
    return line('warn', `Refused a connection from ${e.remoteAddress}: ${which} is reached`);
  },
  command: (e) => line('debug', name(e.argument ? `${e.command} ${e.argument}` : e.command), e.sessionId),
  'transfer-started': (e) => line('debug', `${e.direction === 'download' ? 'Sending' : 'Receiving'} ${name(e.path)}`, e.sessionId),
  'transfer-completed': (e, c) => {
    const address = c.addressOf(e.sessionId);
    const peer = address ? ` ${e.direction === 'download' ? 'to' : 'from'} ${address}` : '';
    const amount = `${formatBytes(e.bytes)} in ${(e.durationMs / 1000).toFixed(1)} s`;
    return line('info', `${e.direction === 'download' ? 'Sent' : 'Received'} ${name(e.path)}${peer} (${amount})`, e.sessionId);
  },
  'transfer-failed': (e, c) => {
    const what = e.direction === 'download' ? 'Download' : 'Upload';
    const outcome = endedDeliberately(e) ? 'aborted' : 'failed';
    return line('warn', `${what} of ${name(e.path)} ${outcome}: ${e.reason}${from(c.addressOf(e.sessionId))}`, e.sessionId);
  },
  'file-changed': (e) => {
    switch (e.change) {
      case 'deleted':
        return line('info', `Deleted ${name(e.path)}${from(e.remoteAddress)}`, e.sessionId);
      case 'renamed':
        return line('info', `Renamed ${name(e.from)} to ${name(e.path)}${from(e.remoteAddress)}`, e.sessionId);
      case 'folder-created':
        return line('info', `Made the folder ${name(e.path)}${from(e.remoteAddress)}`, e.sessionId);
      case 'folder-removed':
        return line('info', `Removed the folder ${name(e.path)}${from(e.remoteAddress)}`, e.sessionId);
    }
  },
  'access-refused': (e) => {
    if (e.reason === 'read-only') {
      return line('warn', `Refused to ${OPERATION_TEXT[e.operation]} ${name(e.path)}${from(e.remoteAddress)}: the share is read-only`, e.sessionId);
    }
    if (e.reason === 'outside-share') {
      return line('warn', `Refused ${name(e.path)}${from(e.remoteAddress)}: it leads outside the shared folder (a link)`, e.sessionId);
    }
    const quoted = e.path.length > MAX_QUOTED_PATH ? `${e.path.slice(0, MAX_QUOTED_PATH)}…` : e.path;
    return line('warn', `Refused the path "${name(quoted)}"${from(e.remoteAddress)}: ${e.detail}`, e.sessionId);
  },
};

/** Levels that are not `debug`: what a log shows at its normal level. */
export function isNormalLevel(level: LogLevel): boolean {
  return level !== 'debug';
}

/** Something that emits server events (an FtpServer). */
export interface ServerEventSource {
  on<K extends ServerEventName>(event: K, listener: (payload: ServerEvents[K]) => void): unknown;
  off<K extends ServerEventName>(event: K, listener: (payload: ServerEvents[K]) => void): unknown;
}

/** Options of {@link narrate}. */
export interface NarrateOptions {
  /** Also narrate the debug-level events (commands, transfer starts). Default true. */
  debug?: boolean;
}

/** Events whose lines are all at debug level: not even listened to when debug lines are not wanted. */
const DEBUG_EVENTS: ReadonlySet<ServerEventName> = new Set<ServerEventName>(['command', 'transfer-started']);

/** How many closed sessions' addresses are remembered, for events that arrive after the close. */
const RECENTLY_CLOSED = 256;

/**
 * Writes a line for every narrated event of `source` through `write`; returns the function that
 * stops. Session addresses are remembered from `session-opened` (and for a while after the close,
 * since a transfer's end may be reported after its session's).
 */
export function narrate(source: ServerEventSource, write: (line: NarratedLine) => void, options: NarrateOptions = {}): () => void {
  const open = new Map<string, string>();
  const closed = new Map<string, string>();
  const context: NarrationContext = { addressOf: (sessionId) => open.get(sessionId) ?? closed.get(sessionId) };
  const detachers: (() => void)[] = [];
  const listen = <K extends ServerEventName>(event: K, listener: (payload: ServerEvents[K]) => void): void => {
    source.on(event, listener);
    detachers.push(() => source.off(event, listener));
  };
  listen('session-opened', (e) => open.set(e.sessionId, e.remoteAddress));
  for (const event of Object.keys(NARRATION) as ServerEventName[]) {
    const narrator = NARRATION[event] as Narrator<typeof event>;
    if (options.debug === false && DEBUG_EVENTS.has(event)) continue;
    listen(event, (payload) => {
      const narrated = narrator(payload, context);
      if (narrated) write(narrated);
    });
  }
  listen('session-closed', (e) => {
    const address = open.get(e.sessionId);
    open.delete(e.sessionId);
    if (address === undefined) return;
    closed.set(e.sessionId, address);
    if (closed.size > RECENTLY_CLOSED) closed.delete(closed.keys().next().value!);
  });
  return () => {
    for (const detach of detachers) detach();
  };
}
