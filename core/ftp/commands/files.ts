import { createHash } from 'node:crypto';
import type { CommandTable } from './command.js';
import { attempt, attemptWrite, resolveDirectory, resolvePath } from './command.js';
import type { Session } from '../session.js';
import { ftpTimestamp } from '../listing-format.js';
import { parseMdtmSetForm, parseMfmtArgument, parseSiteArgument, type SetTimeArgument } from '../arguments.js';
import { sanitize } from '../replies.js';
import { readFileStream } from '../../fs/file-stream.js';

/** DELE RNFR RNTO SIZE MDTM MFMT SITE HASH AVBL (RFC 959, RFC 3659, draft-bryan-ftpext-hash, draft-peterson-streamlined). */

/** HASH algorithms: FEAT/OPTS name → node:crypto name. */
export const HASH_ALGORITHMS = { 'SHA-256': 'sha256', 'SHA-1': 'sha1', MD5: 'md5' } as const;

function readOnlyRefused(session: Session, path: string): boolean {
  if (!session.fs.readOnly) return false;
  session.server.emit('access-refused', { reason: 'read-only', operation: 'rename', path, sessionId: session.id, remoteAddress: session.remoteAddress });
  session.reply(550, 'Permission denied: the share is read-only');
  return true;
}

async function setModified(session: Session, { when, path: rawPath }: SetTimeArgument, replyStyle: 'MFMT' | 'MDTM'): Promise<void> {
  if (!when) {
    session.reply(501, 'Bad timestamp: use YYYYMMDDHHMMSS (UTC)');
    return;
  }
  const path = resolvePath(session, rawPath);
  if (path === undefined) return;
  if (!(await attemptWrite(session, 'set-time', path, () => session.fs.setModified(path, when)))) return;
  if (replyStyle === 'MFMT') session.reply(213, `Modify=${ftpTimestamp(when)}; ${path}`);
  else session.reply(213, ftpTimestamp(when));
}

async function hashFile(session: Session, path: string): Promise<{ digest: string; size: number }> {
  const file = await session.fs.openRead(path);
  try {
    const hash = createHash(HASH_ALGORITHMS[session.hashAlgorithm]);
    for await (const chunk of readFileStream(file, 0)) {
      // The client hung up: stop reading.
      if (session.isClosed) throw new Error('session closed');
      hash.update(chunk as Buffer);
    }
    return { digest: hash.digest('hex'), size: file.size };
  } finally {
    await file.close();
  }
}

const SITE_HELP = ['SITE commands:', 'CHMOD <mode> <path>', 'HELP', 'End'];

export const fileCommands: CommandTable = {
  DELE: {
    help: 'DELE <file>: delete a file',
    needsArgument: true,
    async handler(session, argument) {
      const path = resolvePath(session, argument);
      if (path === undefined) return;
      if (await attemptWrite(session, 'delete', path, () => session.fs.unlink(path), { change: 'deleted', path })) session.reply(250, 'File deleted');
    },
  },
  RNFR: {
    help: 'RNFR <path>: rename from',
    needsArgument: true,
    async handler(session, argument) {
      const path = resolvePath(session, argument);
      if (path === undefined || readOnlyRefused(session, path)) return;
      if (!(await attempt(session, () => session.fs.stat(path)))) return;
      session.renameFrom = path;
      session.reply(350, 'Ready for RNTO');
    },
  },
  RNTO: {
    help: 'RNTO <path>: rename to',
    needsArgument: true,
    async handler(session, argument, carried) {
      if (carried.renameFrom === undefined) {
        session.reply(503, 'RNFR required first');
        return;
      }
      const path = resolvePath(session, argument);
      if (path === undefined) return;
      const from = carried.renameFrom;
      if (await attemptWrite(session, 'rename', from, () => session.fs.rename(from, path), { change: 'renamed', from, path })) {
        session.reply(250, 'Rename successful');
      }
    },
  },
  SIZE: {
    help: 'SIZE <file>: size in bytes',
    needsArgument: true,
    async handler(session, argument) {
      const path = resolvePath(session, argument);
      if (path === undefined) return;
      const info = await attempt(session, () => session.fs.stat(path));
      if (!info) return;
      if (info.type !== 'file') session.reply(550, 'Not a regular file');
      else session.reply(213, `${info.size}`);
    },
  },
  MDTM: {
    help: 'MDTM <file>: modification time (UTC)',
    needsArgument: true,
    async handler(session, argument) {
      const setForm = parseMdtmSetForm(argument);
      if (setForm) return setModified(session, setForm, 'MDTM');
      const path = resolvePath(session, argument);
      if (path === undefined) return;
      const info = await attempt(session, () => session.fs.stat(path));
      if (!info) return;
      if (info.type !== 'file') session.reply(550, 'Not a regular file');
      else session.reply(213, ftpTimestamp(info.modified));
    },
  },
  MFMT: {
    help: 'MFMT <YYYYMMDDHHMMSS> <path>: set modification time',
    needsArgument: true,
    async handler(session, argument) {
      const parsed = parseMfmtArgument(argument);
      if (!parsed) {
        session.reply(501, 'Syntax: MFMT YYYYMMDDHHMMSS path');
        return;
      }
      await setModified(session, parsed, 'MFMT');
    },
  },
  SITE: {
    help: 'SITE HELP | SITE CHMOD <mode> <path>',
    needsArgument: true,
    async handler(session, argument) {
      const site = parseSiteArgument(argument);
      if (site.kind === 'help') {
        session.reply(214, SITE_HELP);
        return;
      }
      if (site.kind === 'unknown') {
        session.reply(502, `Unknown SITE command ${sanitize(site.name.slice(0, 16))}`);
        return;
      }
      if (site.kind === 'chmod-syntax') {
        session.reply(501, 'Syntax: SITE CHMOD <octal mode> <path>');
        return;
      }
      const path = resolvePath(session, site.path);
      if (path === undefined) return;
      if (await attemptWrite(session, 'chmod', path, () => session.fs.chmod(path, site.mode))) {
        session.reply(200, 'SITE CHMOD command ok');
      }
    },
  },
  HASH: {
    help: 'HASH <file>: file digest (OPTS HASH selects the algorithm)',
    needsArgument: true,
    async handler(session, argument) {
      const path = resolvePath(session, argument);
      if (path === undefined) return;
      const result = await attempt(session, () => hashFile(session, path));
      if (!result) return;
      session.reply(213, `${session.hashAlgorithm} 0-${result.size} ${result.digest} ${path}`);
    },
  },
  AVBL: {
    help: 'AVBL [dir]: free bytes',
    async handler(session, argument) {
      const path = await resolveDirectory(session, argument.trim() === '' ? '.' : argument);
      if (path === undefined) return;
      const bytes = await attempt(session, () => session.fs.available(path));
      if (bytes !== undefined) session.reply(213, `${bytes}`);
    },
  },
};
