import type { Session } from '../session.js';
import type { FileChange, WriteOperation } from '../events.js';
import { refusalFor } from '../replies.js';
import { isFsError } from '../../fs/fs-error.js';

/** State a command inherits from the one before it (REST's offset, ALLO's size, RNFR's path). */
export interface CarriedState {
  restOffset: number;
  /** Bytes the client announced with ALLO for the upload that follows. */
  announcedSize?: number;
  renameFrom?: string;
}

/** One FTP command: its handler, its line of HELP, and when the session lets it run. */
export interface CommandSpec {
  handler(session: Session, argument: string, carried: CarriedState): void | Promise<void>;
  /** One line for HELP. */
  help: string;
  /** An empty argument is answered with 501 before the handler runs. */
  needsArgument?: boolean;
  /**
   * Runs before login (the login itself, TLS setup, capability probes). Every other command, ACCT
   * and REIN included, gets 530 until PASS succeeds.
   */
  beforeLogin?: boolean;
  /** Answered at once while a transfer runs; every other command waits for the transfer to end. */
  duringTransfer?: boolean;
  /**
   * May stand between REST (or ALLO) and the transfer it applies to (clients send PASV or TYPE
   * there): REST's offset and ALLO's size stay for the next command. Any other command drops them.
   */
  keepsRestOffset?: boolean;
}

export type CommandTable = Record<string, CommandSpec>;

/**
 * Resolves a client path against the session's directory. Replies 553, reports the refusal
 * (`access-refused`) and returns undefined when the path can't be used (NUL, too long, a name the
 * host can't hold).
 */
export function resolvePath(session: Session, argument: string): string | undefined {
  try {
    return session.fs.resolve(session.cwd, argument);
  } catch (err) {
    const refusal = refusalFor(err);
    session.server.emit('access-refused', {
      reason: 'invalid-path',
      path: argument,
      detail: refusal.text,
      sessionId: session.id,
      remoteAddress: session.remoteAddress,
    });
    session.reply(refusal.code === 550 ? 553 : refusal.code, refusal.text);
    return undefined;
  }
}

/**
 * Resolves a client path that must name a directory (CWD, AVBL). Replies and returns undefined
 * when it can't be used, can't be found, or is a file (550 Not a directory).
 */
export async function resolveDirectory(session: Session, argument: string): Promise<string | undefined> {
  const path = resolvePath(session, argument);
  if (path === undefined) return undefined;
  const info = await attempt(session, () => session.fs.stat(path));
  if (!info) return undefined;
  if (info.type !== 'dir') {
    session.reply(550, 'Not a directory');
    return undefined;
  }
  return path;
}

/**
 * Reports a refusal the person sharing wants to know of (`access-refused`): a path that leads
 * outside the share, or a write (`write`) that read-only refused. Other failures are the client's
 * business.
 */
function reportRefusal(session: Session, err: unknown, write?: { operation: WriteOperation; path: string }): void {
  if (!isFsError(err)) return;
  const who = { sessionId: session.id, remoteAddress: session.remoteAddress };
  if (err.outsidePath !== undefined) session.server.emit('access-refused', { reason: 'outside-share', path: err.outsidePath, ...who });
  else if (write && err.code === 'read-only') session.server.emit('access-refused', { reason: 'read-only', ...write, ...who });
}

/** Replies with the refusal a failure maps to, after reporting it as {@link reportRefusal} does. */
export function replyRefusal(session: Session, err: unknown, context: 'read' | 'write', write?: { operation: WriteOperation; path: string }): void {
  reportRefusal(session, err, write);
  const refusal = refusalFor(err, context);
  session.reply(refusal.code, refusal.text);
}

/**
 * Runs a file-system operation and returns what it produced. On failure replies with the refusal
 * the error maps to and returns undefined (hence no operation that produces undefined or null).
 */
export async function attempt<T extends {}>(session: Session, operation: () => Promise<T>): Promise<T | undefined> {
  try {
    return await operation();
  } catch (err) {
    replyRefusal(session, err, 'read');
    return undefined;
  }
}

/**
 * Runs a write to `path`: on failure replies as {@link attempt} does and reports a read-only
 * refusal; on success reports `change` (`file-changed`) before the caller's reply, so a log line
 * exists by the time the client reads its answer. Returns success.
 */
export async function attemptWrite(
  session: Session,
  operation: WriteOperation,
  path: string,
  run: () => Promise<unknown>,
  change?: FileChange,
): Promise<boolean> {
  try {
    await run();
  } catch (err) {
    replyRefusal(session, err, 'write', { operation, path });
    return false;
  }
  if (change) session.server.emit('file-changed', { ...change, sessionId: session.id, remoteAddress: session.remoteAddress });
  return true;
}
