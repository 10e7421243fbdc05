import type { Session } from '../session.js';
import { refusalFor } from '../replies.js';

/** State a command inherits from the one before it (REST's offset, RNFR's path). */
export interface CarriedState {
  restOffset: number;
  renameFrom?: string;
}

/** One FTP command: its handler and how the session gates it. */
export interface CommandSpec {
  handler(session: Session, argument: string, carried: CarriedState): void | Promise<void>;
  /** An empty argument is answered with 501 before the handler runs. */
  needsArgument?: boolean;
  /** One line for HELP. */
  help: string;
}

export type CommandTable = Record<string, CommandSpec>;

/**
 * Resolves a client path against the session's directory. Replies 553 and returns undefined when
 * the path can't be used (NUL, too long, a name the host can't hold).
 */
export function resolvePath(session: Session, argument: string): string | undefined {
  try {
    return session.fs.resolve(session.cwd, argument);
  } catch (err) {
    const refusal = refusalFor(err);
    session.reply(refusal.code === 550 ? 553 : refusal.code, refusal.text);
    return undefined;
  }
}

/** Runs a file-system operation, turning its failure into the matching reply. Returns success. */
export async function attempt(session: Session, operation: () => Promise<unknown>, context: 'read' | 'write' = 'read'): Promise<boolean> {
  try {
    await operation();
    return true;
  } catch (err) {
    const refusal = refusalFor(err, context);
    session.reply(refusal.code, refusal.text);
    return false;
  }
}
